import { downsampleMinMax } from "./downsample-min-max.js";
import { drawdownSeries } from "./drawdown-series.js";
import type { EquityCurveArrays } from "./equity-curve-arrays.js";
import { escapeHtml } from "./escape-html.js";
import { niceTicks, tickDecimals } from "./nice-ticks.js";
import { formatNumber, formatUtcDate, formatUtcMinute } from "./report-format.js";

/** Default cap on plotted points per series, so a million-point curve still makes a small file. */
export const DEFAULT_MAX_CHART_POINTS = 2000;

const WIDTH = 960;
const LEFT = 96;
const RIGHT = 24;
const PLOT_WIDTH = WIDTH - LEFT - RIGHT;
const EQUITY_TOP = 16;
const EQUITY_HEIGHT = 300;
const DRAWDOWN_TOP = EQUITY_TOP + EQUITY_HEIGHT + 28;
const DRAWDOWN_HEIGHT = 140;
const HEIGHT = DRAWDOWN_TOP + DRAWDOWN_HEIGHT + 56;
const X_TICKS = 6;
const DATE_ONLY_SPAN_MS = 10 * 86_400_000;
const SVG_STYLE = [
  ".grid{stroke:#e3e6ea;stroke-width:1}",
  ".frame{stroke:#9aa3ad;stroke-width:1}",
  ".tick{font:11px sans-serif;fill:#4a525b}",
  ".axis-title{font:12px sans-serif;fill:#22272d}",
].join("");

interface Panel {
  readonly top: number;
  readonly height: number;
  readonly low: number;
  readonly high: number;
}

/**
 * Draws the equity curve with its drawdown below it as inline SVG (no scripts, no external references), each
 * series downsampled with min/max buckets to at most `maxPoints` points.
 */
