import { InvariantError } from "../core/errors.js";
import type { FeeModel, FeeModelName } from "./fee-model.js";
import type { FixedFeeRates, TieredFeeRates } from "./fee-schedule.js";
import { FixedFeeModel } from "./fixed-fee-model.js";
import { TieredFeeModel } from "./tiered-fee-model.js";
import { ZeroFeeModel } from "./zero-fee-model.js";

/** Builds the fee model named `kind`, with the plan's default rates unless `rates` are given. */
export function createFeeModel(kind: "fixed", rates?: FixedFeeRates): FixedFeeModel;
export function createFeeModel(kind: "tiered", rates?: TieredFeeRates): TieredFeeModel;
export function createFeeModel(kind: "none"): ZeroFeeModel;
export function createFeeModel(kind: FeeModelName, rates?: FixedFeeRates | TieredFeeRates): FeeModel;
export function createFeeModel(kind: FeeModelName, rates?: FixedFeeRates | TieredFeeRates): FeeModel {
  switch (kind) {
    case "fixed":
      if (rates !== undefined && "tiers" in rates) {
        throw new InvariantError("createFeeModel: tiered rates were given for the fixed fee model");
      }
      return new FixedFeeModel(rates);
    case "tiered":
      if (rates !== undefined && !("tiers" in rates)) {
        throw new InvariantError("createFeeModel: fixed rates were given for the tiered fee model");
      }
      return new TieredFeeModel(rates);
    case "none":
      if (rates !== undefined) throw new InvariantError("createFeeModel: the none fee model takes no rates");
      return new ZeroFeeModel();
  }
}
