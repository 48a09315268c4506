import type { HealthServer } from "../common/HealthServer.js";
import type { JobWatch } from "./jobwatch/JobWatch.js";
import type { Membership } from "./replicas/Membership.js";
import type { Store } from "./store/Store.js";
import { outageReason } from "./store/StoreHealth.js";

/** Whether the controlplane serves, and a call when that may have changed (the gRPC health). */
export interface ServingSignal {
  serving: () => true | string;
  onChange: (listener: () => void) => void;
}

/**
 * Whether the controlplane serves, for its gRPC health and /readyz: the replica that watches
 * Jobs (the one, or the leader; a standby watches none) while its watch is current (listed since
 * its last failure, watching), and every replica while its store can write.
 */
export function servingState(
  health: HealthServer,
  store: Store,
  jobWatch: JobWatch,
  membership: Membership | undefined,
): ServingSignal {
  const listeners: (() => void)[] = [];
  const watchReadiness = (): true | string =>
    membership?.leading === false ? true : jobWatch.readiness();
  const serving = (): true | string =>
    watchReadiness() !== true
      ? "the controlplane's Job watch is not current"
      : store.health.failure
        ? "the controlplane's store cannot write"
        : true;
  const update = (): void => {
    for (const listener of listeners) listener();
  };
  jobWatch.onCurrentChange(update);
  membership?.onLeadingChange(update);
  store.health.onFailed(update);
  store.health.onRecovered(update);
  health.addReadinessCheck("job-watch", () => Promise.resolve(watchReadiness()));
  return { serving, onChange: (listener) => listeners.push(listener) };
}

// Ready while the store writes: a failure seen by any write, or by a probe write now.
export async function storeReadiness(store: Store): Promise<true | string> {
  const seen = store.health.failure;
  if (!seen) {
    try {
      await store.probe(new Date());
      return true;
    } catch (err) {
      return `cannot write: ${outageReason(err) ?? String(err)}`;
    }
  }
  return `cannot write since ${seen.since.toISOString()}: ${seen.reason}`;
}
