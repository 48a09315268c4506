import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import { Waker } from "../../common/Waker.js";
import type { KubeApi } from "../kube/KubeApi.js";
import type { JobEvent } from "./deliveryEvent.js";

export interface JobEventsOptions {
  api: KubeApi;
  log: Logger;
  /** Each Event: sent, failed (refused, or no answer), or dropped (the queue was full). */
  onResult?: (result: "sent" | "failed" | "dropped") => void;
  /** Events waiting at most; more are dropped. Default 5,000. */
  maxQueued?: number;
  /** Events sent at once. Default 2. */
  concurrency?: number;
  /**
   * Events sent per second at most. Default 50: in a burst of Jobs the Events trail behind
   * the deliveries instead of taking the apiserver's time from them and from the labels.
   */
  perSecond?: number;
  /**
   * Whether Events may go now; while not, they wait (looked at every 100 ms). The controlplane
   * holds them while deliveries are in flight: a delivery matters more than its Event.
   */
  idle?: () => boolean;
}

// While not idle, look again after this long.
const IDLE_POLL_MS = 100;

/** Who writes the Events, as `kubectl get events -o wide` shows it. */
export const REPORTING_CONTROLLER = "jobhooks.dev/controlplane";

/**
 * Writes Kubernetes Events (events.k8s.io/v1) about Jobs, so `kubectl describe job` tells what
 * became of its webhooks. Best effort and never in the way of a delivery: record() queues and
 * returns, a few are sent at once while no delivery is in flight, one the apiserver refuses is
 * logged and not tried again, and past `maxQueued` waiting (an apiserver that stalls during a
 * burst) new ones are dropped and counted. Those still waiting when the part stops are dropped.
 */
export class JobEvents implements Part {
  readonly name = "job-events";
  private readonly queue: JobEvent[] = [];
  /** One per worker: a Waker wakes one sleeper. */
  private readonly wakers = new Set<Waker>();
  private readonly instance = hostname();

  constructor(private readonly o: JobEventsOptions) {}

  record(e: JobEvent): void {
    if (this.queue.length >= (this.o.maxQueued ?? 5000)) {
      this.o.onResult?.("dropped");
      return;
    }
    this.queue.push(e);
    for (const waker of this.wakers) waker.wake();
  }

  async run(signal: AbortSignal): Promise<void> {
    const workers = Array.from({ length: this.o.concurrency ?? 2 }, () => this.work(signal));
    await Promise.all(workers);
    if (this.queue.length > 0) {
      this.o.log.info({ events: this.queue.length }, "stopping with Job events not yet written");
      const left = this.queue.splice(0).length;
      for (let i = 0; i < left; i++) this.o.onResult?.("dropped");
    }
  }

  private async work(signal: AbortSignal): Promise<void> {
    // Each of the workers sends one Event per `spacing` ms at most.
    const spacing = ((this.o.concurrency ?? 2) * 1000) / (this.o.perSecond ?? 50);
    const pause = new Waker();
    const waker = new Waker();
    this.wakers.add(waker);
    const stopped = (): boolean => signal.aborted;
    try {
      while (!stopped()) {
        const e = this.queue.shift();
        if (!e) {
          await waker.sleep(undefined, signal);
          continue;
        }
        while (this.o.idle?.() === false && !stopped()) {
          await pause.sleep(IDLE_POLL_MS, signal);
        }
        const began = Date.now();
        await this.send(e, signal);
        await pause.sleep(Math.max(0, began + spacing - Date.now()), signal);
      }
    } finally {
      this.wakers.delete(waker);
    }
  }

  private async send(e: JobEvent, signal: AbortSignal): Promise<void> {
    try {
      await this.o.api.request({
        method: "POST",
        path: `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(e.job.namespace)}/events`,
        body: this.body(e, new Date()),
        signal,
      });
      this.o.onResult?.("sent");
    } catch (err) {
      if (signal.aborted) return;
      this.o.onResult?.("failed");
      const job = `${e.job.namespace}/${e.job.name}`;
      this.o.log.warn({ err, job }, "could not write a Job event");
    }
  }

  private body(e: JobEvent, now: Date): unknown {
    return {
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: {
        name: `${e.job.name}.${randomBytes(8).toString("hex")}`,
        namespace: e.job.namespace,
      },
      // MicroTime: six digits of fractional seconds.
      eventTime: now.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z"),
      reportingController: REPORTING_CONTROLLER,
      reportingInstance: this.instance,
      action: e.action ?? "Deliver",
      reason: e.reason,
      regarding: e.regarding ?? {
        apiVersion: "batch/v1",
        kind: "Job",
        namespace: e.job.namespace,
        name: e.job.name,
        uid: e.job.uid,
      },
      note: e.note,
      type: e.type,
    };
  }
}
