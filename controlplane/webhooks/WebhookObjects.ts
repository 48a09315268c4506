import type { BackoffPolicy } from "../../common/backoff.js";
import { backoffDelay } from "../../common/backoff.js";
import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import { Waker } from "../../common/Waker.js";
import type { KubeApi } from "../kube/KubeApi.js";
import { ListWatch } from "../kube/ListWatch.js";
import { sourceKey } from "../store/rows.js";
import type { Store } from "../store/Store.js";
import type { WebhookKind, WebhookSource } from "../watchers/model.js";
import {
  collectionPath,
  mirroredId,
  mirrorOf,
  sourceOf,
  type MirrorContext,
  type WebhookObject,
} from "./webhookObject.js";
import type { ReadyCondition, WebhookStatus } from "./WebhookStatus.js";

const BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 30_000 };
const KINDS: readonly WebhookKind[] = ["Webhook", "ClusterWebhook"];

type Listed = WebhookObject & { status?: { conditions?: (ReadyCondition & { type: string })[] } };

export interface WebhookObjectsOptions {
  api: KubeApi;
  store: Store;
  status: WebhookStatus;
  log: Logger;
  /** The controlplane's namespace, where ClusterWebhooks' signing Secrets are. */
  ownNamespace: string;
  /** Namespaces watched (--namespaces): Webhooks elsewhere are left alone. Undefined: all. */
  namespaces?: readonly string[];
  checkPayload: MirrorContext["checkPayload"];
  checkUrl: MirrorContext["checkUrl"];
}

/** What is owed for one object: its newest version, or its deletion. */
interface Owed {
  source: WebhookSource;
  object: Listed | undefined;
}

/**
 * Mirrors Webhook and ClusterWebhook objects into the store's webhooks (leader only), so the
 * API lists them and watchers name them like any webhook. A spec the controlplane cannot use
 * (a template that does not parse) is refused in the object's status and the store keeps the
 * last one it could. A deleted object tombstones its webhook. A relist tombstones those whose
 * objects went while nobody watched. Store writes that fail are tried again with backoff.
 */
export class WebhookObjects implements Part {
  readonly name = "webhook-objects";
  private readonly streams: ListWatch<Listed>[];
  private readonly owed = new Map<string, Owed>();
  /** Relists to reconcile: the keys of every object of that kind. */
  private readonly relists = new Map<WebhookKind, Set<string>>();
  /** The generation this run wrote per object, so its status writes are not written again. */
  private readonly applied = new Map<string, number>();
  private readonly waker = new Waker();

  constructor(private readonly o: WebhookObjectsOptions) {
    this.streams = KINDS.map((kind) => this.stream(kind));
  }

  /** True once both kinds are listed in this run. */
  get listed(): boolean {
    return this.streams.every((s) => s.listed);
  }

  async run(signal: AbortSignal): Promise<void> {
    this.applied.clear();
    await Promise.all([...this.streams.map((s) => s.run(signal)), this.apply(signal)]);
  }

  private stream(kind: WebhookKind): ListWatch<Listed> {
    const watched = (o: Listed): boolean =>
      kind === "ClusterWebhook" ||
      !this.o.namespaces ||
      this.o.namespaces.includes(o.metadata.namespace ?? "");
    const owe = (o: Listed, object: Listed | undefined): void => {
      if (!watched(o)) return;
      const source = sourceOf(kind, o);
      this.owed.set(sourceKey(source), { source, object });
      this.waker.wake();
    };
    return new ListWatch<Listed>({
      api: this.o.api,
      path: collectionPath(kind),
      scope: `${kind}s`,
      decode: (object) => object as Listed,
      key: (o) => sourceKey(sourceOf(kind, o)),
      log: this.o.log,
      backoff: BACKOFF,
      pageSize: 500,
      sink: {
        upsert: (o) => owe(o, o),
        remove: (o) => owe(o, undefined),
        relisted: (items) => {
          for (const o of items.values()) owe(o, o);
          this.relists.set(kind, new Set(items.keys()));
          this.waker.wake();
        },
        restarting: () => undefined,
        changed: () => undefined,
      },
    });
  }

  // One loop writes the store, so the versions of one object are applied in order.
  private async apply(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        for (const [key, owed] of [...this.owed]) {
          await this.applyOne(owed);
          if (this.owed.get(key) === owed) this.owed.delete(key);
        }
        for (const [kind, keys] of [...this.relists]) {
          await this.sweep(kind, keys);
          if (this.relists.get(kind) === keys) this.relists.delete(kind);
        }
        failures = 0;
        await this.waker.sleep(undefined, signal);
      } catch (err) {
        failures++;
        this.o.log.warn({ err }, "could not mirror webhook objects; trying again");
        await this.waker.sleep(backoffDelay(failures, BACKOFF), signal);
      }
    }
  }

  private async applyOne({ source, object }: Owed): Promise<void> {
    const key = sourceKey(source);
    const id = mirroredId(source);
    if (!object) {
      this.applied.delete(key);
      this.o.status.track(id, undefined);
      if (await this.o.store.webhooks.tombstone(id, new Date())) {
        this.o.log.info({ object: key, webhook: id }, "webhook object deleted");
      }
      return;
    }
    const generation = object.metadata.generation ?? 0;
    if (this.applied.get(key) === generation) return;
    const mirror = mirrorOf(source.kind, object, {
      ownNamespace: this.o.ownNamespace,
      checkPayload: this.o.checkPayload,
      checkUrl: this.o.checkUrl,
      now: new Date(),
    });
    const violations = "violations" in mirror ? mirror.violations : [];
    if ("webhook" in mirror) {
      await this.o.store.webhooks.put(mirror.webhook);
      this.o.status.track(id, source, object.metadata.uid);
      this.o.log.info({ object: key, webhook: id, generation }, "webhook object mirrored");
    } else {
      this.o.log.warn({ object: key, violations }, "webhook object refused");
    }
    this.applied.set(key, generation);
    const previous = object.status?.conditions?.find((c) => c.type === "Ready");
    this.o.status.judged(source, { generation, webhookId: id, violations }, previous);
  }

  // The mirrored webhooks of `kind` whose objects the relist did not find are gone.
  private async sweep(kind: WebhookKind, keys: ReadonlySet<string>): Promise<void> {
    for (const w of await this.o.store.webhooks.mirrored()) {
      if (!w.source || w.source.kind !== kind || keys.has(sourceKey(w.source))) continue;
      if (this.owed.has(sourceKey(w.source))) continue;
      await this.applyOne({ source: w.source, object: undefined });
    }
  }
}
