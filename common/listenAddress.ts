/** A host and port to listen on, parsed from `HOST:PORT`, `:PORT` or `[IPv6]:PORT`. */
export interface ListenAddress {
  /** Undefined for `:PORT`: every interface. */
  host: string | undefined;
  port: number;
}

export class ListenAddressError extends Error {}

/**
 * Parses a listen flag. `:8080` listens on every interface, `127.0.0.1:8080` on one,
 * `[::1]:8181` on an IPv6 address; port 0 asks the OS for a free port.
 */
export function parseListenAddress(value: string): ListenAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65535) {
    throw new ListenAddressError(
      `invalid listen address "${value}": expected HOST:PORT, :PORT or [IPv6]:PORT with a port from 0 to 65535`,
    );
  }
  const host = match[1] ?? match[2];
  return { host: host === "" ? undefined : host, port };
}

export function formatListenAddress({ host, port }: ListenAddress): string {
  if (host === undefined) return `:${port}`;
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
