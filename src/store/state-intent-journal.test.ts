import { Decimal } from "decimal.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvariantError } from "../core/errors.js";
import type { OrderIntent } from "../model/order.js";
import { StateStore } from "./state-store.js";

const T0 = Date.UTC(2025, 3, 15, 14, 30);
const ID = "sma-20250415-0001";

const anIntent = (overrides: Partial<OrderIntent> = {}): OrderIntent => ({
  intentId: ID,
  strategy: "sma-cross",
  symbol: "SPY",
  side: "BUY",
  quantity: new Decimal("10"),
  type: "MARKET",
  timeInForce: "DAY",
  createdAt: T0,
  ...overrides,
});

describe("StateStore intents", () => {
  let store: StateStore;

  beforeEach(() => {
    store = StateStore.open(":memory:", { mode: "paper", account: "DU1234567" });
  });

  afterEach(() => {
    store.close();
  });

  it("reads back every field of a recorded intent exactly, with status written", () => {
    const intent = anIntent({
      side: "SELL",
      quantity: new Decimal("0.123456789012345678901234"),
      type: "STOP",
      limitPrice: 0.1 + 0.2,
      stopPrice: 499.99,
      timeInForce: "GTC",
      reason: "stop loss",
    });
    store.recordIntent(intent);
    const stored = store.intent(ID);
    expect(stored).toEqual({ intent, status: "written" });
    expect(stored?.intent.quantity.toFixed()).toBe("0.123456789012345678901234");
    expect(stored?.intent.limitPrice).toBe(0.1 + 0.2);
  });

  it("omits the optional fields an intent did not have", () => {
    store.recordIntent(anIntent());
    const intent = store.intent(ID)?.intent;
    expect(intent).toBeDefined();
    expect(Object.keys(intent ?? {})).not.toContain("limitPrice");
    expect(Object.keys(intent ?? {})).not.toContain("reason");
  });

  it("refuses a second intent with the same id", () => {
    store.recordIntent(anIntent());
    expect(() => {
      store.recordIntent(anIntent({ symbol: "QQQ" }));
    }).toThrow(InvariantError);
    expect(store.intent(ID)?.intent.symbol).toBe("SPY");
  });

  it("walks written → sent → acknowledged → filled, keeping each step's id and time", () => {
    store.recordIntent(anIntent());
    expect(store.markSent(ID, 101, T0 + 1)).toBe(true);
    expect(store.markAcknowledged(ID, 987654321, T0 + 2)).toBe(true);
    expect(store.markTerminal(ID, { status: "filled" }, T0 + 3)).toBe(true);
    expect(store.intent(ID)).toEqual({
      intent: anIntent(),
      status: "filled",
      ibOrderId: 101,
      sentAtMs: T0 + 1,
      permId: 987654321,
      acknowledgedAtMs: T0 + 2,
      endedAtMs: T0 + 3,
    });
    expect(store.intentByIbOrderId(101)?.intent.intentId).toBe(ID);
  });

  it("keeps IB's code and reason of a rejection", () => {
    store.recordIntent(anIntent());
    store.markSent(ID, 101, T0 + 1);
    store.markTerminal(ID, { status: "rejected", code: 201, reason: "Order rejected - margin" }, T0 + 2);
    expect(store.intent(ID)).toMatchObject({
      status: "rejected",
      endCode: 201,
      endReason: "Order rejected - margin",
    });
  });

  it("lets an intent that was never sent end as cancelled, but not as filled", () => {
    store.recordIntent(anIntent());
    store.recordIntent(anIntent({ intentId: "other" }));
    expect(() => store.markTerminal("other", { status: "filled" }, T0 + 1)).toThrow(InvariantError);
    expect(store.markTerminal(ID, { status: "cancelled", reason: "not found at IB" }, T0 + 1)).toBe(true);
    expect(store.intent(ID)?.status).toBe("cancelled");
  });

  it("treats a repeated step with the same value as a duplicate that changes nothing", () => {
    store.recordIntent(anIntent());
    store.markSent(ID, 101, T0 + 1);
    store.markAcknowledged(ID, 555, T0 + 2);
    store.markTerminal(ID, { status: "filled" }, T0 + 3);
    expect(store.markSent(ID, 101, T0 + 9)).toBe(false);
    expect(store.markAcknowledged(ID, 555, T0 + 9)).toBe(false);
    expect(store.markTerminal(ID, { status: "filled" }, T0 + 9)).toBe(false);
    expect(store.intent(ID)).toMatchObject({ sentAtMs: T0 + 1, acknowledgedAtMs: T0 + 2, endedAtMs: T0 + 3 });
  });

  const sent = (s: StateStore): void => {
    s.markSent(ID, 101, T0);
  };
  const acknowledged = (s: StateStore): void => {
    sent(s);
    s.markAcknowledged(ID, 5, T0);
  };
  const cancelledUnsent = (s: StateStore): void => {
    s.markTerminal(ID, { status: "cancelled" }, T0);
  };
  const filled = (s: StateStore): void => {
    acknowledged(s);
    s.markTerminal(ID, { status: "filled" }, T0);
  };
  it.each([
    [
      "acknowledging an intent that was never sent",
      () => undefined,
      (s: StateStore) => s.markAcknowledged(ID, 5, T0),
    ],
    ["sending an intent again under another order id", sent, (s: StateStore) => s.markSent(ID, 102, T0)],
    ["acknowledging with a different permId", acknowledged, (s: StateStore) => s.markAcknowledged(ID, 6, T0)],
    [
      "ending a filled intent as cancelled",
      filled,
      (s: StateStore) => s.markTerminal(ID, { status: "cancelled" }, T0),
    ],
    [
      "sending an intent that ended before it was sent",
      cancelledUnsent,
      (s: StateStore) => s.markSent(ID, 103, T0),
    ],
    ["stepping an unknown intent", sent, (s: StateStore) => s.markSent("nobody", 200, T0)],
  ])("refuses %s and leaves the intent as it was", (_name, arrange, act) => {
    store.recordIntent(anIntent());
    arrange(store);
    const before = store.intent(ID);
    expect(() => act(store)).toThrow(InvariantError);
    expect(store.intent(ID)).toEqual(before);
  });

  it("refuses to send two intents under one IB order id", () => {
    store.recordIntent(anIntent());
    store.recordIntent(anIntent({ intentId: "second" }));
    store.markSent(ID, 101, T0);
    expect(() => store.markSent("second", 101, T0)).toThrow(/already|was/);
    expect(store.intent("second")?.status).toBe("written");
  });

  it("writes an intent, reserves its IB id and marks it sent in one step; again only after markNeverSent", () => {
    store.reserveOrderId(40);
    expect(store.sendIntent(anIntent(), 7, T0 + 1)).toBe(41);
    expect(store.intent(ID)).toMatchObject({ status: "sent", ibOrderId: 41, sentAtMs: T0 + 1 });
    expect(() => store.sendIntent(anIntent(), 7, T0 + 2)).toThrow(InvariantError);
    expect(store.intent(ID)?.ibOrderId).toBe(41);
    store.markNeverSent(ID);
    expect(store.sendIntent(anIntent(), 7, T0 + 3)).toBe(42); // the refused send reserved nothing
  });

  it("rolls back every step of an atomic write that fails part way", () => {
    expect(() => {
      store.atomically("two intents", () => {
        store.recordIntent(anIntent());
        store.recordIntent(anIntent());
      });
    }).toThrow(InvariantError);
    expect(store.intent(ID)).toBeUndefined();
  });

  it("puts a sent intent IB never saw back to written, to be sent again under a new, higher id", () => {
    store.recordIntent(anIntent());
    store.markSent(ID, 101, T0 + 1);
    expect(store.markNeverSent(ID)).toBe(true);
    expect(store.markNeverSent(ID)).toBe(false);
    expect(store.intent(ID)).toMatchObject({ status: "written" });
    expect(store.intent(ID)?.ibOrderId).toBeUndefined();
    expect(store.reserveOrderId(50)).toBe(102);
    expect(store.markSent(ID, 102, T0 + 2)).toBe(true);
  });

  it("refuses to mark as never sent an intent IB acknowledged or that ended", () => {
    store.recordIntent(anIntent());
    store.markSent(ID, 101, T0 + 1);
    store.markAcknowledged(ID, 9, T0 + 2);
    expect(() => store.markNeverSent(ID)).toThrow(InvariantError);
    store.markTerminal(ID, { status: "cancelled" }, T0 + 3);
    expect(() => store.markNeverSent(ID)).toThrow(InvariantError);
  });

  it("adds the permId of an intent whose end IB reported before its open order", () => {
    store.recordIntent(anIntent());
    store.markSent(ID, 101, T0 + 1);
    store.markTerminal(ID, { status: "filled" }, T0 + 2);
    expect(store.markAcknowledged(ID, 555, T0 + 3)).toBe(false);
    expect(store.intent(ID)).toMatchObject({ status: "filled", permId: 555 });
  });

  it("lists written, sent and acknowledged intents as unresolved, oldest first", () => {
    const ids = ["c-written", "b-sent", "a-acknowledged", "d-filled", "e-cancelled"];
    ids.forEach((intentId, index) => {
      store.recordIntent(anIntent({ intentId, createdAt: T0 + index }));
    });
    store.markSent("b-sent", 1, T0);
    store.markSent("a-acknowledged", 2, T0);
    store.markAcknowledged("a-acknowledged", 22, T0);
    store.markSent("d-filled", 3, T0);
    store.markTerminal("d-filled", { status: "filled" }, T0);
    store.markTerminal("e-cancelled", { status: "cancelled" }, T0);
    expect(store.unresolvedIntents().map((stored) => [stored.intent.intentId, stored.status])).toEqual([
      ["c-written", "written"],
      ["b-sent", "sent"],
      ["a-acknowledged", "acknowledged"],
    ]);
  });
});
