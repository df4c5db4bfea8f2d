import type { Decimal } from "decimal.js";
import type { OrderSide } from "./order.js";

/** One execution. `fillId` is the venue's execution id (IB `execId`), so replays are idempotent. */
export interface Fill {
  readonly fillId: string;
  readonly orderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: Decimal;
  readonly price: Decimal;
  readonly commission: Decimal;
  readonly time: number;
}
