import type { FieldViolation } from "../../contract/errors.js";
import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import { Waker } from "../../common/Waker.js";
import type { KubeApi } from "../kube/KubeApi.js";
import { KubeApiError } from "../kube/KubeApiError.js";
import { PatchType } from "../kube/sendRequest.js";
import { sourceKey } from "../store/rows.js";
import type { Store } from "../store/Store.js";
import type { WebhookSource } from "../watchers/model.js";
import { statusPath } from "./webhookObject.js";
import { healthStatus, type DisabledCondition } from "./healthCondition.js";

/** How the last delivery to a webhook went, as its status shows it. */
export interface LastDelivery {
  time: string;
  result: "Delivered" | "Retrying" | "Failed";
  /** namespace/name of the Job. */
  job: string;
  attempts: number;
  message: string;
}

/** The Ready condition an object had, to keep its lastTransitionTime when it stays the same. */
export interface ReadyCondition {
  status: "True" | "False";
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface WebhookStatusOptions {
  api: KubeApi;
  store: Store;
  log: Logger;
  /** A webhook's delivery status is written at most once per this many ms. Default 2,000. */
  flushMs?: number;
  now?: () => Date;
}

interface Due {
  source: WebhookSource;
  status: Record<string, unknown>;
  /** Delivery status: counted from the store when written. */
  webhookId?: string;
}

/**
 * Writes the status of Webhook and ClusterWebhook objects: whether the controlplane accepted
 * the spec (Ready), and how deliveries to it go (the last one, counts). Delivery results are
 * gathered and written at most every `flushMs` per object, so a burst of Jobs costs a few
 * status writes, not one per delivery. Best effort: a write that fails is logged and the next
 * result writes again.
 */
export class WebhookStatus implements Part {
  readonly name = "webhook-status";
  private readonly due = new Map<string, Due>();
  /** Mirrored webhooks by id: only those have an object to write to. */
  private readonly sources = new Map<string, WebhookSource>();
  /** Their objects' uids, for Events about them. */
  private readonly uids = new Map<string, string>();
  /** The conditions last written, by source key: a write of one keeps the other. */
  private readonly ready = new Map<string, Condition & { lastTransitionTime: string }>();
  private readonly disabled = new Map<string, DisabledCondition>();
  private readonly waker = new Waker();
  private readonly now: () => Date;

  constructor(private readonly o: WebhookStatusOptions) {
    this.now = o.now ?? ((): Date => new Date());
  }

  /** The webhook `id` mirrors the object at `source`, uid `uid` (undefined: it no longer does). */
  track(id: string, source: WebhookSource | undefined, uid?: string): void {
    const before = this.sources.get(id);
    if (before && !source) {
      this.ready.delete(sourceKey(before));
      this.disabled.delete(sourceKey(before));
    }
    if (source) this.sources.set(id, source);
    else this.sources.delete(id);
    if (source && uid !== undefined) this.uids.set(id, uid);
    else this.uids.delete(id);
  }

  /** The object webhook `id` mirrors, if it is one this leader mirrors. */
  sourceOf(id: string): WebhookSource | undefined {
    return this.sources.get(id);
  }

  /** The uid of that object, when known. */
  uidOf(id: string): string | undefined {
    return this.uids.get(id);
  }

  /** Webhook `id`'s health changed (enabled): its object's status says so at the next flush. */
  refresh(id: string): void {
    const source = this.sources.get(id);
    if (source) this.set(source, {}, id);
    this.waker.wake();
  }

