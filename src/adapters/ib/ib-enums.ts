import { BarSizeSetting, MarketDataType } from "@stoqey/ib";
import { InvariantError } from "../../core/errors.js";

const BAR_SIZES: ReadonlyMap<string, BarSizeSetting> = new Map(
  Object.values(BarSizeSetting).map((value) => [value, value]),
);

/** The library's enum value for a bar size in IB's spelling ("1 min", "5 secs"). */
export function ibBarSizeSetting(text: string): BarSizeSetting {
  const value = BAR_SIZES.get(text);
  if (value === undefined) throw new InvariantError(`"${text}" is not an IB bar size setting`);
  return value;
}

const MARKET_DATA_TYPES: Readonly<Record<1 | 2 | 3 | 4, MarketDataType>> = {
  1: MarketDataType.REALTIME,
  2: MarketDataType.FROZEN,
  3: MarketDataType.DELAYED,
  4: MarketDataType.DELAYED_FROZEN,
};

/** The library's enum value for IB's market data type number. */
export function ibMarketDataType(type: 1 | 2 | 3 | 4): MarketDataType {
  return MARKET_DATA_TYPES[type];
}
