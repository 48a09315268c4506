import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import { JobEvents } from "../jobevents/JobEvents.js";
import type { KubeApi } from "../kube/KubeApi.js";
import type { ControlplaneMetrics } from "../metrics.js";
import { BusyPods } from "./BusyPods.js";
import type { PodChange } from "./decidePod.js";
import { KubeCounterPods } from "./KubeCounterPods.js";
import { PodCounter, type PodCounterOptions } from "./PodCounter.js";

export type PodCounterConfig = Omit<PodCounterOptions, "log" | "onPatch" | "onOperation"> & {
  labelSelector: string | undefined;
};

// The operation a change is counted as in jobhooks_pod_counter_operations_total.
function operationOf(change: PodChange): string | undefined {
  switch (change.kind) {
    case "count":
      return change.delta > 0 ? "increment" : change.delta < 0 ? "decrement" : "get";
    case "forceRelease":
      return "force-release";
    case "sweep":
      return undefined; // the controlplane's own, not asked for
    default:
      return change.kind;
  }
}

/**
 * The pod counter and what keeps its busy pods from getting stuck: BusyPods (lease expiry and
 * --max-busy) and, with a ceiling, the writer of its Warning Events on pods.
 */
export function podCounterOf(
  c: PodCounterConfig,
  d: { api: KubeApi; metrics: ControlplaneMetrics; log: Logger; namespaces: string[] | undefined },
): { counter: PodCounter; parts: Part[] } {
  const { api, metrics } = d;
  const pods = new KubeCounterPods(api, { key: c.label, labelSelector: c.labelSelector });
  const events =
    c.maxBusyMs > 0 ? new JobEvents({ api, log: d.log.child({ part: "pod-events" }) }) : undefined;
  const busy = new BusyPods({
    counter: () => counter,
    list: () => pods.listWatched(d.namespaces),
    rules: c,
    log: d.log.child({ part: "busy-pods" }),
    onExpired: (n) => metrics.leasesExpired.inc(n),
    onDropped: (pod) => {
      metrics.protectionsDropped.inc();
      events?.record(droppedEvent(pod, c));
    },
    onTally: ({ busy, leases }) => {
      metrics.busyPods.set(busy);
      metrics.leasesOutstanding.set(leases);
    },
  });
  const counter: PodCounter = new PodCounter(pods, {
    ...c,
    log: d.log.child({ part: "podcounter" }),
    onPatch: () => metrics.podCounterWrites.inc(),
    onOperation: (change) => {
      const operation = operationOf(change);
      if (operation) metrics.podCounterOps.inc({ operation });
    },
    onSeen: (namespace, name, pod) => busy.seen(namespace, name, pod),
  });
  return { counter, parts: [busy, ...(events ? [events] : [])] };
}

function droppedEvent(
  pod: { namespace: string; name: string; count: number },
  c: PodCounterConfig,
): Parameters<JobEvents["record"]>[0] {
  const hours = (c.maxBusyMs / 3_600_000).toFixed(c.maxBusyMs % 3_600_000 === 0 ? 0 : 2);
  return {
    job: { namespace: pod.namespace, name: pod.name, uid: "" },
    regarding: { apiVersion: "v1", kind: "Pod", namespace: pod.namespace, name: pod.name },
    type: "Warning",
    action: "Protect",
    reason: "ProtectionDropped",
    note:
      `busy for longer than --max-busy (${hours}h) with a count of ${pod.count}: the ` +
      `${c.label} label and the autoscaler hints are removed, so a drain may evict this pod; ` +
      `they come back with the next busy period, once the count is back to 0`,
  };
}
