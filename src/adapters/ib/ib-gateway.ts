import type { Logger } from "pino";
import type { IbkrConfig } from "../../config/config.js";
import type { Rng } from "../../core/rng.js";
import type { Scheduler } from "../../core/scheduler.js";
import type { OutageClassifier } from "../../data/daily-cycle.js";
import { CONNECTION_DEFAULTS, IbConnection, type IbConnectionOptions } from "./ib-connection.js";
import { IbContractClient } from "./ib-contract-client.js";
import { IbHistoricalDataClient } from "./ib-historical-data-client.js";
import { IbMarketDataClient } from "./ib-market-data-client.js";
import { IbRequests } from "./ib-requests.js";

/** What the IB adapter needs besides the connection settings. */
export interface IbGatewayDependencies {
  readonly scheduler: Scheduler;
  readonly rng: Rng;
  readonly logger: Logger;
  /** Which connection outages are expected (IB's daily cycle) and logged at info; absent: all are alarms. */
  readonly classifyOutage?: OutageClassifier | undefined;
  /** Overrides for the connection's heartbeat and clash policy (tests). */
  readonly connection?: Partial<
    Pick<IbConnectionOptions, "heartbeatIntervalMs" | "heartbeatTimeoutMs" | "clientIdInUseRetries">
  >;
}

/** The IB adapter as one object: a connection and the clients that talk over it. */
export class IbGateway {
  readonly connection: IbConnection;
  readonly requests: IbRequests;
  readonly contracts: IbContractClient;
  readonly history: IbHistoricalDataClient;
  readonly marketData: IbMarketDataClient;

  constructor(config: IbkrConfig, dependencies: IbGatewayDependencies) {
    const { scheduler, rng, logger } = dependencies;
    this.connection = new IbConnection({
      host: config.host,
      port: config.port,
      clientId: config.clientId,
      connectTimeoutMs: config.connectTimeoutMs,
      autoReconnect: config.autoReconnect,
      maxReconnectAttempts: config.maxReconnectAttempts,
      reconnectDelayMs: config.reconnectDelayMs,
      maxReconnectDelayMs: config.maxReconnectDelayMs,
      maxRequestsPerSecond: config.maxRequestsPerSecond,
      ...CONNECTION_DEFAULTS,
      ...dependencies.connection,
      scheduler,
      rng,
      logger: logger.child({ component: "ib-connection" }),
      classifyOutage: dependencies.classifyOutage,
    });
    this.requests = new IbRequests(this.connection);
    this.contracts = new IbContractClient(this.requests, scheduler, logger);
    this.history = new IbHistoricalDataClient(
      this.requests,
      scheduler,
      logger,
      config.historicalDataTimeoutMs,
    );
    this.marketData = new IbMarketDataClient(this.requests, logger);
  }
}
