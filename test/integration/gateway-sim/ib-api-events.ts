import { EventName, type IBApi } from "@stoqey/ib";
import { waitFor } from "./wait-for.js";

/** Waits for IBApi's `server` event: the negotiated version and the connection time. */
export function waitForServerVersion(api: IBApi): Promise<{ version: number; connectionTime: string }> {
  return waitFor("the server version", (resolve) => {
    const listener = (version: number, connectionTime: string): void => {
      resolve({ version, connectionTime });
    };
    api.on(EventName.server, listener);
    return () => api.off(EventName.server, listener);
  });
}

/** Waits for the `managedAccounts` event and returns the raw comma-separated list. */
export function waitForManagedAccounts(api: IBApi): Promise<string> {
  return waitFor("managedAccounts", (resolve) => {
    api.on(EventName.managedAccounts, resolve);
    return () => api.off(EventName.managedAccounts, resolve);
  });
}

/** Waits for the next `nextValidId` event. */
export function waitForNextValidId(api: IBApi): Promise<number> {
  return waitFor("nextValidId", (resolve) => {
    api.on(EventName.nextValidId, resolve);
    return () => api.off(EventName.nextValidId, resolve);
  });
}

/** Waits for the next `currentTime` event. */
export function waitForCurrentTime(api: IBApi): Promise<number> {
  return waitFor("currentTime", (resolve) => {
    api.on(EventName.currentTime, resolve);
    return () => api.off(EventName.currentTime, resolve);
  });
}

/** Waits for an `info` event (an ERR_MSG with id −1) with the given IB code and returns its text. */
export function waitForInfo(api: IBApi, code: number): Promise<string> {
  return waitFor(`info ${code}`, (resolve) => {
    const listener = (message: string, infoCode: number): void => {
      if (infoCode === code) resolve(message);
    };
    api.on(EventName.info, listener);
    return () => api.off(EventName.info, listener);
  });
}

/** Waits for the `disconnected` event. */
export function waitForDisconnected(api: IBApi): Promise<void> {
  return waitFor("disconnected", (resolve) => {
    const listener = (): void => {
      resolve(undefined);
    };
    api.on(EventName.disconnected, listener);
    return () => api.off(EventName.disconnected, listener);
  });
}
