/** Masks an IB account id for logs and output: `DU1234567` → `DU***567`; never log a full account number. */
export function maskAccountId(accountId: string): string {
  if (accountId.length <= 5) return `${accountId.slice(0, 1)}***`;
  return `${accountId.slice(0, 2)}***${accountId.slice(-3)}`;
}

/** IB paper accounts start with DU (a convention, not a documented rule: ibkr-facts.md §5.4). */
export function isPaperAccountId(accountId: string): boolean {
  return /^DU/i.test(accountId.trim());
}