export function renderEquityChartSvg(curve: EquityCurveArrays, maxPoints = DEFAULT_MAX_CHART_POINTS): string {
  const open = `<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="Equity curve and drawdown">`;
  const count = curve.timesMs.length;
  const start = curve.timesMs[0];
  const end = curve.timesMs[count - 1];
  if (start === undefined || end === undefined) {
    return `${open}<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">No equity data</text></svg>`;
  }
  const span = end > start ? end - start : 1;
  const x = (time: number): number => LEFT + ((time - start) / span) * PLOT_WIDTH;

  const equity = downsampleMinMax(curve.timesMs, curve.equity, maxPoints);
  const drawdown = downsampleMinMax(curve.timesMs, drawdownSeries(curve), maxPoints);

  const [equityLow, equityHigh] = paddedRange(equity.values);
  const equityTicks = niceTicks(equityLow, equityHigh, 5);
  const equityPanel = panelFor(EQUITY_TOP, EQUITY_HEIGHT, equityTicks.values);
  const equityDecimals = tickDecimals(equityTicks.step);

  let deepest = 0;
  for (const value of drawdown.values) if (value > deepest) deepest = value;
  const drawdownTicks = niceTicks(0, deepest > 0 ? deepest : 0.01, 4);
  const drawdownPanel = panelFor(
    DRAWDOWN_TOP,
    DRAWDOWN_HEIGHT,
    drawdownTicks.values.map((value) => -value),
  );
  const drawdownDecimals = tickDecimals(drawdownTicks.step * 100);

  const parts: string[] = [
    open,
    `<style>${SVG_STYLE}</style>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
  ];

  for (const value of equityTicks.values) {
    parts.push(yGridLine(equityPanel, value, formatNumber(value, equityDecimals)));
  }
  for (const value of drawdownTicks.values) {
    const label = value === 0 ? "0%" : `-${formatNumber(value * 100, drawdownDecimals)}%`;
    parts.push(yGridLine(drawdownPanel, -value, label));
  }
  for (let i = 0; i < X_TICKS; i++) {
    const time = start + (span * i) / (X_TICKS - 1);
    const label = end - start >= DATE_ONLY_SPAN_MS ? formatUtcDate(time) : formatUtcMinute(time);
    const anchor = i === 0 ? "start" : i === X_TICKS - 1 ? "end" : "middle";
    const tx = fixed(x(time));
    parts.push(
      `<line x1="${tx}" y1="${EQUITY_TOP}" x2="${tx}" y2="${DRAWDOWN_TOP + DRAWDOWN_HEIGHT}" class="grid"/>`,
      `<text x="${tx}" y="${DRAWDOWN_TOP + DRAWDOWN_HEIGHT + 18}" text-anchor="${anchor}" class="tick">${escapeHtml(label)}</text>`,
    );
  }

  const equityPoints = polylinePoints(equity.timesMs, equity.values, x, equityPanel, 1);
  const drawdownPoints = polylinePoints(drawdown.timesMs, drawdown.values, x, drawdownPanel, -1);
  const baseline = fixed(yOf(drawdownPanel, 0));
  const firstX = fixed(x(drawdown.timesMs[0] ?? start));
  const lastX = fixed(x(drawdown.timesMs[drawdown.timesMs.length - 1] ?? end));
  parts.push(
    `<polyline class="equity" fill="none" stroke="#1f5fbf" stroke-width="1.5" points="${equityPoints}"/>`,
    `<polygon class="drawdown" fill="#d9534f" fill-opacity="0.35" stroke="#b52b27" stroke-width="1" points="${firstX},${baseline} ${drawdownPoints} ${lastX},${baseline}"/>`,
    frame(equityPanel),
    frame(drawdownPanel),
    axisTitle("Equity", EQUITY_TOP + EQUITY_HEIGHT / 2),
    axisTitle("Drawdown", DRAWDOWN_TOP + DRAWDOWN_HEIGHT / 2),
    `<text x="${LEFT + PLOT_WIDTH / 2}" y="${HEIGHT - 8}" text-anchor="middle" class="axis-title">Date (UTC)</text>`,
    "</svg>",
  );
  return parts.join("\n");
}

function paddedRange(values: Float64Array): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (const value of values) {
    if (value < low) low = value;
    if (value > high) high = value;
  }
  if (high > low) return [low, high];
  const pad = Math.max(Math.abs(low) * 0.01, 1);
  return [low - pad, high + pad];
}

function panelFor(top: number, height: number, tickValues: readonly number[]): Panel {
  const low = Math.min(...tickValues);
  const high = Math.max(...tickValues);
  return { top, height, low, high: high > low ? high : low + 1 };
}

function yOf(panel: Panel, value: number): number {
  return panel.top + ((panel.high - value) / (panel.high - panel.low)) * panel.height;
}

function fixed(coordinate: number): string {
  return coordinate.toFixed(1);
}

function polylinePoints(
  times: Float64Array,
  values: Float64Array,
  x: (time: number) => number,
  panel: Panel,
  sign: 1 | -1,
): string {
  const points: string[] = [];
  for (let i = 0; i < times.length; i++) {
    const time = times[i] ?? Number.NaN;
    const value = values[i] ?? Number.NaN;
    points.push(`${fixed(x(time))},${fixed(yOf(panel, sign * value))}`);
  }
  return points.join(" ");
}

function yGridLine(panel: Panel, value: number, label: string): string {
  const y = fixed(yOf(panel, value));
  return [
    `<line x1="${LEFT}" y1="${y}" x2="${LEFT + PLOT_WIDTH}" y2="${y}" class="grid"/>`,
    `<text x="${LEFT - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" class="tick">${escapeHtml(label)}</text>`,
  ].join("\n");
}

function frame(panel: Panel): string {
  return `<rect x="${LEFT}" y="${panel.top}" width="${PLOT_WIDTH}" height="${panel.height}" fill="none" class="frame"/>`;
}

function axisTitle(text: string, centerY: number): string {
  return `<text x="16" y="${centerY}" text-anchor="middle" transform="rotate(-90 16 ${centerY})" class="axis-title">${text}</text>`;
}
