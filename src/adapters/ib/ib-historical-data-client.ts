import type { Logger } from "pino";
import { GatewayError, PacingViolationError } from "../../core/errors.js";
import type { Scheduler } from "../../core/scheduler.js";
import type { HistoricalDataPort, HistoricalRequest } from "../../data/historical-request.js";
import { makeBar, type Bar } from "../../model/bar.js";
import { ibBarSizeSetting } from "./ib-enums.js";
import { isPacingViolation } from "./ib-error-codes.js";
import type { IbRequests } from "./ib-requests.js";
import { formatIbEndDateTime, parseIbBarTime } from "./ib-time-format.js";

/** The 162 texts that mean "the query was fine, there is just nothing there" (a holiday, a halt). */
const NO_DATA = /HMDS query returned no data|no data/i;

/**
 * Historical bars from IB, one reqHistoricalData per call (the pacer decides when): formatDate 2, no
 * keepUpToDate, the end as a UTC instant. A 162 pacing violation rejects with PacingViolationError, "no data"
 * resolves empty, a timeout cancels at IB and rejects with GATEWAY_TIMEOUT, a dropped session rejects with
 * GATEWAY_DISCONNECTED (the request is dead at IB too; the pacer sends it again after the reconnect).
 */
export class IbHistoricalDataClient implements HistoricalDataPort {
  constructor(
    private readonly requests: IbRequests,
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {}

  fetchHistory(request: HistoricalRequest, onSent?: () => void): Promise<readonly Bar[]> {
    return new Promise<readonly Bar[]>((resolve, reject) => {
      const bars: Bar[] = [];
      let settled = false;
      let malformed = 0;
      const finish = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        cancelTimeout();
        open.close();
        outcome();
      };
      const open = this.requests.send(
        {
          historicalData: (time, openPrice, high, low, close, volume) => {
            if (time.startsWith("finished")) {
              finish(() => {
                if (malformed > 0) {
                  this.logger.warn(
                    { event: "history.malformed_bars", symbol: request.symbol, count: malformed },
                    "IB sent bars with unreadable dates; they were skipped",
                  );
                }
                resolve(bars);
              });
              return;
            }
            const span = parseIbBarTime(time, request.barSeconds);
            if (span === undefined) {
              malformed += 1;
              return;
            }
            bars.push(
              makeBar({
                symbol: request.symbol,
                openTime: span.openTime,
                closeTime: span.closeTime,
                open: openPrice,
                high,
                low,
                close,
                volume: Math.max(0, volume),
              }),
            );
          },
          error: (code, message) => {
            if (code >= 2100 && code < 3000) return;
            finish(() => {
              if (isPacingViolation(code, message)) {
                reject(
                  new PacingViolationError(`history for ${request.symbol} refused for pacing: ${message}`),
                );
              } else if ((code === 162 || code === 165) && NO_DATA.test(message)) {
                resolve([]);
              } else {
                reject(
                  new GatewayError(
                    "IB_REQUEST_REJECTED",
                    `history for ${request.symbol} (${request.barSizeSetting}, ${request.durationStr} to ${formatIbEndDateTime(request.endMs)}) refused: IB ${code} ${message}`,
                    { ibCode: code },
                  ),
                );
              }
            });
          },
          sessionEnded: (reason) => {
            finish(() => {
              reject(
                new GatewayError("GATEWAY_DISCONNECTED", `history for ${request.symbol} lost: ${reason}`),
              );
            });
          },
        },
        (api, reqId) => {
          api.reqHistoricalData(
            reqId,
            { conId: request.conId, exchange: request.exchange },
            formatIbEndDateTime(request.endMs),
            request.durationStr,
            ibBarSizeSetting(request.barSizeSetting),
            request.whatToShow,
            request.useRth ? 1 : 0,
            2,
            false,
          );
        },
        onSent,
      );
      const cancelTimeout = this.scheduler.setTimer(this.timeoutMs, () => {
        finish(() => {
          this.requests.cancel(open, (api, reqId) => api.cancelHistoricalData(reqId));
          reject(
            new GatewayError(
              "GATEWAY_TIMEOUT",
              `history for ${request.symbol} got no answer in ${this.timeoutMs} ms (raise IBKR_HISTORICAL_DATA_TIMEOUT if IB is slow)`,
            ),
          );
        });
      });
    });
  }
}
