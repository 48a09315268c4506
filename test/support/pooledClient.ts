import * as k8s from "@kubernetes/client-node";
import { accessOfKubeConfig } from "../../controlplane/kube/KubeAccess.js";
import { kubeAgent } from "../../controlplane/kube/kubeAgent.js";

/** Pooled keep-alive connections for client-node's generated clients: see pooledClient. */
export class PooledKube {
  private readonly agent: ReturnType<typeof kubeAgent>;
  private readonly configuration: k8s.Configuration;

  constructor(
    kc: k8s.KubeConfig,
    private readonly requestTimeoutMs = 30_000,
  ) {
    const access = accessOfKubeConfig(kc);
    this.agent = kubeAgent(access);
    this.configuration = k8s.createConfiguration({
      baseServer: new k8s.ServerConfiguration(access.server, {}),
      authMethods: { default: kc },
      // Runs after the kubeconfig has set its per-call agent: the same credentials, pooled.
      promiseMiddleware: [
        {
          pre: async (context) => {
            context.setAgent(await this.agent);
            context.setSignal(AbortSignal.timeout(this.requestTimeoutMs));
            return context;
          },
          post: (response) => Promise.resolve(response),
        },
      ],
    });
  }

  /**
   * A generated client (CoreV1Api, BatchV1Api …) whose calls share one pool of connections:
   * client-node alone makes a new agent, and so a TLS handshake, for every call, which would
   * pace a benchmark's own thousands of writes.
   */
  client<T>(Api: new (configuration: k8s.Configuration) => T): T {
    return new Api(this.configuration);
  }

  close(): void {
    this.agent.then(
      (agent) => agent.destroy(),
      () => undefined,
    );
  }
}
