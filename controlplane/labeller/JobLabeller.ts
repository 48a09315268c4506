import type { KubeApi } from "../kube/KubeApi.js";
import { PatchType } from "../kube/sendRequest.js";
import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import { Waker } from "../../common/Waker.js";
import { runStoreLoop } from "../store/runStoreLoop.js";
import { backoffDelay, type BackoffPolicy } from "../../common/backoff.js";
import type { Store } from "../store/Store.js";

/** Set on a Job once every watcher of it has ended, as k8s-job-webhooks did. */
export const WEBHOOKS_CALLED_LABEL = "app.k8s.job.webhooks/webhooks-called";

const POLL_MS = 1000;
const BATCH = 50;
// A Job handed to this replica is left to it this long: its patch is bounded by the apiserver
// request timeout (10 s by default). A replica that dies leaves its Jobs to the others after it.
const CLAIM_MS = 15_000;

/**
 * Labels Jobs whose watchers have all ended. The store queues them in the same transaction that
 * ends the last watcher, so a restart loses none; a Job that is gone, or was replaced by another
 * of the same name, is skipped.
 */
export class JobLabeller implements Part {
  readonly name = "job-labeller";
  private readonly waker = new Waker();

  constructor(
    private readonly api: KubeApi,
    private readonly store: Store,
    private readonly log: Logger,
    private readonly backoff: BackoffPolicy,
  ) {}

  kick(): void {
    this.waker.wake();
  }

  async run(signal: AbortSignal): Promise<void> {
    await runStoreLoop(
      {
        health: this.store.health,
        log: this.log,
        waker: this.waker,
        turn: () => this.turn(signal),
      },
      signal,
    );
  }

  // Labels what is due; returns how long to wait before the next look.
  private async turn(signal: AbortSignal): Promise<number> {
    const now = new Date();
    const due = await this.store.labels.due(now, BATCH, new Date(now.getTime() + CLAIM_MS));
    await Promise.all(due.map((t) => this.label(t, signal)));
    if (due.length === BATCH) return 0;
    const next = await this.store.labels.nextDue();
    return next ? Math.min(POLL_MS, Math.max(0, next.getTime() - Date.now())) : POLL_MS;
  }

  // A store that cannot record the result throws: the label is put on again later, harmlessly.
  private async label(
    due: { jobUid: string; namespace: string; name: string; attempts: number },
    signal: AbortSignal,
  ): Promise<void> {
    const { jobUid: uid, namespace, name, attempts } = due;
    try {
      await this.api.request({
        method: "PATCH",
        path: `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs/${encodeURIComponent(name)}`,
        contentType: PatchType.merge,
        // metadata.uid in a patch is a precondition: a newer Job of the same name is left alone.
        body: { metadata: { uid, labels: { [WEBHOOKS_CALLED_LABEL]: "true" } } },
        signal,
      });
    } catch (err) {
      // Stopping: the label stays due and is put on at the next start.
      if (signal.aborted) return;
      const code = (err as { code?: number }).code;
      if (code !== 404 && code !== 409) {
        const retryIn = backoffDelay(attempts + 1, this.backoff);
        this.log.warn(
          { err, job: `${namespace}/${name}`, retryIn },
          "could not label the Job; will retry",
        );
        await this.store.labels.retry(uid, new Date(Date.now() + retryIn));
        return;
      }
    }
    // Labelled, or the Job is gone or replaced: nothing more to do for it.
    await this.store.labels.done(uid);
  }
}
