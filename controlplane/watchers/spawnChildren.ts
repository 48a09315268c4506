import type { JobSummary } from "../jobwatch/jobSummary.js";
import type { NewWatcher } from "../store/WatcherRepo.js";
import type { Watcher, WatcherSpec } from "./model.js";
import { newWatcher } from "./newWatcher.js";

/**
 * The watchers CronJob watchers make for one Job of their CronJob: one each, for Jobs created
 * after the CronJob watcher (it is about future runs, not yesterday's). `families` are those
 * without a watcher for this Job yet.
 */
export function spawnChildren(
  job: JobSummary,
  families: readonly Watcher[],
  c: { now: Date; newId?: () => string },
): NewWatcher[] {
  // creationTimestamp has whole seconds: a Job created in the watcher's second counts.
  const fresh = families.filter(
    (f) => job.createdAt.getTime() >= Math.floor(f.createdAt.getTime() / 1000) * 1000,
  );
  return fresh.map((family) =>
    newWatcher(childSpec(family, job), {
      now: c.now,
      parentId: family.id,
      jobUid: job.uid,
      ...(c.newId && { newId: c.newId }),
    }),
  );
}

function childSpec(parent: Watcher, job: JobSummary): WatcherSpec {
  return {
    namespace: job.namespace,
    jobName: job.name,
    cronJobName: "",
    timeoutSeconds: 0,
    notifyOn: parent.notifyOn,
    triggers: parent.triggers.map((t) => ({
      webhookId: t.webhookId,
      timeoutSeconds: t.timeoutSeconds,
    })),
  };
}
