/**
 * One OHLCV bar. Prices are numbers (IB sends doubles); times are epoch milliseconds (UTC).
 * `openTime` is inclusive and `closeTime` exclusive: a 1m bar for 09:30 has closeTime 09:31.
 * A bar is only acted on at its close.
 */
export interface Bar {
  readonly symbol: string;
  readonly openTime: number;
  readonly closeTime: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Builds a frozen bar. Validation lives in `data/bar-validation.ts`. */
export function makeBar(fields: Bar): Bar {
  return Object.freeze({
    symbol: fields.symbol,
    openTime: fields.openTime,
    closeTime: fields.closeTime,
    open: fields.open,
    high: fields.high,
    low: fields.low,
    close: fields.close,
    volume: fields.volume,
  });
}
