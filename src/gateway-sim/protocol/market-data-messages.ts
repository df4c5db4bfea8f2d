import { InvariantError } from "../../core/errors.js";
import { IncomingMessageId } from "./message-ids.js";
import { MessageWriter } from "./message-writer.js";
import { isSupportedServerVersion } from "./server-versions.js";

// Encoders of the market data messages TWS sends (ibkr-facts.md §2.2). Their layouts are the same at every
// server version the simulator speaks (176 … 193): HISTORICAL_DATA lost its version field and hasGaps at
// 124, and the next change (HISTORICAL_DATA_END as its own message) comes at 196. The version fields the
// TICK_* messages still carry hold the values real TWS sends (6 for ticks, §2 "observed").

/** Version TWS puts in TICK_PRICE, TICK_SIZE, TICK_STRING and TICK_GENERIC (ibkr-facts.md §2). */
const TICK_MESSAGE_VERSION = 6;
/** Version TWS puts in REAL_TIME_BARS. */
const REAL_TIME_BARS_VERSION = 3;

/** Bits of TICK_PRICE's attribute mask (ibkr-facts.md §2.2; @stoqey/ib reads any non-zero mask as canAutoExecute). */
export const TickAttribute = {
  CAN_AUTO_EXECUTE: 1,
  PAST_LIMIT: 2,
  PRE_OPEN: 4,
} as const;

/** One TICK_PRICE: a price tick with the size that goes with it. */
export interface TickPriceMessage {
  readonly reqId: number;
  readonly tickType: number;
  readonly price: number;
  /** Shares; TWS sends 0 with prices that have no size (high, low, close, open). */
  readonly size: number;
  /** TickAttribute bits. */
  readonly attributeMask: number;
}

/** TICK_PRICE `[1, 6, tickerId, tickType, price, size (decimal), attrMask]`. */
export function encodeTickPrice(serverVersion: number, tick: TickPriceMessage): Buffer {
  assertEncodable(serverVersion);
  return new MessageWriter()
    .int(IncomingMessageId.TICK_PRICE)
    .int(TICK_MESSAGE_VERSION)
    .int(tick.reqId)
    .int(tick.tickType)
    .double(tick.price)
    .decimal(decimalText(tick.size))
    .int(tick.attributeMask)
    .toFrame();
}

/** One TICK_SIZE. */
export interface TickSizeMessage {
  readonly reqId: number;
  readonly tickType: number;
  /** Shares. */
  readonly size: number;
}

/** TICK_SIZE `[2, 6, tickerId, tickType, size (decimal)]`. */
export function encodeTickSize(serverVersion: number, tick: TickSizeMessage): Buffer {
  assertEncodable(serverVersion);
  return new MessageWriter()
    .int(IncomingMessageId.TICK_SIZE)
    .int(TICK_MESSAGE_VERSION)
    .int(tick.reqId)
    .int(tick.tickType)
    .decimal(decimalText(tick.size))
    .toFrame();
}

/** One TICK_STRING. */
export interface TickStringMessage {
  readonly reqId: number;
  readonly tickType: number;
  readonly value: string;
}

/** TICK_STRING `[46, 6, tickerId, tickType, value]`, e.g. LAST_TIMESTAMP with epoch seconds. */
export function encodeTickString(serverVersion: number, tick: TickStringMessage): Buffer {
  assertEncodable(serverVersion);
  return new MessageWriter()
    .int(IncomingMessageId.TICK_STRING)
    .int(TICK_MESSAGE_VERSION)
    .int(tick.reqId)
    .int(tick.tickType)
    .string(tick.value)
    .toFrame();
}

/** The parameters TICK_REQ_PARAMS announces for a new subscription. */
export interface TickRequestParameters {
  readonly reqId: number;
  readonly minTick: number;
  /** e.g. `9c0001` in real traffic. */
  readonly bboExchange: string;
  readonly snapshotPermissions: number;
}

/**
 * TICK_REQ_PARAMS `[81, tickerId, minTick, bboExchange, snapshotPermissions]` (no version field; real
 * example `81|9000|0.01|9c0001|3`). @stoqey/ib parses minTick as an integer, so 0.01 reaches it as 0.
 */
export function encodeTickRequestParameters(
  serverVersion: number,
  parameters: TickRequestParameters,
): Buffer {
  assertEncodable(serverVersion);
  return new MessageWriter()
    .int(IncomingMessageId.TICK_REQ_PARAMS)
    .int(parameters.reqId)
    .double(parameters.minTick)
    .string(parameters.bboExchange)
    .int(parameters.snapshotPermissions)
    .toFrame();
}

