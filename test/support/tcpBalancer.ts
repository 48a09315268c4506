import { connect, createServer, type AddressInfo, type Socket } from "node:net";

/**
 * A TCP load balancer on loopback, as a Service with several endpoints behaves for its clients:
 * each new connection goes to the next backend in turn, and one whose port refuses (a replica
 * that died) is skipped for the next. Backends are HOST:PORT on loopback only.
 */
export interface TcpBalancer {
  /** 127.0.0.1:PORT */
  address: string;
  /** Connections each backend took, by address. */
  taken: Map<string, number>;
  /** Connections open now to each backend, by address. */
  open: Map<string, number>;
  setBackends(backends: string[]): void;
  close(): Promise<void>;
}

export async function startTcpBalancer(backends: string[]): Promise<TcpBalancer> {
  let pool = [...backends];
  let next = 0;
  const taken = new Map<string, number>();
  const openTo = new Map<string, number>();
  const open = new Set<Socket>();
  const track = (s: Socket): void => {
    open.add(s);
    s.on("error", () => undefined);
    s.once("close", () => open.delete(s));
  };

  // Tries each backend once, starting with the next in turn.
  const relay = (client: Socket, tries: number): void => {
    const backend = pool[next++ % Math.max(pool.length, 1)];
    if (backend === undefined || tries >= pool.length) {
      client.destroy();
      return;
    }
    const [host, port] = splitHostPort(backend);
    if (host !== "127.0.0.1" && host !== "::1") throw new Error(`not loopback: ${backend}`);
    const upstream = connect({ host, port: Number(port) });
    track(upstream);
    let connected = false;
    upstream.once("connect", () => {
      connected = true;
      taken.set(backend, (taken.get(backend) ?? 0) + 1);
      openTo.set(backend, (openTo.get(backend) ?? 0) + 1);
      client.pipe(upstream);
      upstream.pipe(client);
      client.once("close", () => upstream.destroy());
      client.resume();
    });
    // Refused: the next backend. Once connected, the two ends live and die together.
    upstream.once("close", () => {
      if (!connected) {
        relay(client, tries + 1);
        return;
      }
      openTo.set(backend, (openTo.get(backend) ?? 1) - 1);
      client.destroy();
    });
  };

  const server = createServer((client) => {
    track(client);
    client.pause();
    relay(client, 0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    taken,
    open: openTo,
    setBackends: (b) => {
      pool = [...b];
    },
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function splitHostPort(address: string): [string, string] {
  const i = address.lastIndexOf(":");
  return [address.slice(0, i).replace(/^\[|\]$/g, ""), address.slice(i + 1)];
}
