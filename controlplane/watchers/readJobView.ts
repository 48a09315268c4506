import type { JobSummary } from "../jobwatch/jobSummary.js";
import type { PodFailure } from "../jobwatch/podFailures.js";
import type { Store } from "../store/Store.js";
import type { JobView } from "./decideJobEvent.js";
import type { Watcher, Webhook } from "./model.js";

/**
 * What a Job event needs from the store: the Job's open watchers, its CronJob's watchers that
 * have no watcher for it yet (`families`: a Job that appears), and the webhooks their triggers
 * name (`webhooks`: a Job with an outcome, a deletion being one).
 */
export async function readJobView(
  store: Store,
  job: JobSummary,
  read: { families: boolean; webhooks: boolean },
  failedPods?: (job: JobSummary) => Promise<PodFailure[] | undefined>,
): Promise<JobView> {
  const watchers = await store.watchers.openForJob(job.namespace, job.name, job.uid);
  const families =
    read.families && job.cronJobName ? await familiesOf(store, job, job.cronJobName) : [];
  const ids = read.webhooks
    ? new Set([...watchers, ...families].flatMap((w) => w.triggers.map((t) => t.webhookId)))
    : new Set<string>();
  const webhooks = new Map<string, Webhook>();
  for (const id of ids) {
    // A webhook whose object was deleted while watchers named it: they still notify it.
    const webhook = await store.webhooks.get(id, "with-deleted");
    if (webhook) webhooks.set(id, webhook);
  }
  const told = watchers.length > 0 || families.length > 0;
  return { job: await withFailedPods(job, told, failedPods), watchers, families, webhooks };
}

// Why a failed Job failed, asked only when someone is to be told.
async function withFailedPods(
  job: JobSummary,
  told: boolean,
  failedPods: ((job: JobSummary) => Promise<PodFailure[] | undefined>) | undefined,
): Promise<JobSummary> {
  if (job.outcome !== "FAILED" || !told || !failedPods) return job;
  const pods = await failedPods(job);
  return pods ? { ...job, failedPods: pods } : job;
}

// The Job's CronJob watchers that have no watcher for it yet.
async function familiesOf(store: Store, job: JobSummary, cronJobName: string): Promise<Watcher[]> {
  const repo = store.watchers;
  const families = await repo.pendingFamilies(job.namespace, cronJobName);
  if (families.length === 0) return [];
  const done = await repo.parentsWithChild(
    families.map((f) => f.id),
    job.uid,
  );
  return families.filter((f) => !done.has(f.id));
}
