import type { Logger } from "pino";
import { GatewaySim, type GatewaySimClockOptions } from "../gateway-sim/gateway-sim.js";

/** A gateway simulator started in this process for `--source sim`, and how to reach and stop it. */
export interface EmbeddedGateway {
  readonly sim: GatewaySim;
  readonly host: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Starts gateway-sim on a loopback port the OS chooses: the daemon then talks to it through the same TWS
 * code path as to a real Gateway. Its log lines go to `logger` at debug level.
 */
export async function startEmbeddedGateway(options: {
  readonly logger: Logger;
  readonly clock?: GatewaySimClockOptions;
  readonly seed?: number;
  readonly accounts?: readonly string[];
  readonly liveData?: boolean;
  readonly syntheticInstruments?: number;
}): Promise<EmbeddedGateway> {
  const log = options.logger.child({ component: "gateway-sim" });
  const sim = GatewaySim.create({
    host: "127.0.0.1",
    port: 0,
    clock: options.clock ?? { mode: "real-time" },
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.accounts === undefined ? {} : { accounts: options.accounts }),
    liveData: options.liveData ?? false,
    ...(options.syntheticInstruments === undefined
      ? {}
      : { syntheticInstruments: options.syntheticInstruments }),
    logger: {
      info: (fields, message) => {
        log.debug(fields, message);
      },
      warn: (fields, message) => {
        log.debug(fields, message);
      },
      debug: (fields, message) => {
        log.trace(fields, message);
      },
    },
  });
  const { port } = await sim.start();
  return { sim, host: "127.0.0.1", port, stop: () => sim.stop() };
}
