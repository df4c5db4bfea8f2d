import { SecType, type ContractDetails } from "@stoqey/ib";
import type { Logger } from "pino";
import { GatewayError } from "../../core/errors.js";
import type { Scheduler } from "../../core/scheduler.js";
import type { QualifiedContract } from "../../model/qualified-contract.js";
import type { IbRequests } from "./ib-requests.js";

/** Looks a symbol up with reqContractDetails; one request per call, no caching (ContractResolver caches). */
export class IbContractClient {
  constructor(
    private readonly requests: IbRequests,
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
    private readonly timeoutMs = 15_000,
  ) {}

  /**
   * The US stock `symbol` on SMART in USD, qualified: rejects with CONTRACT_UNKNOWN (IB 200), CONTRACT_AMBIGUOUS
   * (several matches), GATEWAY_TIMEOUT or GATEWAY_DISCONNECTED.
   */
  lookup(symbol: string): Promise<QualifiedContract> {
    return new Promise<QualifiedContract>((resolve, reject) => {
      const found: ContractDetails[] = [];
      let settled = false;
      const finish = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        cancelTimeout();
        request.close();
        outcome();
      };
      const request = this.requests.send(
        {
          contractDetails: (details) => found.push(details),
          contractDetailsEnd: () => {
            finish(() => {
              this.settle(symbol, found, resolve, reject);
            });
          },
          error: (code, message) => {
            if (code >= 2100 && code < 3000) return;
            finish(() => {
              reject(
                code === 200
                  ? new GatewayError(
                      "CONTRACT_UNKNOWN",
                      `IB knows no US stock "${symbol}" on SMART (IB 200: ${message}): check the symbol`,
                      { ibCode: code },
                    )
                  : new GatewayError(
                      "IB_REQUEST_REJECTED",
                      `contract lookup for ${symbol} failed: IB ${code} ${message}`,
                      {
                        ibCode: code,
                      },
                    ),
              );
            });
          },
          sessionEnded: (reason) => {
            finish(() => {
              reject(
                new GatewayError("GATEWAY_DISCONNECTED", `contract lookup for ${symbol} lost: ${reason}`),
              );
            });
          },
        },
        (api, reqId) => {
          api.reqContractDetails(reqId, { symbol, secType: SecType.STK, exchange: "SMART", currency: "USD" });
        },
      );
      const cancelTimeout = this.scheduler.setTimer(this.timeoutMs, () => {
        finish(() => {
          reject(
            new GatewayError(
              "GATEWAY_TIMEOUT",
              `contract lookup for ${symbol} got no answer in ${this.timeoutMs} ms`,
            ),
          );
        });
      });
    });
  }

  private settle(
    symbol: string,
    found: readonly ContractDetails[],
    resolve: (contract: QualifiedContract) => void,
    reject: (error: GatewayError) => void,
  ): void {
    const conIds = new Set(found.map((details) => details.contract.conId));
    if (found.length === 0) {
      reject(
        new GatewayError("CONTRACT_UNKNOWN", `IB returned no contract for "${symbol}": check the symbol`),
      );
      return;
    }
    if (conIds.size > 1) {
      const listings = found.map(
        (details) => `${details.contract.primaryExch ?? "?"} conId ${details.contract.conId ?? "?"}`,
      );
      reject(
        new GatewayError(
          "CONTRACT_AMBIGUOUS",
          `"${symbol}" matches ${conIds.size} contracts (${listings.join(", ")}): trade one of them by its primary exchange`,
        ),
      );
      return;
    }
    const details = found[0];
    const conId = details?.contract.conId;
    if (details === undefined || conId === undefined) {
      reject(new GatewayError("IB_REQUEST_REJECTED", `IB's contract details for ${symbol} carry no conId`));
      return;
    }
    const contract: QualifiedContract = Object.freeze({
      symbol,
      conId,
      secType: "STK",
      exchange: "SMART",
      primaryExchange: details.contract.primaryExch ?? "",
      currency: details.contract.currency ?? "USD",
      localSymbol: details.contract.localSymbol ?? symbol,
      longName: details.longName ?? "",
      minTick: details.minTick ?? 0.01,
      timeZoneId: details.timeZoneId ?? "America/New_York",
      tradingHours: details.tradingHours ?? "",
      liquidHours: details.liquidHours ?? "",
      fetchedAtMs: this.scheduler.nowMs(),
    });
    this.logger.debug(
      { event: "contract.qualified", symbol, conId, primaryExchange: contract.primaryExchange },
      "contract qualified",
    );
    resolve(contract);
  }
}