  /** The spec of generation `generation` is in use, or refused for `violations`. */
  judged(
    source: WebhookSource,
    c: { generation: number; webhookId: string; violations: FieldViolation[] },
    previous: ReadyCondition | undefined,
  ): void {
    const condition = readyCondition(c.violations, c.generation);
    const key = sourceKey(source);
    if (previous && sameCondition(previous, condition)) {
      this.ready.set(key, { ...condition, lastTransitionTime: previous.lastTransitionTime });
      return;
    }
    const lastTransitionTime =
      previous?.status === condition.status
        ? previous.lastTransitionTime
        : this.now().toISOString();
    this.ready.set(key, { ...condition, lastTransitionTime });
    const status = {
      observedGeneration: c.generation,
      webhookId: c.webhookId,
      conditions: this.conditions(key),
    };
    this.set(source, status);
    this.waker.wake();
  }

  /** A delivery attempt to webhook `id` was recorded. */
  delivery(id: string, last: LastDelivery): void {
    const source = this.sources.get(id);
    if (source) this.set(source, { lastDelivery: last }, id);
  }

  async run(signal: AbortSignal): Promise<void> {
    const flushMs = this.o.flushMs ?? 2000;
    while (!signal.aborted) {
      await this.waker.sleep(flushMs, signal);
      const batch = [...this.due.values()];
      this.due.clear();
      // Stopping: a write under way is aborted, the rest fail at once and are not logged.
      for (const d of batch) await this.write(d, signal);
    }
  }

  private set(source: WebhookSource, status: Record<string, unknown>, webhookId?: string): void {
    const key = sourceKey(source);
    const before = this.due.get(key);
    const id = webhookId ?? before?.webhookId;
    this.due.set(key, {
      source,
      status: { ...before?.status, ...status },
      ...(id !== undefined && { webhookId: id }),
    });
  }

  // Health fields, and the conditions (Ready as last judged, Disabled) when Ready is known: a
  // merge patch replaces the whole list, so it is written whole or not at all.
  private async health(source: WebhookSource, id: string): Promise<Record<string, unknown>> {
    const w = await this.o.store.webhooks.get(id, "with-deleted");
    if (!w) return {};
    const key = sourceKey(source);
    const h = healthStatus(w, this.disabled.get(key), this.now());
    this.disabled.set(key, h.condition);
    const fields = { disabledAt: h.disabledAt, failingSince: h.failingSince };
    return this.ready.has(key) ? { ...fields, conditions: this.conditions(key) } : fields;
  }

  private conditions(key: string): unknown[] {
    return [this.ready.get(key), this.disabled.get(key)].filter((c) => c !== undefined);
  }

  private async write(d: Due, signal: AbortSignal): Promise<void> {
    try {
      const counts = d.webhookId ? await this.o.store.webhooks.outcomes(d.webhookId) : {};
      const health = d.webhookId ? await this.health(d.source, d.webhookId) : {};
      await this.o.api.request({
        method: "PATCH",
        path: statusPath(d.source),
        contentType: PatchType.merge,
        body: { status: { ...d.status, ...counts, ...health } },
        signal,
      });
    } catch (err) {
      if (signal.aborted) return;
      // Deleted meanwhile: nothing to tell.
      if (err instanceof KubeApiError && err.code === 404) return;
      this.o.log.warn({ err, object: sourceKey(d.source) }, "could not write a webhook's status");
    }
  }
}

type Condition = Omit<ReadyCondition, "lastTransitionTime"> & {
  type: "Ready";
  observedGeneration: number;
};

function readyCondition(violations: FieldViolation[], generation: number): Condition {
  const ready = violations.length === 0;
  const message = violations.map((v) => `${v.field}: ${v.description}`).join("; ");
  return {
    type: "Ready",
    status: ready ? "True" : "False",
    reason: ready ? "Accepted" : "InvalidSpec",
    message: ready ? "in use" : message.slice(0, 4096),
    observedGeneration: generation,
  };
}

// The object says so already: writing it again would only make a watch event.
function sameCondition(previous: ReadyCondition | undefined, c: Condition): boolean {
  return (
    previous?.status === c.status &&
    previous.reason === c.reason &&
    previous.message === c.message &&
    previous.observedGeneration === c.observedGeneration
  );
}
