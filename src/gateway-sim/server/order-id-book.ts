/**
 * The next valid order id per client id. It outlives sessions, as TWS keeps the sequence across
 * reconnects (ibkr-facts.md §5.2).
 */
export class OrderIdBook {
  private readonly nextIds = new Map<number, number>();
  private readonly firstOrderId: number;

  constructor(firstOrderId: number) {
    this.firstOrderId = firstOrderId;
  }

  /** The lowest order id `clientId` may use next. */
  nextValidId(clientId: number): number {
    return this.nextIds.get(clientId) ?? this.firstOrderId;
  }

  /** Records that `clientId` used `orderId`, so later ids must be higher. */
  markUsed(clientId: number, orderId: number): void {
    this.nextIds.set(clientId, Math.max(this.nextValidId(clientId), orderId + 1));
  }

  /**
   * Hands out lower ids again, as a restarted Gateway can (nextValidId rolled back from 38103 to 38099 in
   * Lean issue #242): every client's next id drops by `by`, never below the first id.
   */
  rollBack(by: number): void {
    for (const [clientId, nextId] of this.nextIds) {
      this.nextIds.set(clientId, Math.max(this.firstOrderId, nextId - by));
    }
  }
}
