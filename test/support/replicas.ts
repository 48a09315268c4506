import type { JobDoneWatcher } from "../../proto/gen/jobhooks/v1/watchers.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import {
  freshStore,
  startControlplane,
  type ControlplaneProcess,
  type ControlplaneRun,
} from "./controlplane.js";

/**
 * Controlplane processes on one PostgreSQL database, as the replicas of a Deployment: any may
 * be killed and started again with the same flags.
 */
export class Replicas {
  private constructor(
    private readonly cluster: TestCluster,
    private readonly run: ControlplaneRun,
    readonly all: (ControlplaneProcess | undefined)[],
  ) {}

  static async start(
    cluster: TestCluster,
    count: number,
    run: ControlplaneRun = {},
  ): Promise<Replicas> {
    const store = run.store ?? (await freshStore("postgres"));
    const full = { ...run, store };
    // One at a time: the first migrates the schema (the others would wait on its lock anyway).
    const all: ControlplaneProcess[] = [];
    for (let i = 0; i < count; i++) all.push(await startControlplane(cluster, full));
    return new Replicas(cluster, full, all);
  }

  /** The replicas running now. */
  get live(): ControlplaneProcess[] {
    return this.all.filter((r): r is ControlplaneProcess => r !== undefined);
  }

  /** Any running replica (the first). */
  any(): ControlplaneProcess {
    const r = this.live[0];
    if (!r) throw new Error("no replica is running");
    return r;
  }

  /**
   * The index of the replica that leads (jobhooks_leader 1 on its /metrics), once exactly one
   * of those running says so.
   */
  async leader(timeoutMs = 30_000): Promise<number> {
    return waitFor(
      "one replica to lead",
      async () => {
        const says = await Promise.all(this.all.map(async (r) => (r ? await leads(r) : false)));
        const leaders = says.flatMap((yes, i) => (yes ? [i] : []));
        return leaders.length === 1 ? leaders[0] : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  async kill(i: number): Promise<void> {
    await this.all[i]?.kill();
    this.all[i] = undefined;
  }

  async restart(i: number): Promise<ControlplaneProcess> {
    const r = await startControlplane(this.cluster, this.run);
    this.all[i] = r;
    return r;
  }

  async stop(): Promise<void> {
    await Promise.all(this.live.map((r) => r.stop()));
  }

  /** Every watcher of `namespace`, read through any running replica. */
  async watchersOf(namespace: string): Promise<JobDoneWatcher[]> {
    const all: JobDoneWatcher[] = [];
    let pageToken = "";
    do {
      const page = await this.any().watchers.listWatchers({ namespace, pageToken });
      all.push(...page.watchers);
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    return all;
  }
}

async function leads(r: ControlplaneProcess): Promise<boolean> {
  try {
    const res = await fetch(`http://${r.healthAddress}/metrics`, {
      signal: AbortSignal.timeout(2000),
    });
    return /^jobhooks_leader 1$/m.test(await res.text());
  } catch {
    return false; // dying or not yet listening
  }
}

/**
 * GETs and POSTs through whichever replica answers, as a client behind a Service that retries a
 * refused connection on the next endpoint, until stop(); keeps every status code answered.
 */
export function restTraffic(
  urls: () => string[],
  namespace: string,
): { statuses: Map<number, number>; refused: number; stop: () => Promise<void> } {
  const statuses = new Map<number, number>();
  const state = { refused: 0, stopping: false };
  const loop = (async (): Promise<void> => {
    for (let i = 0; !state.stopping; i++) {
      const targets = urls();
      for (let t = 0; t < targets.length; t++) {
        const base = targets[(i + t) % targets.length] ?? "";
        const post = i % 5 === 0;
        try {
          const res = await fetch(
            post ? `${base}/webhooks` : `${base}/job-done-watchers?namespace=${namespace}&limit=5`,
            post
              ? {
                  method: "POST",
                  headers: { "content-type": "application/json" },
                  body: JSON.stringify({
                    url: "http://127.0.0.1:59999/replicas",
                    description: "load",
                  }),
                  signal: AbortSignal.timeout(10_000),
                }
              : { signal: AbortSignal.timeout(10_000) },
          );
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          break;
        } catch {
          state.refused++; // refused or reset by a replica that died: the next one
        }
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  return {
    statuses,
    get refused() {
      return state.refused;
    },
    stop: async () => {
      state.stopping = true;
      await loop;
    },
  };
}
