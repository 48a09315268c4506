import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import type { JobWatch, JobWatchHandler } from "../jobwatch/JobWatch.js";
import type { ControlplaneMetrics } from "../metrics.js";
import type { Store } from "../store/Store.js";
import { LeaderOnly } from "./LeaderOnly.js";
import { Membership } from "./Membership.js";

/**
 * Replicas on one store: the oldest alive leads. A leader whose Job watch fails stops saying it
 * is alive, so another leads once it is overdue. Undefined on a store of one process.
 */
export function leadership(
  store: Store,
  log: Logger,
  metrics: ControlplaneMetrics,
  watch: () => JobWatch,
): Membership | undefined {
  metrics.leader.set(store.members ? 0 : 1);
  if (!store.members) return undefined;
  const membership: Membership = new Membership(store.members, log.child({ part: "membership" }), {
    able: () => !membership.leading || !watch().failing,
  });
  membership.onLeadingChange((leading) => metrics.leader.set(leading ? 1 : 0));
  return membership;
}

/**
 * The work nobody asks for through the API, the Job watch included: done by the leader alone
 * when replicas share the store; a new leader lists the Jobs and decides them all again. Every
 * replica serves the API and the injector; a standby keeps no Job cache.
 */
export function unaskedWork(
  parts: Part[],
  membership: Membership | undefined,
  log: Logger,
): Part[] {
  if (!membership) return parts;
  return [membership, new LeaderOnly(parts, membership, log.child({ part: "leader" }))];
}

/** The Job events, for the engine while this replica leads (always, without `membership`). */
export function whileLeading(
  engine: () => JobWatchHandler,
  membership?: Membership,
): JobWatchHandler {
  const leads = (): boolean => membership?.leading ?? true;
  return {
    upsert: (job) => (leads() ? engine().upsert(job) : Promise.resolve()),
    remove: (job) => (leads() ? engine().remove(job) : Promise.resolve()),
    synced: (jobs) => (leads() ? engine().synced(jobs) : Promise.resolve()),
  };
}
