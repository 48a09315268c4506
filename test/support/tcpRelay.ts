import * as k8s from "@kubernetes/client-node";
import { createServer, connect, type AddressInfo, type Socket } from "node:net";
import type { TestCluster } from "../cluster/TestCluster.js";

/**
 * A TCP relay in front of the apiserver, so a test can break a client's connections for real:
 * cut() drops every open one, refuse(true) resets new ones until refuse(false).
 */
export interface TcpRelay {
  /** The credentials given (the cluster's admin by default), with the relay as the server. */
  kubeConfig: k8s.KubeConfig;
  cut(): void;
  refuse(on: boolean): void;
  close(): Promise<void>;
}

export async function startTcpRelay(
  cluster: TestCluster,
  credentials: k8s.KubeConfig = cluster.kubeConfig,
): Promise<TcpRelay> {
  const target = new URL(cluster.server);
  const open = new Set<Socket>();
  let refusing = false;
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
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
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
    close: async () => {
      cut();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
