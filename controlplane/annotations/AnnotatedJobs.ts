import type { Logger } from "../../common/logger.js";
import type { JobEvent } from "../jobevents/deliveryEvent.js";
import type { JobSummary } from "../jobwatch/jobSummary.js";
import type { JobWatchHandler } from "../jobwatch/JobWatchHandler.js";
import { WEBHOOKS_CALLED_LABEL } from "../labeller/JobLabeller.js";
import type { Store } from "../store/Store.js";
import { IdempotencyConflictError } from "../store/WatcherRepo.js";
import type { Webhook, WebhookKind, WatcherSpec } from "../watchers/model.js";
import { newWatcher } from "../watchers/newWatcher.js";
import { hashSpec } from "../watchers/requestKeys.js";
import { RESERVED_KEY_PREFIX } from "../watchers/validate.js";
import { mirroredId, usableFrom } from "../webhooks/webhookObject.js";
import { annotatedRequest, namesWebhooks, type AnnotatedRequest } from "./jobAnnotations.js";

export interface AnnotatedJobsOptions {
  /** Where every Job event goes after this one made the Job's watcher. */
  next: JobWatchHandler;
  store: Store;
  /** The annotations of a CronJob that names webhooks (CronJobAnnotations.of). */
  cronJob: (namespace: string, name: string) => Record<string, string> | undefined;
  /** A Warning Event on a Job (JobEvents.record). */
  warn: (e: JobEvent) => void;
  log: Logger;
  now?: () => Date;
}

/** The idempotency key of the watcher an annotated Job gets: one per Job, whoever makes it. */
export function annotatedKey(jobUid: string): string {
  return `${RESERVED_KEY_PREFIX}job:${jobUid}`;
}

/**
 * Makes the watcher of each Job whose annotations (or whose CronJob's) name webhooks, before the
 * event reaches the engine, which then binds and notifies it like any other. The watcher has
 * one idempotency key per Job uid, so however often the Job is seen (relists, restarts, a new
 * leader) it is made once. A Job already labelled webhooks-called was told before (by a store
 * since lost, say) and is left alone. Names that are no usable webhook get a Warning Event on
 * the Job; while the Job runs such a name may still appear (a Webhook applied with it), so the
 * watcher waits for the Job's end to be made with the names it has by then.
 */
export class AnnotatedJobs implements JobWatchHandler {
  /** Jobs whose watcher is made (or that need none), by uid. */
  private readonly done = new Set<string>();
  private readonly warned = new Set<string>();
  private readonly now: () => Date;

  constructor(private readonly o: AnnotatedJobsOptions) {
    this.now = o.now ?? ((): Date => new Date());
  }

  async upsert(job: JobSummary): Promise<void> {
    if (!this.done.has(job.uid)) await this.ensure(job);
    await this.o.next.upsert(job);
  }

  remove(job: JobSummary): Promise<void> {
    this.done.delete(job.uid);
    this.warned.delete(job.uid);
    return this.o.next.remove(job);
  }

  synced(jobs: ReadonlyMap<string, JobSummary>): Promise<void> {
    for (const uid of this.done) if (!jobs.has(uid)) this.done.delete(uid);
    for (const uid of this.warned) if (!jobs.has(uid)) this.warned.delete(uid);
    return this.o.next.synced(jobs);
  }

  private async ensure(job: JobSummary): Promise<void> {
    const request = annotatedRequest(this.annotationsOf(job));
    if (!request || job.labels[WEBHOOKS_CALLED_LABEL] === "true") {
      this.done.add(job.uid);
      return;
    }
    const { usable, refused } = await this.resolve(job, request);
    const missing = refused.some((r) => r.reason === "WebhookNotFound");
    this.warnOnce(job, refused, request.problems);
    // A missing name may be applied while the Job runs: decided at its end.
    if (missing && job.outcome === undefined) return;
    if (usable.length > 0) await this.create(job, request, usable);
    this.done.add(job.uid);
  }

  // A Job's own annotations (a CronJob's jobTemplate ones are copied onto it), else its CronJob's.
  private annotationsOf(job: JobSummary): Record<string, string> | undefined {
    if (namesWebhooks(job.annotations)) return job.annotations;
    return job.cronJobName ? this.o.cronJob(job.namespace, job.cronJobName) : undefined;
  }

  private async resolve(
    job: JobSummary,
    request: AnnotatedRequest,
  ): Promise<{ usable: Webhook[]; refused: { reason: string; note: string }[] }> {
    const usable: Webhook[] = [];
    const refused: { reason: string; note: string }[] = [];
    const named: [WebhookKind, string][] = [
      ...request.webhooks.map((n): [WebhookKind, string] => ["Webhook", n]),
      ...request.clusterWebhooks.map((n): [WebhookKind, string] => ["ClusterWebhook", n]),
    ];
    for (const [kind, name] of named) {
      const namespace = kind === "Webhook" ? job.namespace : "";
      const w = await this.o.store.webhooks.get(mirroredId({ kind, namespace, name }));
      const what =
        kind === "Webhook" ? `Webhook ${job.namespace}/${name}` : `ClusterWebhook ${name}`;
      if (!w) {
        const note = `${what} does not exist or its spec was never accepted (kubectl get ${kind.toLowerCase()}s)`;
        refused.push({ reason: "WebhookNotFound", note });
      } else if (!usableFrom(w, job.namespace)) {
        const note = `${what} does not allow Jobs of namespace ${job.namespace} (spec.namespaces)`;
        refused.push({ reason: "WebhookForbidden", note });
      } else {
        usable.push(w);
      }
    }
    return { usable, refused };
  }

  private async create(
    job: JobSummary,
    request: AnnotatedRequest,
    usable: Webhook[],
  ): Promise<void> {
    const spec: WatcherSpec = {
      namespace: job.namespace,
      jobName: job.name,
      cronJobName: "",
      timeoutSeconds: 0,
      notifyOn: request.notifyOn,
      triggers: usable.map((w) => ({
        webhookId: w.id,
        timeoutSeconds: w.options?.timeoutSeconds ?? 0,
      })),
    };
    const idempotencyKey = annotatedKey(job.uid);
    try {
      const made = await this.o.store.watchers.create(
        newWatcher(spec, {
          now: this.now(),
          jobUid: job.uid,
          idempotencyKey,
          requestHash: hashSpec(spec),
        }),
      );
      if (made.created) {
        this.o.log.info(
          { job: `${job.namespace}/${job.name}`, watcher: made.watcher.id },
          "watcher made from annotations",
        );
      }
    } catch (err) {
      // Made before with other annotations (they changed since): the first stands.
      if (!(err instanceof IdempotencyConflictError)) throw err;
    }
  }

  // Once per Job (in this process): every name it may not use, and what was not understood.
  private warnOnce(
    job: JobSummary,
    refused: { reason: string; note: string }[],
    problems: string[],
  ): void {
    if (this.warned.has(job.uid) || (refused.length === 0 && problems.length === 0)) return;
    this.warned.add(job.uid);
    for (const r of refused) this.warning(job, r.reason, r.note);
    if (problems.length > 0) this.warning(job, "InvalidAnnotation", problems.join("; "));
  }

  private warning(job: JobSummary, reason: string, note: string): void {
    this.o.log.warn({ job: `${job.namespace}/${job.name}`, reason, note }, "annotated Job");
    this.o.warn({
      job: { namespace: job.namespace, name: job.name, uid: job.uid },
      type: "Warning",
      reason,
      note,
    });
  }
}
