import type { SimScheduler } from "../market/sim-scheduler.js";
import type { SessionContext } from "../server/request-handler.js";
import type { ActiveStreams } from "./active-streams.js";

/** What a periodic market-data stream needs: where it runs, how often, and what it sends each time. */
export interface PeriodicStream {
  readonly scheduler: SimScheduler;
  readonly session: SessionContext;
  readonly streams: ActiveStreams;
  readonly reqId: number;
  readonly intervalMs: number;
  /** Names the stream in the log line written if a tick fails. */
  readonly name: string;
  /** Sends what is due at `atMs`, the end of an interval aligned to the clock (a multiple of `intervalMs`). */
  readonly tick: (atMs: number) => void;
  /** Gives back what the stream holds (its market data line, its pacing slot) once it stops. */
  readonly release: () => void;
}

/**
 * Starts a stream that ticks at every multiple of `intervalMs` of simulated time after now, registers it
 * under its request id, and stops it (logging why) if a tick throws, so one bad stream cannot take the
 * session down.
 */
export function startPeriodicStream(stream: PeriodicStream): void {
  const { scheduler, session, streams, reqId, intervalMs } = stream;
  const firstMs = Math.floor(scheduler.clock.nowMs() / intervalMs) * intervalMs + intervalMs;
  const cancelTask = scheduler.every(intervalMs, firstMs, (atMs) => {
    try {
      stream.tick(atMs);
    } catch (error: unknown) {
      session.logger.warn(
        { sessionId: session.sessionId, reqId, error: String(error) },
        `${stream.name} stream failed; stopping it`,
      );
      streams.stop(reqId);
    }
  });
  streams.add(reqId, () => {
    cancelTask();
    stream.release();
  });
}
