import { createClient } from "nice-grpc";
import {
  HealthDefinition,
  HealthCheckResponse_ServingStatus,
} from "nice-grpc-server-health/lib/proto/grpc/health/v1/health.js";
import type { ControlplaneProcess } from "./controlplane.js";

/** One answer of /readyz or of grpc.health.v1 Check, with when it was asked and answered. */
export interface ProbeSample {
  source: "readyz" | "grpc";
  sentAt: number;
  receivedAt: number;
  /** /readyz 200, or SERVING. */
  ready: boolean;
  /** The /readyz body, the serving status, or the error. */
  detail: string;
}

export interface ReadinessProbe {
  readonly samples: ProbeSample[];
  /** Ends both loops; resolves once their last requests are answered. */
  stop(): Promise<void>;
}

/**
 * Asks a controlplane's /readyz and its gRPC health (service "") every `intervalMs`, each in its
 * own loop, until stop(); every answer is kept, in the order received.
 */
export function startReadinessProbe(cp: ControlplaneProcess, intervalMs = 100): ReadinessProbe {
  const samples: ProbeSample[] = [];
  const controller = new AbortController();
  const health = createClient(HealthDefinition, cp.channel);
  const readyz = async (): Promise<{ ready: boolean; detail: string }> => {
    const res = await fetch(`http://${cp.healthAddress}/readyz`, {
      signal: AbortSignal.timeout(3000),
    });
    return { ready: res.status === 200, detail: `${res.status} ${await res.text()}` };
  };
  const grpc = async (): Promise<{ ready: boolean; detail: string }> => {
    const { status } = await health.check({ service: "" }, { signal: AbortSignal.timeout(3000) });
    const ready = status === HealthCheckResponse_ServingStatus.SERVING;
    return { ready, detail: HealthCheckResponse_ServingStatus[status] };
  };
  const loop = async (source: ProbeSample["source"], ask: typeof readyz): Promise<void> => {
    while (!controller.signal.aborted) {
      const sentAt = Date.now();
      const answer = await ask().catch((err: unknown) => ({ ready: false, detail: String(err) }));
      samples.push({ source, sentAt, receivedAt: Date.now(), ...answer });
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  };
  const loops = Promise.all([loop("readyz", readyz), loop("grpc", grpc)]);
  return {
    samples,
    stop: async () => {
      controller.abort();
      await loops;
    },
  };
}
