/** How long an integration test waits for one event before it fails. */
export const EVENT_TIMEOUT_MS = 5_000;

/**
 * Resolves with the first value `subscribe` delivers, or fails with a message naming `description` after
 * `timeoutMs`; `subscribe` returns its unsubscribe function, called either way.
 */
export function waitFor<T>(
  description: string,
  subscribe: (resolve: (value: T) => void, reject: (error: Error) => void) => () => void,
  timeoutMs = EVENT_TIMEOUT_MS,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const state = { settled: false };
    const cleanups: (() => void)[] = [];
    const settle = (finish: () => void): void => {
      if (state.settled) return;
      state.settled = true;
      for (const cleanup of cleanups.splice(0)) cleanup();
      finish();
    };
    const timer = setTimeout(() => {
      settle(() => {
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${description}`));
      });
    }, timeoutMs);
    cleanups.push(() => {
      clearTimeout(timer);
    });
    const unsubscribe = subscribe(
      (value) => {
        settle(() => {
          resolve(value);
        });
      },
      (error) => {
        settle(() => {
          reject(error);
        });
      },
    );
    // subscribe may have delivered synchronously, before its unsubscribe function existed.
    if (state.settled) unsubscribe();
    else cleanups.push(unsubscribe);
  });
}
