import { UsageError } from "../core/errors.js";

/** Parses a `--from`/`--to` value: `YYYY-MM-DD` (UTC midnight) or an ISO date-time (UTC unless it has an offset). */
export function parseTimeFlag(flag: string, text: string): number {
  const trimmed = text.trim();
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(trimmed);
  const iso = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(trimmed);
  if (dateOnly || iso) {
    const normalized = dateOnly
      ? `${trimmed}T00:00:00Z`
      : /(Z|[+-]\d{2}:?\d{2})$/.test(trimmed)
        ? trimmed.replace(" ", "T")
        : `${trimmed.replace(" ", "T")}Z`;
    const ms = Date.parse(normalized);
    const [year, month, day] = trimmed.slice(0, 10).split("-").map(Number);
    const calendarDay = new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1)).toISOString().slice(0, 10);
    if (Number.isFinite(ms) && calendarDay === trimmed.slice(0, 10)) return ms;
  }
  throw new UsageError(
    `bad ${flag} "${text}": use a date like 2024-01-31 or an ISO date-time like 2024-01-31T14:30:00Z`,
  );
}
