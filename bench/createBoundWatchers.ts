import { WatcherStatus, type JobDoneWatcher } from "../proto/gen/jobhooks/v1/watchers.js";
import { waitFor } from "../test/cluster/wait.js";
import type { ControlplaneProcess } from "../test/support/controlplane.js";
import { mapConcurrent } from "./mapConcurrent.js";

/**
 * One watcher per Job, each with one trigger to `webhookId`, created `concurrency` at a time;
 * resolves once every one is bound: PENDING with the Job's UID.
 */
export async function createBoundWatchers(
  cp: ControlplaneProcess,
  namespace: string,
  jobNames: readonly string[],
  webhookId: string,
): Promise<void> {
  await mapConcurrent(jobNames, 20, (jobName) =>
    cp.watchers.createWatcher({
      namespace,
      jobName,
      triggers: [{ webhookId, timeoutSeconds: 0 }],
    }),
  );
  await waitFor(
    `${jobNames.length} watchers in ${namespace} to bind`,
    async () => {
      const bound = (await listAll(cp, namespace)).filter(
        (w) => w.status === WatcherStatus.PENDING && w.jobUid !== "",
      );
      return bound.length >= jobNames.length ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
}

export async function listAll(
  cp: ControlplaneProcess,
  namespace: string,
): Promise<JobDoneWatcher[]> {
  const all: JobDoneWatcher[] = [];
  let pageToken = "";
  do {
    const page = await cp.watchers.listWatchers({ namespace, pageSize: 1000, pageToken });
    all.push(...page.watchers);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return all;
}
