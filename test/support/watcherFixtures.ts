import type { JobSummary } from "../../controlplane/jobwatch/jobSummary.js";
import type { NewWatcher } from "../../controlplane/store/WatcherRepo.js";
import {
  Outcome,
  WatcherStatus,
  type Watcher,
  type WatcherSpec,
  type Webhook,
} from "../../controlplane/watchers/model.js";
import { newWatcher } from "../../controlplane/watchers/newWatcher.js";

// Shapes for unit tests of the watcher rules: webhooks, specs, watchers and Jobs as the rules
// see them, with ids a reader can follow.

export const T0 = new Date("2026-01-01T00:00:00Z");

export function at(ms: number): Date {
  return new Date(T0.getTime() + ms);
}

/** Ids "w1", "w2", ... in order. */
export function counter(prefix = "id"): () => string {
  let n = 0;
  return () => `${prefix}${++n}`;
}

export function webhook(id: string, over: Partial<Webhook> = {}): Webhook {
  return {
    id,
    url: `http://127.0.0.1:9/${id}`,
    requestBody: undefined,
    description: "",
    secret: undefined,
    createdAt: T0,
    ...over,
  };
}

export function spec(over: Partial<WatcherSpec> = {}): WatcherSpec {
  return {
    namespace: "ns",
    jobName: "job",
    cronJobName: "",
    timeoutSeconds: 0,
    notifyOn: [Outcome.SUCCEEDED],
    triggers: [{ webhookId: "hook", timeoutSeconds: 0 }],
    ...over,
  };
}

/** A stored-looking watcher: `spec` made PENDING at T0, then `over` applied. */
export function watcher(id: string, s: WatcherSpec = spec(), over: Partial<Watcher> = {}): Watcher {
  let n = 0;
  const w = newWatcher(s, { now: T0, newId: () => (n++ === 0 ? id : `${id}.t${n - 1}`) });
  return { ...w.watcher, ...over };
}

/** A watcher to insert, with ids from `ids`. */
export function inserted(
  s: WatcherSpec,
  ids: () => string,
  over: Partial<Omit<NewWatcher, "watcher">> & { now?: Date; jobUid?: string } = {},
): NewWatcher {
  const { now, jobUid, ...rest } = over;
  const n = newWatcher(s, {
    now: now ?? T0,
    newId: ids,
    ...(jobUid !== undefined && { jobUid }),
  });
  return { ...n, ...rest };
}

export function job(over: Partial<JobSummary> = {}): JobSummary {
  return {
    uid: "uid-1",
    namespace: "ns",
    name: "job",
    resourceVersion: "1",
    createdAt: at(1000),
    active: 0,
    succeeded: 0,
    failed: 0,
    labels: {},
    ...over,
  };
}

export function finished(
  outcome: "SUCCEEDED" | "FAILED",
  over: Partial<JobSummary> = {},
): JobSummary {
  return job({
    outcome,
    finishedAt: at(5000),
    ...(outcome === "SUCCEEDED" ? { succeeded: 1 } : { failed: 1 }),
    ...over,
  });
}

export function withStatus(w: Watcher, status: WatcherStatus, jobUid = w.jobUid): Watcher {
  return { ...w, status, jobUid };
}
