import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const MAIN = join(ROOT, "dist/src/main.js");
const UNIT_TEMPLATE = join(ROOT, "deploy/systemd/ibkr-trader@.service");
const INSTALL_SCRIPT = join(ROOT, "scripts/install-systemd.sh");
const ECOSYSTEM = join(ROOT, "deploy/pm2/ecosystem.config.cjs");

/** Placeholder values the install script fills into the unit template. */
interface UnitPaths {
  readonly node: string;
  readonly prefix: string;
  readonly user: string;
}

/** The fields of one pm2 app this suite relies on. */
interface Pm2App {
  readonly name: string;
  readonly cwd: string;
  readonly script: string;
  readonly args: readonly string[];
  readonly exec_mode: string;
  readonly instances: number;
  readonly wait_ready: boolean;
  readonly listen_timeout: number;
  readonly kill_timeout: number;
  readonly autorestart: boolean;
  readonly stop_exit_codes: readonly number[];
  readonly time: boolean;
}

function hasTool(command: string): boolean {
  return spawnSync(command, ["--version"], { stdio: "ignore" }).status === 0;
}

const HAS_SYSTEMD_ANALYZE = hasTool("systemd-analyze");
const HAS_SHELLCHECK = hasTool("shellcheck");
// The script refuses a Node.js the hardened unit cannot see (ProtectHome=, PrivateTmp=), e.g. one from nvm.
const NODE_IS_SYSTEM_WIDE = !/^\/(home|root|tmp|var\/tmp|run\/user)\//.test(process.execPath);

/** A test name that says why it was skipped, for tests that need a tool this machine may lack. */
function needing(ready: boolean, why: string, name: string): string {
  return ready ? name : `${name} (skipped: ${why})`;
}

function renderUnit(paths: UnitPaths): string {
  return readFileSync(UNIT_TEMPLATE, "utf8")
    .replaceAll("@NODE@", paths.node)
    .replaceAll("@PREFIX@", paths.prefix)
    .replaceAll("@USER@", paths.user)
    .replaceAll("@GROUP@", paths.user);
}

/** Runs `systemd-analyze verify` on the unit as instance `ibkr-trader@paper`; returns its lines about us. */
function verify(unitText: string): { code: number | null; complaints: string[] } {
  const directory = mkdtempSync(join(tmpdir(), "ibkr-systemd-"));
  const unitPath = join(directory, "ibkr-trader@paper.service");
  writeFileSync(unitPath, unitText);
  const result = spawnSync("systemd-analyze", ["verify", "--man=no", unitPath], {
    encoding: "utf8",
    timeout: 30_000,
  });
  rmSync(directory, { recursive: true, force: true });
  // verify exits 0 on unknown keys and unparsable values, only warning on stderr, so the lines count.
  const complaints = `${result.stderr}${result.stdout}`
    .split("\n")
    .filter((line) => line.includes("ibkr-trader"));
  return { code: result.status, complaints };
}

