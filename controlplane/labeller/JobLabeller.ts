import * as k8s from "@kubernetes/client-node";
import type { KubeApi } from "../../common/kubeApi.js";
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

/**
 * Labels Jobs whose watchers have all ended. The store queues them in the same transaction that
 * ends the last watcher, so a restart loses none; a Job that is gone, or was replaced by another
 * of the same name, is skipped.
 */
export class JobLabeller implements Part {
  readonly name = "job-labeller";
  private readonly batch: k8s.BatchV1Api;
  private readonly waker = new Waker();

  constructor(
    api: KubeApi,
    private readonly store: Store,
    private readonly log: Logger,
    private readonly backoff: BackoffPolicy,
  ) {
    this.batch = api.client(k8s.BatchV1Api);
  }

  kick(): void {
    this.waker.wake();
  }

  async run(signal: AbortSignal): Promise<void> {
    await runStoreLoop(
      { health: this.store.health, log: this.log, waker: this.waker, turn: () => this.turn() },
      signal,
    );
  }

  // Labels what is due; returns how long to wait before the next look.
  private async turn(): Promise<number> {
    const due = this.store.labels.due(new Date(), BATCH);
    await Promise.all(due.map((t) => this.label(t.jobUid, t.namespace, t.name, t.attempts)));
    if (due.length === BATCH) return 0;
    const next = this.store.labels.nextDue();
    return next ? Math.min(POLL_MS, Math.max(0, next.getTime() - Date.now())) : POLL_MS;
  }

  // A store that cannot record the result throws: the label is put on again later, harmlessly.
  private async label(
    uid: string,
    namespace: string,
    name: string,
    attempts: number,
  ): Promise<void> {
    try {
      await this.batch.patchNamespacedJob(
        // metadata.uid in a patch is a precondition: a newer Job of the same name is left alone.
        {
          name,
          namespace,
          body: { metadata: { uid, labels: { [WEBHOOKS_CALLED_LABEL]: "true" } } },
        },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
      );
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code !== 404 && code !== 409) {
        const retryIn = backoffDelay(attempts + 1, this.backoff);
        this.log.warn(
          { err, job: `${namespace}/${name}`, retryIn },
          "could not label the Job; will retry",
        );
        this.store.labels.retry(uid, new Date(Date.now() + retryIn));
        return;
      }
    }
    // Labelled, or the Job is gone or replaced: nothing more to do for it.
    this.store.labels.done(uid);
  }
}
