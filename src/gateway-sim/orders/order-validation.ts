import { Decimal } from "decimal.js";
import type { InstrumentUniverse } from "../market/instrument-universe.js";
import type { SimInstrument } from "../market/sim-instrument.js";
import type { PlaceOrderRequest } from "../protocol/place-order-request.js";
import type { TwsErrorMessage } from "../protocol/server-messages.js";
import { invalidRequest, noSecurityDefinition, zeroOrderSize } from "./order-errors.js";
import type { SimOrderType, SimTimeInForce } from "./sim-order.js";

/** A PLACE_ORDER the simulator can work, with its contract resolved. */
export interface OrderSpec {
  readonly instrument: SimInstrument;
  readonly exchange: string;
  readonly action: "BUY" | "SELL";
  readonly orderType: SimOrderType;
  readonly tif: SimTimeInForce;
  readonly totalQuantity: Decimal;
  readonly lmtPrice: number | undefined;
  readonly auxPrice: number | undefined;
  readonly account: string;
  readonly orderRef: string;
  readonly outsideRth: boolean;
  readonly transmit: boolean;
}

/** Either the order to work or the ERR_MSG TWS would answer. */
export type OrderCheck =
  { readonly ok: true; readonly spec: OrderSpec } | { readonly ok: false; readonly error: TwsErrorMessage };

const ORDER_TYPES: readonly SimOrderType[] = ["MKT", "LMT", "STP"];
const TIMES_IN_FORCE: readonly SimTimeInForce[] = ["DAY", "GTC"];

/**
 * Checks a PLACE_ORDER against what the simulator supports, in the order TWS reports problems: the
 * contract (200), the order's shape (321 for what is not modelled, see order-errors.ts), the size (434).
 * `accounts` are the session's managed accounts; an empty account means the first one.
 */
export function checkPlaceOrder(
  request: PlaceOrderRequest,
  universe: InstrumentUniverse,
  accounts: readonly string[],
): OrderCheck {
  const { orderId, contract } = request;
  const fail = (error: TwsErrorMessage): OrderCheck => ({ ok: false, error });
  const unsupported = (cause: string): OrderCheck => fail(invalidRequest(orderId, cause));

  const instrument = resolveContract(request, universe);
  if (instrument === undefined) return fail(noSecurityDefinition(orderId));

  const orderType = ORDER_TYPES.find((type) => type === request.orderType.trim().toUpperCase());
  if (orderType === undefined) {
    return unsupported(`order type ${JSON.stringify(request.orderType)} is not supported (MKT, LMT, STP)`);
  }
  const tifText = request.tif.trim().toUpperCase() || "DAY"; // IB's default time in force is DAY
  const tif = TIMES_IN_FORCE.find((value) => value === tifText);
  if (tif === undefined)
    return unsupported(`time in force ${JSON.stringify(request.tif)} is not supported (DAY, GTC)`);
  const actionText = request.action.trim().toUpperCase();
  if (actionText !== "BUY" && actionText !== "SELL") {
    return unsupported(`action ${JSON.stringify(request.action)} is not supported (BUY, SELL)`);
  }
  const notModelled = unmodelledFeature(request);
  if (notModelled !== undefined) return unsupported(`${notModelled} is not supported by the simulator`);

  const quantity = request.totalQuantity === undefined ? new Decimal(0) : new Decimal(request.totalQuantity);
  if (quantity.isZero()) return fail(zeroOrderSize(orderId));
  if (quantity.isNegative()) return unsupported(`order size ${quantity.toString()} is negative`);

  if (orderType === "LMT" && !isPositivePrice(request.lmtPrice))
    return unsupported("a LMT order needs a limit price");
  if (orderType === "STP" && !isPositivePrice(request.auxPrice))
    return unsupported("a STP order needs a stop price (auxPrice)");

  const account = request.account.trim() === "" ? accounts[0] : request.account.trim();
  if (account === undefined || !accounts.includes(account)) {
    return unsupported(`account ${JSON.stringify(request.account)} is not managed by this session`);
  }

  return {
    ok: true,
    spec: {
      instrument,
      exchange: contract.exchange.trim() === "" ? "SMART" : contract.exchange.trim().toUpperCase(),
      action: actionText,
      orderType,
      tif,
      totalQuantity: quantity,
      lmtPrice: orderType === "LMT" ? request.lmtPrice : undefined,
      auxPrice: orderType === "STP" ? request.auxPrice : undefined,
      account,
      orderRef: request.orderRef,
      outsideRth: request.outsideRth,
      transmit: request.transmit,
    },
  };
}

/** The instrument a PLACE_ORDER's contract names: by conId when given, else by symbol and its qualifiers. */
export function resolveContract(
  request: PlaceOrderRequest,
  universe: InstrumentUniverse,
): SimInstrument | undefined {
  const { contract } = request;
  if (contract.secType.trim().toUpperCase() === "BAG") return undefined;
  if (contract.conId > 0) {
    const byConId = universe.lookupConId(contract.conId);
    const symbolAgrees =
      byConId !== undefined &&
      (contract.symbol.trim() === "" || contract.symbol.trim().toUpperCase() === byConId.symbol);
    return symbolAgrees ? byConId : undefined;
  }
  return universe.lookup(contract.symbol, contract.secType, contract.exchange, contract.currency);
}

/** The first order feature the simulator would have to ignore to accept the order, if any. */
function unmodelledFeature(request: PlaceOrderRequest): string | undefined {
  if (request.whatIf) return "a what-if order";
  if (request.parentId !== 0) return "an attached (bracket) order";
  if (request.ocaGroup.trim() !== "") return "an OCA group";
  if (request.conditions.length > 0) return "an order condition";
  if (request.algoStrategy.trim() !== "") return "an algo order";
  if (request.hedgeType.trim() !== "") return "a hedge order";
  if (request.scale !== undefined || request.scaleInitLevelSize !== undefined) return "a scale order";
  if (request.goodTillDate.trim() !== "" || request.goodAfterTime.trim() !== "")
    return "a good-till/after time";
  if (request.cashQty !== undefined && request.cashQty !== 0) return "a cash quantity";
  return undefined;
}

function isPositivePrice(price: number | undefined): price is number {
  return price !== undefined && Number.isFinite(price) && price > 0;
}
