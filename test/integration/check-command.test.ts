import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import { captureIo } from "../kit/capture-io.js";
import { startSim } from "./ib/ib-test-kit.js";

/** Lines of check output, with the address-dependent parts left in. */
function lines(text: string): string[] {
  return text.trim().split("\n");
}

describe("ibkr-trader check", () => {
  it("passes every step against the built-in gateway-sim and exits 0", async () => {
    const { io, stdout } = captureIo();
    const code = await runCli(["check", "--source", "sim", "--log-level", "silent"], io);
    const output = lines(stdout());
    expect(code).toBe(0);
    expect(output[0]).toMatch(/^checking the built-in gateway-sim on 127\.0\.0\.1:\d+$/);
    expect(output.slice(1, 6).map((line) => line.slice(0, 18))).toEqual([
      "PASS  connect     ",
      "PASS  accounts    ",
      "PASS  contract    ",
      "PASS  market data ",
      "PASS  history     ",
    ]);
    expect(output[1]).toContain("server version 193");
    expect(output[2]).toContain("DU***567; trading DU***567, a paper account as the paper profile expects");
    expect(output[3]).toContain("SPY is conId 756733");
    expect(output[4]).toContain("type 3 (delayed) in effect for SPY");
    expect(output[5]).toMatch(/^PASS {2}history {6}30 1-minute bars for SPY in the 30 minutes to /);
    expect(output.at(-1)).toBe("check: all 5 checks passed");
  });

  it("fails with the fix when TWS is not listening, skips the rest, and exits 1", async () => {
    const { sim, port } = await startSim();
    await sim.stop();
    const { io, stdout, stderr } = captureIo();
    const code = await runCli(["check", "--port", String(port), "--log-level", "silent"], io);
    const output = lines(stdout());
    expect(code).toBe(1);
    expect(output[1]).toMatch(
      new RegExp(
        `^FAIL  connect      TWS not listening on 127\\.0\\.0\\.1:${port}: enable the API in TWS settings`,
      ),
    );
    expect(output.slice(2).map((line) => line.slice(0, 4))).toEqual(["SKIP", "SKIP", "SKIP", "SKIP"]);
    expect(stderr()).toBe("ibkr-trader: check: 5 of 5 checks did not pass\n");
  });

  it("refuses a paper account under the live profile, naming the fix", async () => {
    const { io, stdout } = captureIo();
    const code = await runCli(["check", "--source", "sim", "--profile", "live", "--log-level", "silent"], io);
    expect(code).toBe(1);
    expect(stdout()).toContain(
      "FAIL  accounts     account DU***567 is a paper account but the profile is live: connect to the live TWS/Gateway (ports 7496/4001) or use --profile paper",
    );
  });

  it("names an unknown symbol and skips what needs a contract", async () => {
    const { io, stdout } = captureIo();
    const code = await runCli(
      ["check", "--source", "sim", "--symbols", "ZZZZQ", "--log-level", "silent"],
      io,
    );
    expect(code).toBe(1);
    expect(stdout()).toMatch(
      /FAIL {2}contract {5}IB knows no US stock "ZZZZQ" on SMART \(IB 200: .*\): check the symbol/,
    );
    expect(stdout()).toContain("SKIP  market data  no contract to ask about");
  });

  it("rejects a bad port as a usage error (exit 2) before connecting", async () => {
    const { io, stderr } = captureIo();
    const code = await runCli(["check", "--port", "seventy"], io);
    expect(code).toBe(2);
    expect(stderr()).toMatch(/^ibkr-trader: IBKR_PORT="seventy" \(from flag\) is invalid/);
  });
});
