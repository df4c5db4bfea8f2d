/** The structured logger the simulator writes to: pino-compatible `(fields, message)` calls. */
export interface GatewaySimLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
}

/** A logger that drops everything: the default when the caller passes none. */
export const silentLogger: GatewaySimLogger = {
  info: () => undefined,
  warn: () => undefined,
  debug: () => undefined,
};
