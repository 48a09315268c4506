import type { Logger } from "../common/logger.js";
import type { Part } from "../common/runGroup.js";
import { AnnotatedJobs } from "./annotations/AnnotatedJobs.js";
import { CronJobAnnotations } from "./annotations/CronJobAnnotations.js";
import type { DispatcherOptions } from "./dispatcher/Dispatcher.js";
import type { JobEvent } from "./jobevents/deliveryEvent.js";
import type { JobWatchHandler } from "./jobwatch/JobWatchHandler.js";
import type { KubeApi } from "./kube/KubeApi.js";
import type { Store } from "./store/Store.js";
import type { SecretRef } from "./watchers/model.js";
import type { MirrorContext } from "./webhooks/webhookObject.js";
import { SigningSecrets } from "./webhooks/SigningSecrets.js";
import { WebhookObjects } from "./webhooks/WebhookObjects.js";
import { WebhookStatus, type LastDelivery } from "./webhooks/WebhookStatus.js";
import { webhookObjectEvent } from "./webhooks/healthCondition.js";

export interface DeclarativeOptions {
  api: KubeApi;
  store: Store;
  log: Logger;
  /** Where ClusterWebhooks' signing Secrets are (--secrets-namespace). */
  secretsNamespace: string;
  namespaces: readonly string[] | undefined;
  checkPayload: MirrorContext["checkPayload"];
  /** The egress policy's judgement of a Webhook object's spec.url (an IP address host). */
  checkUrl: MirrorContext["checkUrl"];
  /** A Warning Event on a Job; undefined with --job-events=false (then only logged). */
  warn: ((e: JobEvent) => void) | undefined;
}

/** What declarative use adds to the controlplane. */
export interface Declarative {
  /** The leader's: mirroring Webhook objects, writing their status, caching CronJobs. */
  parts: Part[];
  /** Job events pass here first: annotated Jobs get their watchers, then `next` decides. */
  jobs: (next: JobWatchHandler) => JobWatchHandler;
  /** The dispatcher's reader of signing Secrets. */
  secretOf: (ref: SecretRef) => Promise<string>;
  /** A mirrored webhook's object, "Webhook team-a/chat" or "ClusterWebhook chat". */
  nameOf: (webhookId: string) => string | undefined;
  /** Each recorded attempt, for the status of the webhook object it went to. */
  onAttempt: NonNullable<DispatcherOptions["onAttempt"]>;
  /** A webhook was disabled or enabled: its object's status and an Event on it, if mirrored. */
  healthChanged: (webhookId: string, disabled: boolean) => void;
}

/**
 * Webhooks as Kubernetes objects (Webhook, ClusterWebhook), Jobs and CronJobs that name them in
 * annotations, and signing secrets read from Secrets.
 */
export function declarative(o: DeclarativeOptions): Declarative {
  const log = o.log.child({ part: "webhook-objects" });
  const status = new WebhookStatus({ api: o.api, store: o.store, log });
  const objects = new WebhookObjects({
    api: o.api,
    store: o.store,
    status,
    log,
    ownNamespace: o.secretsNamespace,
    ...(o.namespaces && { namespaces: o.namespaces }),
    checkPayload: o.checkPayload,
    checkUrl: o.checkUrl,
  });
  const cronJobs = new CronJobAnnotations(o.api, o.log.child({ part: "cronjobs" }), o.namespaces);
  const secrets = new SigningSecrets(o.api);
  return {
    parts: [objects, status, cronJobs],
    jobs: (next) =>
      new AnnotatedJobs({
        next,
        store: o.store,
        cronJob: (namespace, name) => cronJobs.of(namespace, name),
        warn: o.warn ?? ((): void => undefined),
        log: o.log.child({ part: "annotations" }),
      }),
    secretOf: (ref) => secrets.get(ref),
    nameOf: (id) => {
      const s = status.sourceOf(id);
      return (
        s &&
        (s.kind === "Webhook" ? `Webhook ${s.namespace}/${s.name}` : `ClusterWebhook ${s.name}`)
      );
    },
    healthChanged: (webhookId, disabled) => {
      status.refresh(webhookId);
      const source = status.sourceOf(webhookId);
      const uid = status.uidOf(webhookId);
      if (source) o.warn?.(webhookObjectEvent(source, { webhookId, uid, disabled }));
    },
    onAttempt: (d, step, watcher) => {
      if (!watcher) return;
      const webhookId = watcher.triggers.find((t) => t.id === d.triggerId)?.webhookId;
      if (!webhookId) return;
      const last: LastDelivery = {
        time: step.record.calledAt.toISOString(),
        result:
          step.outcome === "delivered"
            ? "Delivered"
            : step.outcome === "retry"
              ? "Retrying"
              : "Failed",
        job: `${watcher.namespace}/${watcher.jobName}`,
        attempts: step.record.attempts,
        message: step.record.lastError.slice(0, 1024),
      };
      status.delivery(webhookId, last);
    },
  };
}
