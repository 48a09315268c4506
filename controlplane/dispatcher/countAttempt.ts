import type { ControlplaneMetrics } from "../metrics.js";
import type { Delivery } from "../watchers/model.js";
import type { AttemptStep } from "./decideAttempt.js";

/** An attempt recorded, in the metrics: by outcome, and by webhook and class. */
export function countAttempt(
  m: ControlplaneMetrics,
  d: Delivery,
  step: AttemptStep & { durationMs: number },
  now: Date,
): void {
  const seconds = step.durationMs / 1000;
  m.attemptDuration.observe(seconds);
  m.deliveries.inc({ outcome: step.outcome });
  const errorClass = step.log ? (step.log.errorClass ?? "ok") : undefined;
  m.webhookAttempts.inc({ webhook: d.webhookId, class: errorClass ?? classOf(step.outcome) });
  m.webhookAttemptSeconds.inc({ webhook: d.webhookId }, seconds);
  if (step.outcome === "delivered") {
    m.deliveryLatency.observe((now.getTime() - d.createdAt.getTime()) / 1000);
  }
}

// A step decided without its log entry names no class: ok for a 2xx, else network.
function classOf(outcome: AttemptStep["outcome"]): string {
  return outcome === "delivered" ? "ok" : "network";
}
