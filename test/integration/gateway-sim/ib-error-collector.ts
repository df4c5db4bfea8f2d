import { EventName, type IBApi, type IBApiNext } from "@stoqey/ib";
import type { Subscription } from "rxjs";
import { expect } from "vitest";

/** @stoqey/ib's code for "unprocessed data left on queue" and "underrun" decoding errors (ibkr-facts.md §2). */
export const DECODING_ERROR_CODE = 505;

/** One error event a client emitted. */
export interface CollectedIbError {
  readonly client: string;
  readonly code: number;
  readonly reqId: number;
  readonly message: string;
}

/** Records every error event of the clients it watches, so a test can assert that none was a 505. */
export class IbErrorCollector {
  readonly errors: CollectedIbError[] = [];
  private readonly subscriptions: Subscription[] = [];

  /** Records the `error` events of an IBApi. */
  watch(api: IBApi, client: string): void {
    api.on(EventName.error, (error: Error, code: number, reqId: number) => {
      this.errors.push({ client, code, reqId, message: error.message });
    });
  }

  /** Records the errors an IBApiNext publishes. */
  watchNext(api: IBApiNext, client: string): void {
    this.subscriptions.push(
      api.error.subscribe((error) => {
        this.errors.push({ client, code: error.code, reqId: error.reqId, message: error.error.message });
      }),
    );
  }

  /** Fails the test if any watched client reported a decoding error. */
  expectNoDecodingErrors(): void {
    expect(this.errors.filter((error) => error.code === DECODING_ERROR_CODE)).toEqual([]);
  }

  /** Stops listening to IBApiNext error streams. */
  dispose(): void {
    for (const subscription of this.subscriptions.splice(0)) subscription.unsubscribe();
  }
}
