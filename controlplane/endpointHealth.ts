import type { Logger } from "../common/logger.js";
import type { Declarative } from "./declarative.js";
import type { DispatcherOptions } from "./dispatcher/Dispatcher.js";
import type { ControlplaneMetrics } from "./metrics.js";
import type { Webhook } from "./watchers/model.js";

/**
 * Who hears that a webhook was disabled (--disable-after) or enabled again: the metrics, the log,
 * the Job's Events and, for a webhook mirrored from an object, its status and Events.
 */
export function endpointHealth(o: {
  log: Logger;
  metrics: ControlplaneMetrics;
  jobEvents: Pick<DispatcherOptions, "onWebhookDisabled">;
  objects: Pick<Declarative, "healthChanged">;
}): {
  disabled: NonNullable<DispatcherOptions["onWebhookDisabled"]>;
  enabled: (w: Webhook, wasDisabled: boolean) => void;
} {
  return {
    disabled: (d, watcher) => {
      o.metrics.webhooksDisabled.inc();
      o.log.warn({ webhook: d.webhookId }, "webhook disabled: failing for --disable-after");
      o.jobEvents.onWebhookDisabled?.(d, watcher);
      o.objects.healthChanged(d.webhookId, true);
    },
    enabled: (w, wasDisabled) => {
      if (!wasDisabled) return;
      o.log.info({ webhook: w.id }, "webhook enabled");
      o.objects.healthChanged(w.id, false);
    },
  };
}
