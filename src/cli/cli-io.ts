/** The process surroundings a command runs in, injected so tests can run commands in-process. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /**
   * Resolves with the signal's name when a long-running command (gateway-sim) is asked to stop; default
   * the process's first SIGINT or SIGTERM. Tests stop a command in-process with it.
   */
  readonly untilShutdown?: () => Promise<string>;
}
