/**
 * One-second bars refine a 5-second bar: the inner prices are a seeded bridge from the bar's open to its close,
 * clamped into its range; the seconds holding the highest and lowest prices take the bar's high and low; volume
 * and trade count are split so the five fold exactly back to the bar's open, high, low, close, volume and
 * count. Only the WAP is not an exact fold: each second reports the bar's WAP clamped into its own range.
 */
import { deriveSeed, Rng } from "../../core/rng.js";
import type { IntradayPath } from "./intraday-path.js";
import { shiftedHalfCents } from "./quote-spread.js";

const SECONDS_PER_BAR = 5;

/** A one-second piece of a 5-second bar: prices in half cents (already moved to the series), volume and count in shares and trades. */
export interface SecondBarPiece {
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  /** Price × shares in cents over the second: the parent's WAP clamped into the second's range. */
  readonly turnover: number;
  readonly count: number;
}

/** Splits 5-second bar `barIndex` of a path into five one-second pieces, a pure function of (seed, symbol, day, bar). */
export function secondBarPieces(
  path: IntradayPath,
  barIndex: number,
  label: { readonly seed: number; readonly symbol: string; readonly dayNumber: number },
  shift: number,
): readonly SecondBarPiece[] {
  const open = path.points[barIndex] ?? 0;
  const close = path.points[barIndex + 1] ?? 0;
  const high = path.highs[barIndex] ?? 0;
  const low = path.lows[barIndex] ?? 0;
  const volume = path.volumes[barIndex] ?? 0;
  const count = path.counts[barIndex] ?? 0;
  const wapCents = (path.turnovers[barIndex] ?? 0) / volume;
  const stream = new Rng(deriveSeed(label.seed, `${label.symbol}/${label.dayNumber}/${barIndex}/s`));

  const walk = [0];
  const stepCents = Math.max(1, (high - low) / 3);
  for (let k = 1; k <= SECONDS_PER_BAR; k++) walk.push((walk[k - 1] ?? 0) + stepCents * stream.normal());
  const drift = close - open - (walk[SECONDS_PER_BAR] ?? 0);
  const points = walk.map((value, k) =>
    k === 0 ? open : k === SECONDS_PER_BAR ? close : Math.round(open + value + (k / SECONDS_PER_BAR) * drift),
  );
  const clamped = points.map((cents) => Math.min(high, Math.max(low, cents)));

  const weights = Array.from({ length: SECONDS_PER_BAR }, () => 0.2 + stream.next());
  const weightTotal = weights.reduce((sum, weight) => sum + weight, 0);
  const volumes = weights.map((weight) => Math.floor((volume * weight) / weightTotal));
  volumes[SECONDS_PER_BAR - 1] = volume - volumes.slice(0, -1).reduce((sum, part) => sum + part, 0);
  const counts = volumes.map((part) => Math.floor((count * part) / volume));
  counts[SECONDS_PER_BAR - 1] = count - counts.slice(0, -1).reduce((sum, part) => sum + part, 0);

  let highSecond = 0;
  let lowSecond = 0;
  for (let k = 0; k < SECONDS_PER_BAR; k++) {
    const top = Math.max(clamped[k] ?? 0, clamped[k + 1] ?? 0);
    const bottom = Math.min(clamped[k] ?? 0, clamped[k + 1] ?? 0);
    if (top > Math.max(clamped[highSecond] ?? 0, clamped[highSecond + 1] ?? 0)) highSecond = k;
    if (bottom < Math.min(clamped[lowSecond] ?? 0, clamped[lowSecond + 1] ?? 0)) lowSecond = k;
  }

  const pieces: SecondBarPiece[] = [];
  for (let k = 0; k < SECONDS_PER_BAR; k++) {
    const pieceOpen = clamped[k] ?? 0;
    const pieceClose = clamped[k + 1] ?? 0;
    const pieceHigh = k === highSecond ? high : Math.max(pieceOpen, pieceClose);
    const pieceLow = k === lowSecond ? low : Math.min(pieceOpen, pieceClose);
    const pieceVolume = volumes[k] ?? 0;
    const pieceWapCents = Math.min(pieceHigh, Math.max(pieceLow, wapCents));
    pieces.push({
      open: shiftedHalfCents(pieceOpen, shift),
      high: shiftedHalfCents(pieceHigh, shift),
      low: shiftedHalfCents(pieceLow, shift),
      close: shiftedHalfCents(pieceClose, shift),
      volume: pieceVolume,
      turnover: pieceWapCents * pieceVolume,
      count: counts[k] ?? 0,
    });
  }
  return pieces;
}
