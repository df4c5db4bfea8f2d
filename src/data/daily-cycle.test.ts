import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors.js";
import {
  DEFAULT_RESET_WINDOW,
  DailyCycleGuard,
  parseGatewayRestartTime,
  parseResetWindow,
  parseResetWindows,
  type DailyCycleOptions,
  type OutageClassifier,
} from "./daily-cycle.js";

const utc = (text: string): number => Date.parse(text);

function aGuard(options: Partial<DailyCycleOptions> = {}): DailyCycleGuard {
  return new DailyCycleGuard({
    resetWindows: parseResetWindows(DEFAULT_RESET_WINDOW),
    quietMarginMinutes: 10,
    ...options,
  });
}

/** The one-line ConfigError message `act` throws. */
function configMessage(act: () => unknown): string {
  try {
    act();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("DailyCycleGuard.ordersAllowed", () => {
  // January 2024: New York is on EST (UTC−5); the window 23:45–00:45 with 10 min is quiet 23:35–00:55.
  it("blocks new orders from exactly the margin before the reset window", () => {
    const guard = aGuard();
    expect(guard.ordersAllowed(utc("2024-01-11T04:34:59.999Z"))).toEqual({ allowed: true });
    expect(guard.ordersAllowed(utc("2024-01-11T04:35:00Z")).allowed).toBe(false);
  });

  it("allows new orders again exactly the margin after the window ends", () => {
    const guard = aGuard();
    expect(guard.ordersAllowed(utc("2024-01-11T05:54:59.999Z")).allowed).toBe(false);
    expect(guard.ordersAllowed(utc("2024-01-11T05:55:00Z"))).toEqual({ allowed: true });
  });

  it("blocks on both sides of midnight for a window that crosses it", () => {
    const guard = aGuard({ quietMarginMinutes: 0 });
    expect(guard.ordersAllowed(utc("2024-01-11T04:50:00Z")).allowed).toBe(false); // 23:50 New York
    expect(guard.ordersAllowed(utc("2024-01-11T05:30:00Z")).allowed).toBe(false); // 00:30 the next day
    expect(guard.ordersAllowed(utc("2024-01-11T17:00:00Z")).allowed).toBe(true); // noon
  });

  it("says which window blocks and until when", () => {
    expect(aGuard().ordersAllowed(utc("2024-01-11T05:00:00Z"))).toEqual({
      allowed: false,
      reason:
        "no new orders until 2024-01-11T05:55:00.000Z: IB's daily reset 23:45-00:45 America/New_York (±10 min)",
    });
  });

  it("moves the window with New York's March 2024 change to daylight saving", () => {
    const guard = aGuard();
    // Saturday night, still EST: 23:45 is 04:45Z, quiet until 00:55 EST = 05:55Z.
    expect(guard.ordersAllowed(utc("2024-03-10T05:54:59.999Z")).allowed).toBe(false);
    expect(guard.ordersAllowed(utc("2024-03-10T05:55:00Z")).allowed).toBe(true);
    // Sunday night, EDT: quiet from 23:35 EDT = 03:35Z to 00:55 EDT = 04:55Z.
    expect(guard.ordersAllowed(utc("2024-03-11T03:34:59.999Z")).allowed).toBe(true);
    expect(guard.ordersAllowed(utc("2024-03-11T03:35:00Z")).allowed).toBe(false);
    expect(guard.ordersAllowed(utc("2024-03-11T04:55:00Z")).allowed).toBe(true);
  });

  it("moves the window with New York's November 2024 change back to standard time", () => {
    const guard = aGuard();
    // Saturday night, still EDT: quiet 03:35Z–04:55Z.
    expect(guard.ordersAllowed(utc("2024-11-03T04:54:59.999Z")).allowed).toBe(false);
    expect(guard.ordersAllowed(utc("2024-11-03T04:55:00Z")).allowed).toBe(true);
    // Sunday night, EST: quiet 04:35Z–05:55Z.
    expect(guard.ordersAllowed(utc("2024-11-04T04:34:59.999Z")).allowed).toBe(true);
    expect(guard.ordersAllowed(utc("2024-11-04T04:35:00Z")).allowed).toBe(false);
    expect(guard.ordersAllowed(utc("2024-11-04T05:54:59.999Z")).allowed).toBe(false);
  });

  it("gives a window over the November change its extra hour and one over the March change one hour less", () => {
    const guard = aGuard({
      resetWindows: [parseResetWindow("01:00-03:00 America/New_York")],
      quietMarginMinutes: 0,
    });
    expect(guard.quietPeriodAt(utc("2024-11-03T06:00:00Z"))).toMatchObject({
      fromMs: utc("2024-11-03T05:00:00Z"), // 01:00 EDT
      toMs: utc("2024-11-03T08:00:00Z"), // 03:00 EST
    });
    expect(guard.quietPeriodAt(utc("2024-03-10T06:30:00Z"))).toMatchObject({
      fromMs: utc("2024-03-10T06:00:00Z"), // 01:00 EST
      toMs: utc("2024-03-10T07:00:00Z"), // 03:00 EDT
    });
  });

  it("blocks around the Gateway restart in TWS's own zone, across Europe's March 2024 change", () => {
    const guard = aGuard({
      resetWindows: [],
      gatewayRestart: { time: "23:50", timeZone: "Europe/Berlin", marginMinutes: 5 },
    });
    // 30 March, CET (UTC+1): quiet 23:45–23:55 = 22:45Z–22:55Z.
    expect(guard.ordersAllowed(utc("2024-03-30T22:44:59.999Z")).allowed).toBe(true);
    expect(guard.ordersAllowed(utc("2024-03-30T22:45:00Z")).allowed).toBe(false);
    expect(guard.ordersAllowed(utc("2024-03-30T22:55:00Z")).allowed).toBe(true);
    // 31 March, CEST (UTC+2): quiet 21:45Z–21:55Z.
    expect(guard.ordersAllowed(utc("2024-03-31T21:45:00Z")).allowed).toBe(false);
    expect(guard.ordersAllowed(utc("2024-03-31T22:45:00Z")).allowed).toBe(true);
  });

  it("uses the order quiet margin around the restart when it has none of its own", () => {
    const guard = aGuard({ resetWindows: [], gatewayRestart: { time: "06:00", timeZone: "UTC" } });
    expect(guard.ordersAllowed(utc("2024-05-01T05:49:59.999Z")).allowed).toBe(true);
    expect(guard.ordersAllowed(utc("2024-05-01T05:50:00Z")).allowed).toBe(false);
    expect(guard.ordersAllowed(utc("2024-05-01T06:10:00Z")).allowed).toBe(true);
  });

  it("joins a restart inside the reset window into one quiet period naming both", () => {
    const guard = aGuard({ gatewayRestart: { time: "00:50", timeZone: "America/New_York" } });
    expect(guard.quietPeriodAt(utc("2024-01-11T05:00:00Z"))).toEqual({
      fromMs: utc("2024-01-11T04:35:00Z"),
      toMs: utc("2024-01-11T06:00:00Z"),
      reason:
        "IB's daily reset 23:45-00:45 America/New_York (±10 min) and " +
        "the Gateway restart at 00:50 America/New_York (±10 min)",
    });
  });

  it("applies a window limited to Fridays only on Friday nights", () => {
    const guard = aGuard({
      resetWindows: [parseResetWindow("23:00-03:00 America/New_York Fri")],
      quietMarginMinutes: 0,
    });
    expect(guard.ordersAllowed(utc("2024-01-13T06:00:00Z")).allowed).toBe(false); // Sat 01:00, after Friday
    expect(guard.ordersAllowed(utc("2024-01-12T06:00:00Z")).allowed).toBe(true); // Fri 01:00, after Thursday
  });

  it("allows orders at any time without windows or a restart", () => {
    const guard = aGuard({ resetWindows: [] });
    expect(guard.ordersAllowed(utc("2024-01-11T05:00:00Z"))).toEqual({ allowed: true });
  });
});

describe("DailyCycleGuard outages", () => {
  it("explains an outage inside the reset window", () => {
    expect(aGuard().expectedOutage(utc("2024-01-11T05:00:00Z"))).toBe(
      "IB's daily reset 23:45-00:45 America/New_York (±10 min)",
    );
  });

  it("does not explain an outage in the afternoon", () => {
    expect(aGuard().expectedOutage(utc("2024-01-11T20:00:00Z"))).toBeUndefined();
  });

  it.each([
    { kind: "disconnected" } as const,
    { kind: "feedStalled", symbol: "ES" } as const,
    { kind: "ibCode", code: 1100 } as const,
    { kind: "ibCode", code: 2103 } as const,
    { kind: "ibCode", code: 2105 } as const,
  ])("logs %o at info inside the reset window and alarms outside it", (signal) => {
    const guard = aGuard();
    expect(guard.classifyOutage(signal, utc("2024-01-11T05:00:00Z"))).toEqual({
      level: "info",
      reason: "IB's daily reset 23:45-00:45 America/New_York (±10 min)",
    });
    expect(guard.classifyOutage(signal, utc("2024-01-11T20:00:00Z"))?.level).toBe("alarm");
  });

  it("classifies when handed on as a free function, as the adapters take it", () => {
    const classify: OutageClassifier = aGuard().classifyOutage;
    expect(classify({ kind: "disconnected" }, utc("2024-01-11T05:00:00Z"))?.level).toBe("info");
  });

  it("gives the Gateway restart as the reason around the configured restart time", () => {
    const guard = aGuard({
      resetWindows: [],
      gatewayRestart: { time: "15:00", timeZone: "America/New_York" },
    });
    expect(guard.classifyOutage({ kind: "ibCode", code: 2110 }, utc("2024-01-11T20:05:00Z"))).toEqual({
      level: "info",
      reason: "the Gateway restart at 15:00 America/New_York (±10 min)",
    });
  });

  it("leaves IB codes that are no outage, such as 1102 restored, unclassified", () => {
    expect(
      aGuard().classifyOutage({ kind: "ibCode", code: 1102 }, utc("2024-01-11T05:00:00Z")),
    ).toBeUndefined();
  });
});

describe("parseResetWindow", () => {
  it("reads the default window", () => {
    expect(parseResetWindow(DEFAULT_RESET_WINDOW)).toEqual({
      start: "23:45",
      end: "00:45",
      timeZone: "America/New_York",
    });
  });

  it("reads start days, with ranges that wrap past Saturday", () => {
    expect(parseResetWindow("23:45-00:45 America/New_York Sat-Thu").days).toEqual([0, 1, 2, 3, 4, 6]);
    expect(parseResetWindow("23:00-03:00 America/New_York fri").days).toEqual([5]);
  });

  it("reads a comma-separated list, and none", () => {
    expect(parseResetWindows("23:45-00:45 America/New_York, 05:45-06:45 Europe/Zurich")).toHaveLength(2);
    expect(parseResetWindows("none")).toEqual([]);
  });

  it.each([
    ["23:45 America/New_York", "is not a window"],
    ["24:00-00:45 America/New_York", "needs times from 00:00 to 23:59"],
    ["23:45-23:45 America/New_York", "starts and ends at the same time"],
    ["23:45-00:45 New_York", 'names an unknown time zone "New_York"'],
    ["23:45-00:45 America/New_York Friday", 'has unreadable days "Friday"'],
  ])("refuses %s in one line naming the key and the fix", (text, why) => {
    const message = configMessage(() => parseResetWindow(text));
    expect(message).toContain(`IB_RESET_WINDOW: "${text}" ${why}`);
    expect(message).toContain('write HH:MM-HH:MM <IANA zone> [days], e.g. "23:45-00:45 America/New_York"');
    expect(message).not.toContain("\n");
  });
});

describe("parseGatewayRestartTime", () => {
  it("reads a time in TWS's zone", () => {
    expect(parseGatewayRestartTime("23:50", "Europe/Berlin")).toEqual({
      time: "23:50",
      timeZone: "Europe/Berlin",
    });
  });

  it("reads an empty text as no restart", () => {
    expect(parseGatewayRestartTime("  ", "America/New_York")).toBeUndefined();
  });

  it("refuses a time without a colon, naming the key", () => {
    expect(configMessage(() => parseGatewayRestartTime("2350", "America/New_York"))).toBe(
      'GATEWAY_RESTART_TIME: "2350" is not a time; write HH:MM as set in TWS / Gateway "Auto restart", e.g. 23:50, or leave it empty',
    );
  });
});

describe("DailyCycleGuard options", () => {
  it("refuses a quiet margin beyond two hours", () => {
    expect(configMessage(() => aGuard({ quietMarginMinutes: 500 }))).toBe(
      "ORDER_QUIET_MINUTES (quietMarginMinutes) must be a whole number of minutes from 0 to 120, got 500",
    );
  });

  it("checks windows built in code like configured ones", () => {
    expect(
      configMessage(() =>
        aGuard({ resetWindows: [{ start: "23:45", end: "00:45", timeZone: "Nowhere/Land" }] }),
      ),
    ).toContain('names an unknown time zone "Nowhere/Land"');
  });
});
