/** Describes the run a report is about: who traded what, on which bars, under which fees. */
export interface ReportMeta {
  readonly strategy: string;
  /** The strategy's parameters as configured; values are shown with `String` or JSON. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly symbols: readonly string[];
  /** Timeframe label, e.g. `1d` or `5m`. */
  readonly timeframe: string;
  /** Fee model name, e.g. `tiered`. */
  readonly feeModel: string;
}
