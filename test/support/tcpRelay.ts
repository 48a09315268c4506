import * as k8s from "@kubernetes/client-node";
import { createServer, connect, type AddressInfo, type Socket } from "node:net";
import type { TestCluster } from "../cluster/TestCluster.js";

/**
 * A TCP relay in front of the apiserver, so a test can break a client's connections for real:
 * cut() drops every open one, refuse(true) resets new ones until refuse(false), stall(true)
 * keeps every connection (and new ones) open but forwards no byte either way until stall(false),
 * as a network path that silently drops packets would.
 */
export interface TcpRelay {
  /** The credentials given (the cluster's admin by default), with the relay as the server. */
  kubeConfig: k8s.KubeConfig;
  cut(): void;
  refuse(on: boolean): void;
  stall(on: boolean): void;
  close(): Promise<void>;
}

/** One relayed connection: the client's socket and the one to the apiserver. */
interface Pair {
  client: Socket;
  upstream: Socket;
}

// Bytes not read stay in the sockets' buffers and flow on resume, as after a network hiccup.
function pause({ client, upstream }: Pair): void {
  client.unpipe(upstream);
  upstream.unpipe(client);
  client.pause();
  upstream.pause();
}

function resume({ client, upstream }: Pair): void {
  client.pipe(upstream);
  upstream.pipe(client);
}

export async function startTcpRelay(
  cluster: TestCluster,
  credentials: k8s.KubeConfig = cluster.kubeConfig,
): Promise<TcpRelay> {
  const target = new URL(cluster.server);
  const open = new Set<Socket>();
  const pairs = new Set<Pair>();
  let refusing = false;
  let stalled = false;
  const track = (socket: Socket): void => {
    open.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => open.delete(socket));
  };
  const server = createServer((client) => {
    track(client);
    if (refusing) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    track(upstream);
    const pair = { client, upstream };
    pairs.add(pair);
    if (stalled) pause(pair);
    else resume(pair);
    client.on("close", () => {
      pairs.delete(pair);
      upstream.destroy();
    });
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: credentials.clusters.map((c) => ({ ...c, server: `https://127.0.0.1:${port}` })),
    users: credentials.users,
    contexts: credentials.contexts,
    currentContext: credentials.currentContext,
  });
  const cut = (): void => {
    for (const socket of open) socket.destroy();
  };
  return {
    kubeConfig,
    cut,
    refuse: (on) => (refusing = on),
    stall: (on) => {
      if (on === stalled) return;
      stalled = on;
      for (const pair of pairs) (on ? pause : resume)(pair);
    },
    close: async () => {
      cut();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