/** MARKET_DATA_TYPE `[58, 1, reqId, marketDataType]`: which kind of data a subscription gets (1 live … 4). */
export function encodeMarketDataType(serverVersion: number, reqId: number, marketDataType: number): Buffer {
  assertEncodable(serverVersion);
  return new MessageWriter()
    .int(IncomingMessageId.MARKET_DATA_TYPE)
    .int(1)
    .int(reqId)
    .int(marketDataType)
    .toFrame();
}

/** TICK_SNAPSHOT_END `[57, 1, reqId]`: a snapshot request has all its ticks. */
export function encodeTickSnapshotEnd(serverVersion: number, reqId: number): Buffer {
  assertEncodable(serverVersion);
  return new MessageWriter().int(IncomingMessageId.TICK_SNAPSHOT_END).int(1).int(reqId).toFrame();
}

/** The values of one bar on the wire; volume, WAP and count are −1 for MIDPOINT, BID and ASK. */
export interface WireBar {
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  /** Shares (a decimal on the wire). */
  readonly volume: number;
  /** Volume-weighted average price (a decimal on the wire). */
  readonly wap: number;
  /** Number of trades. */
  readonly count: number;
}

/** REAL_TIME_BARS `[50, 3, reqId, time (bar start, epoch s), open, high, low, close, volume, wap, count]`. */
export function encodeRealTimeBar(
  serverVersion: number,
  reqId: number,
  timeSeconds: number,
  bar: WireBar,
): Buffer {
  assertEncodable(serverVersion);
  return new MessageWriter()
    .int(IncomingMessageId.REAL_TIME_BARS)
    .int(REAL_TIME_BARS_VERSION)
    .int(reqId)
    .long(timeSeconds)
    .double(bar.open)
    .double(bar.high)
    .double(bar.low)
    .double(bar.close)
    .decimal(decimalText(bar.volume))
    .decimal(decimalText(bar.wap))
    .int(bar.count)
    .toFrame();
}

/** One HISTORICAL_DATA or HISTORICAL_DATA_UPDATE bar with its date already formatted for the request. */
export interface DatedWireBar extends WireBar {
  /** `yyyyMMdd HH:mm:ss zone`, epoch seconds or `yyyyMMdd`, per the request's formatDate and bar size. */
  readonly date: string;
}

/** The content of one HISTORICAL_DATA message: the bars and the window they answer. */
export interface HistoricalDataMessage {
  readonly reqId: number;
  readonly startDate: string;
  readonly endDate: string;
  readonly bars: readonly DatedWireBar[];
}

/**
 * HISTORICAL_DATA for 124 ≤ server version < 196 `[17, reqId, startDateStr, endDateStr, itemCount, then per
 * bar date, open, high, low, close, volume, wap, barCount]`. The message's end is the data set's end:
 * there is no separate end message below version 196 (ibkr-facts.md §2.2).
 */
export function encodeHistoricalData(serverVersion: number, data: HistoricalDataMessage): Buffer {
  assertEncodable(serverVersion);
  const writer = new MessageWriter()
    .int(IncomingMessageId.HISTORICAL_DATA)
    .int(data.reqId)
    .string(data.startDate)
    .string(data.endDate)
    .int(data.bars.length);
  for (const bar of data.bars) {
    writer
      .string(bar.date)
      .double(bar.open)
      .double(bar.high)
      .double(bar.low)
      .double(bar.close)
      .decimal(decimalText(bar.volume))
      .decimal(decimalText(bar.wap))
      .int(bar.count);
  }
  return writer.toFrame();
}

/**
 * HISTORICAL_DATA_UPDATE `[90, reqId, barCount, date, open, close, high, low, wap, volume]` (no version
 * field): the still-forming bar of a keepUpToDate request. Note the order: close before high and low, and
 * WAP before volume.
 */
export function encodeHistoricalDataUpdate(serverVersion: number, reqId: number, bar: DatedWireBar): Buffer {
  assertEncodable(serverVersion);
  return new MessageWriter()
    .int(IncomingMessageId.HISTORICAL_DATA_UPDATE)
    .int(reqId)
    .int(bar.count)
    .string(bar.date)
    .double(bar.open)
    .double(bar.close)
    .double(bar.high)
    .double(bar.low)
    .decimal(decimalText(bar.wap))
    .decimal(decimalText(bar.volume))
    .toFrame();
}

/** A number as Decimal text: JavaScript's shortest round-trip form (`100`, `243.17`, `-1`). */
function decimalText(value: number): string {
  if (!Number.isFinite(value)) throw new InvariantError(`decimal field ${value} is not finite`);
  return String(value);
}

/** Refuses server versions whose layouts were not checked (ibkr-facts.md §1.6: 176 … 193). */
function assertEncodable(serverVersion: number): void {
  if (!isSupportedServerVersion(serverVersion)) {
    throw new InvariantError(`no market data message layouts for server version ${serverVersion}`);
  }
}
