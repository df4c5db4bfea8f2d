// pm2 process file for the ibkr-trader daemon: npx pm2 start deploy/pm2/ecosystem.config.cjs
// CommonJS (.cjs) because pm2 require()s its process files and the package is "type": "module".
// Run `make build` first: pm2 starts the compiled dist/src/main.js.
//
// IBKR_PROFILE=live chooses the live profile (app ibkr-trader-live, so it never shares a name with the
// paper app); IBKR_TRADER_FLAGS adds flags to `run` (e.g. "--live", "--read-only"). Both, and any
// secret such as IBKR_LIVE_CONFIRM, are read from the shell that runs `pm2 start`.
"use strict";

const path = require("node:path");

// Unset or empty means paper, as for the daemon itself.
const profile = process.env.IBKR_PROFILE || "paper";
if (profile !== "paper" && profile !== "live") {
  throw new Error(`IBKR_PROFILE="${profile}" is invalid: use paper or live`);
}
const extraFlags = (process.env.IBKR_TRADER_FLAGS ?? "").split(/\s+/).filter((flag) => flag !== "");

module.exports = {
  apps: [
    {
      name: profile === "paper" ? "ibkr-trader" : `ibkr-trader-${profile}`,
      // The repository root: the daemon reads .env.ibkr.<profile> and .env from its working directory.
      cwd: path.resolve(__dirname, "..", ".."),
      script: "dist/src/main.js",
      args: ["run", "--profile", profile, ...extraFlags],
      // Exactly one process, forked: the daemon holds one fixed IB client id and one state file, so a
      // second copy (cluster mode, instances > 1) would be refused by IB (326) or fight over orders.
      exec_mode: "fork",
      instances: 1,
      // Online only after the daemon calls process.send("ready"): reconciled and trading.
      wait_ready: true,
      // How long `pm2 start` waits for "ready" before calling the app online anyway (warm-up of bars and
      // reconciliation can take a minute or two). It does not kill a slow starter.
      listen_timeout: 120_000,
      // pm2 stops with SIGINT, which the daemon treats like SIGTERM: stop new orders, save, disconnect
      // within --stop-timeout (30 s). SIGKILL follows only after kill_timeout, so it must be longer.
      kill_timeout: 45_000,
      // Restart after a crash, 10 s later (TWS may still hold the client id of the dead process).
      // restart_delay rather than exp_backoff_restart_delay: the latter overrides it and starts small.
      autorestart: true,
      restart_delay: 10_000,
      // A process that dies within min_uptime counts as unstable; after max_restarts unstable starts in
      // a row pm2 stops trying (status errored) so a crash loop near an order path waits for a person.
      min_uptime: 60_000,
      max_restarts: 5,
      // Exit 2 is a configuration or live-interlock refusal: restarting cannot fix it.
      stop_exit_codes: [2],
      // A process file for a live trader must not restart it because a file changed.
      watch: false,
      // One log file per stream, without the instance id suffix.
      merge_logs: true,
      // pino already puts an epoch-millisecond "time" in every line.
      time: false,
      env: {
        NODE_ENV: "production",
      },
    },
  ],
};
