/** Most API clients one TWS / IB Gateway accepts at once (ibkr-facts.md §1.5). */
export const MAX_API_CLIENTS = 32;

/** Result of asking for a client id at START_API. */
export type RegistrationOutcome = "registered" | "client-id-in-use" | "too-many-clients";

/** A client id was taken or given back. */
export type ClientRegistryEvent =
  | { readonly type: "ClientConnected"; readonly clientId: number }
  | { readonly type: "ClientDisconnected"; readonly clientId: number };

/** Which client ids are connected to the simulator, enforcing uniqueness and the client limit. */
export class ClientRegistry {
  private readonly owners = new Map<number, object>();
  private readonly listeners = new Set<(event: ClientRegistryEvent) => void>();
  private readonly maxClients: number;

  constructor(maxClients = MAX_API_CLIENTS) {
    this.maxClients = maxClients;
  }

  /** Claims `clientId` for `owner` (a session) unless it is taken or the simulator is full. */
  register(clientId: number, owner: object): RegistrationOutcome {
    if (this.owners.has(clientId)) return "client-id-in-use";
    if (this.owners.size >= this.maxClients) return "too-many-clients";
    this.owners.set(clientId, owner);
    this.emit({ type: "ClientConnected", clientId });
    return "registered";
  }

  /** Gives `clientId` back if `owner` holds it; returns whether it did. */
  release(clientId: number, owner: object): boolean {
    if (this.owners.get(clientId) !== owner) return false;
    this.owners.delete(clientId);
    this.emit({ type: "ClientDisconnected", clientId });
    return true;
  }

  /** The connected client ids in ascending order. */
  clientIds(): number[] {
    return [...this.owners.keys()].sort((a, b) => a - b);
  }

  /** Calls `listener` on every registration change until the returned function is called. */
  subscribe(listener: (event: ClientRegistryEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private emit(event: ClientRegistryEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}
