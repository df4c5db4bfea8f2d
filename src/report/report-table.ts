import type { PerformanceMetrics } from "./performance-metrics.js";
import type { ReportMeta } from "./report-meta.js";
import { buildReportSections } from "./report-rows.js";

/** Renders the metrics as a two-column, box-drawn terminal table (one section per group, no colours). */
export function formatReportTable(metrics: PerformanceMetrics, meta: ReportMeta): string {
  const sections = buildReportSections(metrics, meta);
  const allRows = sections.flatMap((section) => section.rows);
  const labelWidth = Math.max(
    ...allRows.map((row) => row.label.length),
    ...sections.map((s) => s.title.length),
  );
  const valueWidth = Math.max(...allRows.map((row) => row.value.length));
  const rule = (left: string, middle: string, right: string): string =>
    `${left}${"─".repeat(labelWidth + 2)}${middle}${"─".repeat(valueWidth + 2)}${right}`;
  const line = (label: string, value: string): string =>
    `│ ${label.padEnd(labelWidth)} │ ${value.padEnd(valueWidth)} │`;

  const lines: string[] = [rule("┌", "┬", "┐")];
  sections.forEach((section, index) => {
    if (index > 0) lines.push(rule("├", "┼", "┤"));
    lines.push(line(section.title.toUpperCase(), ""));
    for (const row of section.rows) lines.push(line(row.label, row.value));
  });
  lines.push(rule("└", "┴", "┘"));
  return `${lines.join("\n")}\n`;
}
