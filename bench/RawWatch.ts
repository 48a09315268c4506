import * as k8s from "@kubernetes/client-node";
import { waitFor } from "../test/cluster/wait.js";

/**
 * The baseline: a plain client-node Watch of batch/v1 Jobs in one namespace, noting when it
 * first sees each Job with Complete=True. What any watch client could do at best.
 */
export class RawWatch {
  /** Date.now() of the first event showing the Job with Complete=True, by Job name. */
  readonly completedAt = new Map<string, number>();
  private readonly seen = new Set<string>();
  private request: AbortController | undefined;
  private failure: string | undefined;

  private constructor() {}

  static async start(kc: k8s.KubeConfig, namespace: string): Promise<RawWatch> {
    const watch = new RawWatch();
    watch.request = await new k8s.Watch(kc).watch(
      `/apis/batch/v1/namespaces/${namespace}/jobs`,
      {},
      (type: string, job: k8s.V1Job) => watch.apply(type, job),
      (err: unknown) => {
        watch.failure = err instanceof Error ? err.message : "closed by the server";
      },
    );
    return watch;
  }

  /** Resolves once the watch has shown every named Job (so it is live before we write). */
  async sees(names: readonly string[]): Promise<void> {
    await waitFor(`the raw watch to show ${names.length} Jobs`, () => {
      this.throwIfFailed();
      return names.every((n) => this.seen.has(n)) ? true : undefined;
    });
  }

  /** Resolves once `count` Jobs were seen complete, or after `timeoutMs` with what there is. */
  async completed(count: number, timeoutMs: number): Promise<void> {
    await waitFor(
      `the raw watch to see ${count} Jobs complete`,
      () => (this.completedAt.size >= count ? true : undefined),
      { timeoutMs, intervalMs: 20 },
    ).catch(() => undefined);
  }

  stop(): void {
    this.request?.abort();
  }

  private apply(type: string, job: k8s.V1Job): void {
    const name = job.metadata?.name;
    if (name === undefined || (type !== "ADDED" && type !== "MODIFIED")) return;
    this.seen.add(name);
    const complete = job.status?.conditions?.some(
      (c) => c.type === "Complete" && c.status === "True",
    );
    if (complete && !this.completedAt.has(name)) this.completedAt.set(name, Date.now());
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw new Error(`raw watch failed: ${this.failure}`);
  }
}
