import { createServer } from "node:http";
import { httpListener } from "./httpListener.js";
import type { ListenAddress } from "./listenAddress.js";
import type { Logger } from "./logger.js";
import { readiness } from "./readiness.js";
import type { Part } from "./runGroup.js";
import { serveUntil } from "./serveUntil.js";

/** What /metrics serves: a prom-client Registry fits. */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/** Answers whether one dependency is usable; a string says why not. */
export type ReadinessCheck = () => Promise<true | string>;

/**
 * /healthz (the process is alive) and /readyz (every readiness check passes) for kubelet probes.
 */
export class HealthServer implements Part {
  readonly name = "health";
  private readonly checks = new Map<string, ReadinessCheck>();
  private metricsSource: MetricsSource | undefined;

  constructor(
    private readonly address: ListenAddress,
    private readonly log: Logger,
  ) {}

  addReadinessCheck(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** Serves Prometheus metrics at /metrics. */
  setMetrics(source: MetricsSource): void {
    this.metricsSource = source;
  }

  async run(signal: AbortSignal): Promise<void> {
    const server = createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0];
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.writeHead(405, { allow: "GET, HEAD" }).end();
      } else if (path === "/healthz") {
        res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      } else if (path === "/metrics" && this.metricsSource) {
        const source = this.metricsSource;
        void source.metrics().then(
          (body) => res.writeHead(200, { "content-type": source.contentType }).end(body),
          () => res.writeHead(500, { "content-type": "text/plain" }).end("metrics failed\n"),
        );
      } else if (path === "/readyz") {
        void readiness(Object.fromEntries(this.checks)).then(({ ready, body }) =>
          res.writeHead(ready ? 200 : 503, { "content-type": "text/plain" }).end(body),
        );
      } else {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      }
    });
    await serveUntil(signal, {
      name: this.name,
      listening: "health endpoints listening",
      addresses: [this.address],
      create: () => httpListener(server),
      log: this.log,
      // Probes and scrapes take milliseconds; none is worth waiting for.
      graceMs: 0,
    });
  }
}
