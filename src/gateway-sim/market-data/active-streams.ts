/** The streams of one kind a session has open, by request id, each with the function that stops it. */
export class ActiveStreams {
  private readonly stops = new Map<number, () => void>();

  /** Whether a stream with this request id is open. */
  has(reqId: number): boolean {
    return this.stops.has(reqId);
  }

  /** Number of open streams. */
  get size(): number {
    return this.stops.size;
  }

  /** Records an open stream; the caller has checked that `reqId` is free. */
  add(reqId: number, stop: () => void): void {
    this.stops.set(reqId, stop);
  }

  /** Stops and forgets the stream with this id; returns false when there was none. */
  stop(reqId: number): boolean {
    const stop = this.stops.get(reqId);
    if (stop === undefined) return false;
    this.stops.delete(reqId);
    stop();
    return true;
  }

  /** Forgets the stream with this id without stopping it (it ended by itself). */
  forget(reqId: number): void {
    this.stops.delete(reqId);
  }

  /** Stops every stream. */
  stopAll(): void {
    for (const reqId of [...this.stops.keys()]) this.stop(reqId);
  }
}
