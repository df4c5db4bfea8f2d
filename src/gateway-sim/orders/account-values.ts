import { Decimal } from "decimal.js";
import type { AccountValuation } from "./account-valuation.js";

/** One account value as ACCOUNT_SUMMARY, ACCT_VALUE and ACCOUNT_UPDATE_MULTI carry it. */
export interface AccountValueEntry {
  readonly key: string;
  readonly value: string;
  readonly currency: string;
}

const BASE_CURRENCY = "USD";

function money(value: Decimal): string {
  return value.toFixed(2);
}

function ratio(numerator: Decimal, denominator: Decimal): string {
  return denominator.isZero() ? "0" : numerator.dividedBy(denominator).toFixed(6);
}

/**
 * The values of IB's account summary tags (the list in IB's reqAccountSummary documentation) for one
 * account, in that order. Margin figures follow the simulator's cash-account model (AccountValuation).
 */
function summaryValues(valuation: AccountValuation): readonly AccountValueEntry[] {
  const usd = (key: string, value: Decimal): AccountValueEntry => ({
    key,
    value: money(value),
    currency: BASE_CURRENCY,
  });
  const text = (key: string, value: string): AccountValueEntry => ({ key, value, currency: "" });
  const { netLiquidation, grossPositionValue, availableFunds, initialMargin } = valuation;
  return [
    text("AccountType", "INDIVIDUAL"),
    usd("NetLiquidation", netLiquidation),
    usd("TotalCashValue", valuation.cash),
    usd("SettledCash", valuation.cash),
    usd("AccruedCash", new Decimal(0)),
    usd("BuyingPower", availableFunds),
    usd("EquityWithLoanValue", netLiquidation),
    usd("PreviousDayEquityWithLoanValue", valuation.previousDayNetLiquidation),
    usd("GrossPositionValue", grossPositionValue),
    usd("RegTEquity", netLiquidation),
    usd("RegTMargin", initialMargin),
    usd("SMA", availableFunds),
    usd("InitMarginReq", initialMargin),
    usd("MaintMarginReq", initialMargin),
    usd("AvailableFunds", availableFunds),
    usd("ExcessLiquidity", availableFunds),
    text("Cushion", ratio(availableFunds, netLiquidation)),
    usd("FullInitMarginReq", initialMargin),
    usd("FullMaintMarginReq", initialMargin),
    usd("FullAvailableFunds", availableFunds),
    usd("FullExcessLiquidity", availableFunds),
    text("LookAheadNextChange", "0"),
    usd("LookAheadInitMarginReq", initialMargin),
    usd("LookAheadMaintMarginReq", initialMargin),
    usd("LookAheadAvailableFunds", availableFunds),
    usd("LookAheadExcessLiquidity", availableFunds),
    text("HighestSeverity", "0"),
    text("DayTradesRemaining", "-1"),
    text("Leverage", ratio(grossPositionValue, netLiquidation)),
  ];
}

/** The cash-balance ("ledger") values of one currency label: `BASE` or `USD` (all cash is in USD). */
export function ledgerValues(valuation: AccountValuation, label: string): readonly AccountValueEntry[] {
  const entry = (key: string, value: Decimal): AccountValueEntry => ({
    key,
    value: money(value),
    currency: label,
  });
  const zero = new Decimal(0);
  return [
    { key: "Currency", value: label, currency: label },
    entry("CashBalance", valuation.cash),
    entry("TotalCashBalance", valuation.cash),
    entry("AccruedCash", zero),
    entry("StockMarketValue", valuation.stockMarketValue),
    entry("OptionMarketValue", zero),
    entry("FutureOptionValue", zero),
    entry("FuturesPNL", zero),
    entry("NetLiquidationByCurrency", valuation.netLiquidation),
    entry("UnrealizedPnL", valuation.unrealizedPnl),
    entry("RealizedPnL", valuation.realizedPnlToday),
    entry("ExchangeRate", new Decimal(1)),
    entry("NetDividend", zero),
  ];
}

/**
 * ACCOUNT_SUMMARY entries for a comma-separated tag list: each known tag in the order asked, `$LEDGER`
 * (base currency), `$LEDGER:USD`/`$LEDGER:<currency>` and `$LEDGER:ALL` (base and USD); unknown tags are
 * left out, as TWS does.
 */
export function accountSummaryEntries(
  valuation: AccountValuation,
  tags: string,
): readonly AccountValueEntry[] {
  const values = new Map(summaryValues(valuation).map((entry) => [entry.key, entry]));
  const entries: AccountValueEntry[] = [];
  for (const raw of tags.split(",")) {
    const tag = raw.trim();
    if (tag === "") continue;
    const upper = tag.toUpperCase();
    if (upper === "$LEDGER") entries.push(...ledgerValues(valuation, "BASE"));
    else if (upper === "$LEDGER:ALL") {
      entries.push(...ledgerValues(valuation, "BASE"), ...ledgerValues(valuation, BASE_CURRENCY));
    } else if (upper === `$LEDGER:${BASE_CURRENCY}`) entries.push(...ledgerValues(valuation, BASE_CURRENCY));
    else {
      const entry = values.get(tag);
      if (entry !== undefined) entries.push(entry);
    }
  }
  return entries;
}

/** ACCT_VALUE / ACCOUNT_UPDATE_MULTI entries (reqAccountUpdates): identity keys, ledgers, then the summary values. */
export function accountUpdateEntries(valuation: AccountValuation): readonly AccountValueEntry[] {
  return [
    { key: "AccountCode", value: valuation.account, currency: "" },
    { key: "AccountReady", value: "true", currency: "" },
    ...ledgerValues(valuation, "BASE"),
    ...ledgerValues(valuation, BASE_CURRENCY),
    ...summaryValues(valuation),
  ];
}

/** The subset reqAccountUpdatesMulti sends with ledgerAndNLV: ledgers and net liquidation. */
export function ledgerAndNlvEntries(valuation: AccountValuation): readonly AccountValueEntry[] {
  return [
    ...ledgerValues(valuation, "BASE"),
    ...ledgerValues(valuation, BASE_CURRENCY),
    { key: "NetLiquidation", value: money(valuation.netLiquidation), currency: BASE_CURRENCY },
  ];
}
