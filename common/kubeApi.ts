import * as k8s from "@kubernetes/client-node";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from "node:https";

type Query = Record<string, string | number | boolean | undefined>;

/**
 * Kubernetes API access over one pool of keep-alive connections. client-node 1.x makes a new agent
 * for every call, so each pays a TCP and TLS handshake (with a client certificate, the costliest
 * part); at hundreds of calls a second that handshake, not the apiserver, sets the pace and blocks
 * the event loop. Credentials in headers (tokens) are still applied per call, so rotated tokens
 * are picked up.
 */
export class KubeApi {
  private constructor(
    readonly kubeConfig: k8s.KubeConfig,
    private readonly server: string,
    private readonly agent: HttpAgent,
    private readonly configuration: k8s.Configuration,
  ) {}

  static async create(kc: k8s.KubeConfig): Promise<KubeApi> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error("the kubeconfig has no current cluster");
    const tls: RequestOptions = {};
    await kc.applyToHTTPSOptions(tls);
    const agent = cluster.server.startsWith("https:")
      ? new HttpsAgent({
          ca: tls.ca,
          cert: tls.cert,
          key: tls.key,
          rejectUnauthorized: !cluster.skipTLSVerify,
          ...(cluster.tlsServerName && { servername: cluster.tlsServerName }),
          keepAlive: true,
        })
      : new HttpAgent({ keepAlive: true });
    const configuration = k8s.createConfiguration({
      baseServer: new k8s.ServerConfiguration(cluster.server, {}),
      authMethods: { default: kc },
      // Runs after the kubeconfig has set its per-call agent: the same credentials, pooled.
      promiseMiddleware: [
        {
          pre: (context) => {
            context.setAgent(agent);
            return Promise.resolve(context);
          },
          post: (response) => Promise.resolve(response),
        },
      ],
    });
    return new KubeApi(kc, cluster.server, agent, configuration);
  }

  /** A generated API client (BatchV1Api, AuthenticationV1Api …) on the pooled connections. */
  client<T>(Api: new (configuration: k8s.Configuration) => T): T {
    return new Api(this.configuration);
  }

  /**
   * GET a path as plain JSON, without client-node's model classes: a list of thousands of Jobs
   * then costs one JSON.parse, not an object and a Date per field.
   */
  async getJson<T>(path: string, query: Query, signal?: AbortSignal): Promise<T> {
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(query))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const opts: RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = {
      ...(opts.headers as Record<string, string> | undefined),
      accept: "application/json",
    };
    if (opts.auth) headers.authorization = `Basic ${Buffer.from(opts.auth).toString("base64")}`;
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, { agent: this.agent, headers, ...(signal && { signal }) }, resolve);
      req.on("error", reject);
      req.end();
    });
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    if (res.statusCode !== 200) {
      throw new KubeApiError(
        res.statusCode ?? 0,
        `GET ${url.pathname}: HTTP ${res.statusCode}: ${body.slice(0, 300)}`,
      );
    }
    return JSON.parse(body) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A non-200 answer to getJson; `code` is the HTTP status, as client-node's ApiException has. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
