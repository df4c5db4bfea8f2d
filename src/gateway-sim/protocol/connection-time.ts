/**
 * Formats the connection time TWS puts in its handshake reply, `yyyyMMdd HH:mm:ss <zone>`
 * (ibkr-facts.md §1.3). The simulator always reports UTC; clients treat the zone as opaque text.
 */
export function formatConnectionTime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString(); // e.g. 2024-01-02T15:04:05.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)} ${iso.slice(11, 19)} UTC`;
}
