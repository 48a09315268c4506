import type { BackoffPolicy } from "../../common/backoff.js";
import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import { UnavailableError } from "../../contract/errors.js";
import type { KubeApi } from "../kube/KubeApi.js";
import { ListWatch } from "../kube/ListWatch.js";
import { namesWebhooks, ownAnnotations } from "./jobAnnotations.js";

const BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 30_000 };
// How long a Job of a CronJob waits for the CronJobs' first list before it goes without them.
const LIST_GRACE_MS = 15_000;

interface CronJobMeta {
  metadata?: { namespace?: string; name?: string; annotations?: Record<string, string> };
}

interface Kept {
  key: string;
  annotations: Record<string, string>;
}

/**
 * The jobhooks.dev annotations of every CronJob that has them (leader only), so a Job a CronJob
 * made is watched when the CronJob itself names webhooks. Small: a CronJob without them is not
 * kept.
 */
export class CronJobAnnotations implements Part {
  readonly name = "cronjob-annotations";
  private readonly byName = new Map<string, Record<string, string>>();
  private readonly stream: ListWatch<Kept>;
  private startedAt = Date.now();
  private warned = false;

  constructor(
    api: KubeApi,
    private readonly log: Logger,
    namespaces?: readonly string[],
  ) {
    this.stream = new ListWatch<Kept>({
      api,
      path: "/apis/batch/v1/cronjobs",
      scope: "CronJobs in all namespaces",
      decode: (object) => {
        const m = (object as CronJobMeta).metadata;
        return {
          key: `${m?.namespace ?? ""}/${m?.name ?? ""}`,
          annotations: ownAnnotations(m?.annotations),
        };
      },
      key: (k) => k.key,
      log,
      backoff: BACKOFF,
      pageSize: 500,
      sink: {
        upsert: (k) => this.keep(k, namespaces),
        remove: (k) => this.byName.delete(k.key),
        relisted: (items) => {
          this.byName.clear();
          for (const k of items.values()) this.keep(k, namespaces);
        },
        restarting: () => undefined,
        changed: () => undefined,
      },
    });
  }

  run(signal: AbortSignal): Promise<void> {
    this.startedAt = Date.now();
    this.warned = false;
    return this.stream.run(signal);
  }

  /**
   * The annotations of a CronJob, undefined if it names no webhook. Throws (a Job event to apply
   * again later) until the CronJobs are listed: a Job is not judged on a cache that lacks its
   * CronJob.
   */
  of(namespace: string, name: string): Record<string, string> | undefined {
    if (!this.stream.listed) {
      if (Date.now() - this.startedAt < LIST_GRACE_MS) {
        throw new UnavailableError("the CronJobs are not listed yet");
      }
      // Not listed for long (no right to list CronJobs, say): Jobs go by their own annotations
      // rather than wait, and their other watchers with them.
      if (!this.warned) {
        this.warned = true;
        this.log.warn(
          { waitedMs: LIST_GRACE_MS },
          "CronJobs are not listed; Jobs made by a CronJob go by their own annotations until they are",
        );
      }
      return undefined;
    }
    return this.byName.get(`${namespace}/${name}`);
  }

  private keep(k: Kept, namespaces: readonly string[] | undefined): void {
    const namespace = k.key.slice(0, k.key.indexOf("/"));
    if (namesWebhooks(k.annotations) && (!namespaces || namespaces.includes(namespace))) {
      this.byName.set(k.key, k.annotations);
    } else {
      this.byName.delete(k.key);
    }
  }
}