function install(args: string[]) {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run make build (make test does it) first`);
  const result = spawnSync("bash", [INSTALL_SCRIPT, ...args], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "" },
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The unit a dry run prints between its marker lines. */
function unitFromDryRun(stdout: string): string {
  const match = /^----- \/etc\/systemd\/system\/ibkr-trader@\.service -----\n([\s\S]*?)^----- end of /m.exec(
    stdout,
  );
  if (match?.[1] === undefined) throw new Error(`no unit in the dry-run output:\n${stdout}`);
  return match[1];
}

function loadEcosystem(): Pm2App {
  const require = createRequire(import.meta.url);
  // Read afresh: the file reads IBKR_PROFILE and IBKR_TRADER_FLAGS when it is loaded.
  Reflect.deleteProperty(require.cache, require.resolve(ECOSYSTEM));
  const ecosystem = require(ECOSYSTEM) as { apps: Pm2App[] };
  expect(ecosystem.apps).toHaveLength(1);
  return ecosystem.apps[0]!;
}

describe("the systemd unit", () => {
  const inThisCheckout: UnitPaths = { node: process.execPath, prefix: ROOT, user: userInfo().username };

  it.runIf(HAS_SYSTEMD_ANALYZE)(
    needing(
      HAS_SYSTEMD_ANALYZE,
      "systemd-analyze is not installed",
      "passes systemd-analyze verify without a warning",
    ),
    () => {
      const { code, complaints } = verify(renderUnit(inThisCheckout));

      expect(complaints).toEqual([]);
      expect(code).toBe(0);
    },
  );

  it.runIf(HAS_SYSTEMD_ANALYZE)(
    needing(
      HAS_SYSTEMD_ANALYZE,
      "systemd-analyze is not installed",
      "is checked strictly enough that an unknown key is reported",
    ),
    () => {
      const { complaints } = verify(`${renderUnit(inThisCheckout)}\n[Service]\nRestartIfBored=yes\n`);

      expect(complaints.join("\n")).toContain("RestartIfBored");
    },
  );
});

describe("scripts/install-systemd.sh", () => {
  const prefix = `/opt/ibkr-trader-e2e-${process.pid}`;

  it.runIf(NODE_IS_SYSTEM_WIDE)(
    needing(
      NODE_IS_SYSTEM_WIDE,
      `node ${process.execPath} is under a home or temporary directory, which the script refuses`,
      "prints the unit with the install paths filled in on a dry run, and changes nothing",
    ),
    () => {
      const { code, stdout, stderr } = install([
        "--dry-run",
        "--prefix",
        prefix,
        "--profile",
        "paper",
        "--node",
        process.execPath,
      ]);

      expect(stderr).toBe("");
      expect(code).toBe(0);
      const unit = unitFromDryRun(stdout);
      expect(unit).toBe(renderUnit({ node: process.execPath, prefix, user: "ibkr-trader" }));
      expect(unit).toContain(
        `ExecStart=${process.execPath} ${prefix}/dist/src/main.js run --profile %i $IBKR_TRADER_FLAGS`,
      );
      expect(unit).not.toMatch(/@[A-Z]+@/);
      expect(stdout).toContain("sudo systemctl enable --now ibkr-trader@paper");
      expect(stdout).toContain("journalctl -u ibkr-trader@paper");
      expect(existsSync(prefix)).toBe(false);
    },
  );

  it("exits 2 with one line naming an unknown flag", () => {
    const { code, stdout, stderr } = install(["--dry-run", "--frobnicate"]);

    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toEqual([
      'install-systemd.sh: unknown argument "--frobnicate" (see --help)',
    ]);
  });

  it("refuses with exit 2 an install directory the hardened service could not see", () => {
    const { code, stderr } = install(["--dry-run", "--prefix", "/home/trader/ibkr-trader"]);

    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toContain("ProtectHome=");
  });

  it.runIf(HAS_SHELLCHECK)(
    needing(HAS_SHELLCHECK, "shellcheck is not installed", "passes shellcheck"),
    () => {
      const result = spawnSync("shellcheck", [INSTALL_SCRIPT], { encoding: "utf8" });

      expect(result.stdout).toBe("");
      expect(result.status).toBe(0);
    },
  );
});

describe("the pm2 ecosystem file", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("starts one forked paper daemon that pm2 waits for and stops gracefully", () => {
    vi.stubEnv("IBKR_PROFILE", undefined);
    vi.stubEnv("IBKR_TRADER_FLAGS", undefined);

    const app = loadEcosystem();

    expect(app.name).toBe("ibkr-trader");
    expect(resolve(app.cwd, app.script)).toBe(MAIN);
    expect(app.args).toEqual(["run", "--profile", "paper"]);
    expect(app.exec_mode).toBe("fork");
    expect(app.instances).toBe(1);
    expect(app.wait_ready).toBe(true);
    expect(app.listen_timeout).toBeGreaterThanOrEqual(60_000);
    // Longer than the daemon's default --stop-timeout of 30 s, or pm2 SIGKILLs a graceful stop.
    expect(app.kill_timeout).toBeGreaterThan(30_000);
    expect(app.autorestart).toBe(true);
    expect(app.stop_exit_codes).toEqual([2]);
    expect(app.time).toBe(false);
  });

  it("runs the live profile under its own name with the flags from IBKR_TRADER_FLAGS", () => {
    vi.stubEnv("IBKR_PROFILE", "live");
    vi.stubEnv("IBKR_TRADER_FLAGS", " --live  --read-only ");

    const app = loadEcosystem();

    expect(app.name).toBe("ibkr-trader-live");
    expect(app.args).toEqual(["run", "--profile", "live", "--live", "--read-only"]);
  });

  it("refuses a profile other than paper or live", () => {
    vi.stubEnv("IBKR_PROFILE", "demo");

    expect(() => loadEcosystem()).toThrow('IBKR_PROFILE="demo" is invalid: use paper or live');
  });
});
