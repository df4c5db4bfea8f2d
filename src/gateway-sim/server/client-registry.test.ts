import { describe, expect, it } from "vitest";
import { ClientRegistry, type ClientRegistryEvent } from "./client-registry.js";

describe("ClientRegistry", () => {
  it("refuses a client id that is already connected", () => {
    const registry = new ClientRegistry();
    expect(registry.register(7, {})).toBe("registered");
    expect(registry.register(7, {})).toBe("client-id-in-use");
    expect(registry.clientIds()).toEqual([7]);
  });

  it("refuses a client beyond the limit", () => {
    const registry = new ClientRegistry(2);
    registry.register(1, {});
    registry.register(2, {});
    expect(registry.register(3, {})).toBe("too-many-clients");
  });

  it("frees a client id only when its owner gives it back", () => {
    const registry = new ClientRegistry();
    const owner = {};
    registry.register(7, owner);
    expect(registry.release(7, {})).toBe(false);
    expect(registry.release(7, owner)).toBe(true);
    expect(registry.register(7, {})).toBe("registered");
  });

  it("tells subscribers about connections and disconnections until they unsubscribe", () => {
    const registry = new ClientRegistry();
    const events: ClientRegistryEvent[] = [];
    const unsubscribe = registry.subscribe((event) => events.push(event));
    const owner = {};
    registry.register(3, owner);
    registry.release(3, owner);
    unsubscribe();
    registry.register(4, {});
    expect(events).toEqual([
      { type: "ClientConnected", clientId: 3 },
      { type: "ClientDisconnected", clientId: 3 },
    ]);
  });

  it("lists client ids in ascending order", () => {
    const registry = new ClientRegistry();
    for (const id of [9, 0, 3]) registry.register(id, {});
    expect(registry.clientIds()).toEqual([0, 3, 9]);
  });
});
