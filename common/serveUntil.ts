import { formatListenAddress, type ListenAddress } from "./listenAddress.js";
import { ListenError } from "./ListenError.js";
import type { Logger } from "./logger.js";

/** A server as serveUntil drives it: httpListener adapts node:http(s), grpcListener nice-grpc. */
export interface Listener {
  /** Binds `address`; resolves the port bound (the OS's pick for port 0). */
  listen(address: ListenAddress): Promise<number>;
  /** Refuses new connections, closes idle ones; resolves once every connection has ended. */
  close(): Promise<void>;
  /** Cuts the connections still open. */
  cut(): void;
}

export interface ServeUntilOptions {
  /** The part's name, which a ListenError carries. */
  name: string;
  /** Logged once per address bound, with `address`: e.g. "REST API listening". */
  listening: string;
  /** More fields for that line. */
  fields?: Record<string, unknown>;
  addresses: readonly ListenAddress[];
  /** A new server, one per address. */
  create: () => Listener;
  log: Logger;
  /**
   * Once `signal` aborts, how long requests in flight may take before their connections are
   * cut. With 0 they are cut at once; with 10 s a request still running 10 s later is cut.
   */
  graceMs: number;
  /**
   * Whether an address that failed may be left out: returns the warning to log, or undefined
   * (the default) for a failure. At least one address must bind.
   */
  mayFail?: (address: ListenAddress, err: unknown) => string | undefined;
}

/**
 * The one server lifecycle: listens on every address, serves until `signal` aborts (or at once,
 * if it already has), then closes. A failed listen closes what was bound and throws a
 * ListenError; an abort while listening closes as soon as the listen is done.
 */
export async function serveUntil(signal: AbortSignal, o: ServeUntilOptions): Promise<void> {
  const bound = await listenAll(signal, o);
  if (!signal.aborted) {
    await new Promise<void>((resolve) =>
      signal.addEventListener("abort", () => resolve(), { once: true }),
    );
  }
  await Promise.all(bound.map((listener) => stop(listener, o.graceMs)));
}

async function listenAll(signal: AbortSignal, o: ServeUntilOptions): Promise<Listener[]> {
  const bound: Listener[] = [];
  const skipped: unknown[] = [];
  for (const address of o.addresses) {
    if (signal.aborted) return bound;
    const listener = o.create();
    try {
      const port = await listener.listen(address);
      bound.push(listener);
      const at = formatListenAddress({ host: address.host, port });
      o.log.info({ address: at, ...o.fields }, o.listening);
    } catch (err) {
      // Whatever a failed bind left behind; a server that never listened closes at once.
      await stop(listener, 0);
      const warning = o.mayFail?.(address, err);
      if (warning !== undefined) {
        o.log.warn({ address: formatListenAddress(address), err }, warning);
        skipped.push(err);
        continue;
      }
      await Promise.all(bound.map((l) => stop(l, 0)));
      throw new ListenError(o.name, formatListenAddress(address), err);
    }
  }
  if (bound.length === 0) {
    throw new ListenError(o.name, o.addresses.map(formatListenAddress).join(", "), skipped[0]);
  }
  return bound;
}

async function stop(listener: Listener, graceMs: number): Promise<void> {
  const closed = listener.close();
  const timer = setTimeout(() => listener.cut(), graceMs);
  await closed;
  clearTimeout(timer);
}
