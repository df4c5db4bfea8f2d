import type { BacktestReport } from "./backtest-report.js";
import { DEFAULT_MAX_CHART_POINTS, renderEquityChartSvg } from "./equity-chart-svg.js";
import { escapeHtml } from "./escape-html.js";
import { buildReportSections } from "./report-rows.js";

const PAGE_STYLE = [
  "body{font-family:system-ui,sans-serif;margin:24px;color:#22272d;background:#f6f7f9}",
  "h1{font-size:20px;margin:0 0 4px}",
  "p.sub{margin:0 0 16px;color:#5b636d}",
  "figure{margin:0 0 24px;background:#fff;border:1px solid #dde1e6;display:inline-block}",
  "svg{display:block;max-width:100%;height:auto}",
  "table{border-collapse:collapse;background:#fff;border:1px solid #dde1e6;font-size:14px}",
  "th,td{padding:4px 12px;text-align:left;border-bottom:1px solid #eef0f3}",
  "th.section{background:#eef1f5;text-transform:uppercase;font-size:12px;letter-spacing:.05em}",
  "td.value{font-variant-numeric:tabular-nums}",
].join("\n");

/** The report title: strategy, symbols and timeframe. */
export function reportTitle(report: BacktestReport): string {
  const { strategy, symbols, timeframe } = report.meta;
  return `${strategy} — ${symbols.join(", ")} — ${timeframe}`;
}

/**
 * Renders a standalone HTML page (inline SVG and CSS, no scripts, no network) with the title, the equity curve,
 * its drawdown and the summary table.
 */
export function renderEquityReportHtml(report: BacktestReport, maxPoints = DEFAULT_MAX_CHART_POINTS): string {
  const title = escapeHtml(reportTitle(report));
  const sections = buildReportSections(report.metrics, report.meta);
  const tableBody = sections
    .map((section) =>
      [
        `<tbody><tr><th class="section" colspan="2">${escapeHtml(section.title)}</th></tr>`,
        ...section.rows.map(
          (row) =>
            `<tr><td>${escapeHtml(row.label)}</td><td class="value">${escapeHtml(row.value)}</td></tr>`,
        ),
        "</tbody>",
      ].join("\n"),
    )
    .join("\n");
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${title}</title>`,
    `<style>${PAGE_STYLE}</style>`,
    "</head>",
    "<body>",
    `<h1>${title}</h1>`,
    `<p class="sub">Fee model: ${escapeHtml(report.meta.feeModel)}. Equity at each bar close, with the drawdown from its running peak below.</p>`,
    `<figure>${renderEquityChartSvg(report.equityCurve, maxPoints)}</figure>`,
    `<table class="summary">\n${tableBody}\n</table>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
