import type { ControlplaneConfig } from "../Controlplane.js";
import type { DispatcherOptions } from "../dispatcher/Dispatcher.js";
import type { KubeApi } from "../kube/KubeApi.js";
import type { ControlplaneMetrics } from "../metrics.js";
import type { Part } from "../../common/runGroup.js";
import { deliveryEvent, webhookDisabledEvent, type JobEvent } from "./deliveryEvent.js";
import { JobEvents } from "./JobEvents.js";

/**
 * The writer of Job Events and the dispatcher's hook that feeds it; nothing with
 * --job-events=false. `idle`: whether no delivery is in flight (the Events wait for that);
 * `nameOf`: how a webhook is named in them, when not by its id.
 */
export function jobEventsOf(
  c: ControlplaneConfig,
  {
    api,
    metrics,
    idle,
    nameOf,
  }: {
    api: KubeApi;
    metrics: ControlplaneMetrics;
    idle: () => boolean;
    nameOf: (webhookId: string) => string | undefined;
  },
): {
  parts: Part[];
  hook: Pick<DispatcherOptions, "onAttempt" | "onWebhookDisabled">;
  record: ((e: JobEvent) => void) | undefined;
} {
  if (!c.jobEvents) return { parts: [], hook: {}, record: undefined };
  const events = new JobEvents({
    api,
    log: c.log.child({ part: "job-events" }),
    onResult: (result) => metrics.jobEvents.inc({ result }),
    idle,
  });
  const onAttempt: DispatcherOptions["onAttempt"] = (d, step, watcher) => {
    const event = deliveryEvent(d, step, watcher, nameOf);
    if (event) events.record(event);
  };
  const onWebhookDisabled: DispatcherOptions["onWebhookDisabled"] = (d, watcher) => {
    const event = webhookDisabledEvent(d, watcher, { nameOf, disableAfterMs: c.disableAfterMs });
    if (event) events.record(event);
  };
  return {
    parts: [events],
    hook: { onAttempt, onWebhookDisabled },
    record: (e) => events.record(e),
  };
}
