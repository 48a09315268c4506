import type { JobSummary } from "../jobwatch/jobSummary.js";
import type { WatcherChange } from "../store/WatcherRepo.js";
import { buildDeliveries } from "./buildDeliveries.js";
import { Outcome, TriggerStatus, WatcherStatus, type Watcher, type Webhook } from "./model.js";
import { decideOutcome } from "./settle.js";
import { spawnChildren } from "./spawnChildren.js";
import { emptyDecision, type WatcherDecision } from "./WatcherDecision.js";
import { WatcherLedger } from "./WatcherLedger.js";

/** What was read for a Job event. */
export interface JobView {
  job: JobSummary;
  /** The Job's open watchers: bound to its uid, or PENDING, unbound and naming it. */
  watchers: readonly Watcher[];
  /** PENDING watchers of the Job's CronJob that have no watcher for this Job yet. */
  families: readonly Watcher[];
  /** The webhooks the watchers' triggers name. */
  webhooks: ReadonlyMap<string, Webhook>;
}

export interface DecisionContext {
  now: Date;
  /** Bound of a delivery whose trigger has timeoutSeconds 0. */
  defaultDeliveryTimeoutMs: number;
  /** Ids of new watchers and triggers; tests pass a counter. Default randomUUID. */
  newId?: () => string;
}

/**
 * A Job appeared or changed: its CronJob's watchers get one for it, unbound watchers naming it
 * bind to it, and once it has an outcome each PENDING watcher of it notifies or ends.
 */
export function decideUpsert(v: JobView, c: DecisionContext): WatcherDecision {
  const { job } = v;
  const d = { ...emptyDecision(c.now), job: { namespace: job.namespace, name: job.name } };
  d.spawn = spawnChildren(job, v.families, c);
  for (const s of d.spawn) d.touched.push(s.watcher.id, s.watcher.parentId);
  const ledger = new WatcherLedger([...v.watchers, ...d.spawn.map((s) => s.watcher)]);
  const finish = finisher(v, ledger, c);
  for (const seen of ledger.all()) {
    if (seen.status !== WatcherStatus.PENDING) continue;
    let w = seen;
    if (w.jobUid === "") {
      d.changes.push({ kind: "bind", id: w.id, jobUid: job.uid });
      w = { ...w, jobUid: job.uid };
      ledger.set(w);
    } else if (w.jobUid !== job.uid) {
      continue;
    }
    d.touched.push(w.id);
    if (job.outcome === undefined) continue;
    d.changes.push(finish(w, job.outcome, job.finishedAt ?? c.now));
  }
  d.labels = ledger.labels();
  return d;
}

/** A Job was deleted (or found gone): each PENDING watcher bound to it notifies or ends. */
export function decideRemove(v: JobView, c: DecisionContext): WatcherDecision {
  const { job } = v;
  const d = { ...emptyDecision(c.now), job: { namespace: job.namespace, name: job.name } };
  const ledger = new WatcherLedger(v.watchers);
  const finish = finisher(v, ledger, c);
  for (const w of v.watchers) {
    if (w.status !== WatcherStatus.PENDING || w.jobUid !== job.uid) continue;
    d.touched.push(w.id);
    d.changes.push(finish(w, Outcome.DELETED, c.now));
  }
  d.labels = ledger.labels();
  return d;
}

/** What is known of a Job that vanished while nobody watched: only what its watcher recorded. */
export function goneJob(w: Watcher): JobSummary {
  return {
    uid: w.jobUid,
    namespace: w.namespace,
    name: w.jobName,
    resourceVersion: "",
    createdAt: w.createdAt,
    active: 0,
    succeeded: 0,
    failed: 0,
    labels: {},
  };
}

// The Job has an outcome (at `at`): a watcher's webhooks are owed if it notifies on it, else it
// ends. The ledger hears of the watcher's new status.
function finisher(
  v: JobView,
  ledger: WatcherLedger,
  c: DecisionContext,
): (w: Watcher, outcome: Outcome, at: Date) => WatcherChange {
  return (w, outcome, at) => finish(w, { outcome, at }, { v, ledger, c });
}

function finish(
  w: Watcher,
  { outcome, at }: { outcome: Outcome; at: Date },
  { v, ledger, c }: { v: JobView; ledger: WatcherLedger; c: DecisionContext },
): WatcherChange {
  const o = decideOutcome(w.notifyOn, outcome);
  if (o.kind === "end") {
    // A deleted Job cannot take the label.
    ledger.moved(w, o.status, outcome !== Outcome.DELETED);
    const { status, reason, message } = o;
    const ending = { status, reason, message, outcome, triggerStatus: TriggerStatus.CANCELLED };
    return { kind: "end", id: w.id, ending };
  }
  const deliveries = buildDeliveries(w, (id) => v.webhooks.get(id), {
    job: v.job,
    outcome,
    at,
    now: c.now,
    defaultTimeoutMs: c.defaultDeliveryTimeoutMs,
  });
  const status = deliveries.length > 0 ? WatcherStatus.PROCESSING : WatcherStatus.COMPLETED;
  ledger.moved(w, status, true);
  return { kind: "notify", id: w.id, outcome, status, deliveries };
}
