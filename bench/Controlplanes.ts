import { existsSync, readFileSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { NODE_FLAGS } from "../cli/nodeFlags.js";
import type { TestCluster } from "../test/cluster/TestCluster.js";
import { waitFor } from "../test/cluster/wait.js";
import {
  startControlplane,
  storePathOf,
  type ControlplaneProcess,
  type ControlplaneRun,
} from "../test/support/controlplane.js";

/**
 * The controlplane processes of a run: each started with default flags (the test helper's debug
 * logging turned back to the default, info), all stopped by stopAll(), their stores removed;
 * killed if the benchmark exits any other way.
 */
export class Controlplanes {
  private readonly running = new Set<ControlplaneProcess>();
  private readonly storeDirs = new Set<string>();
  private readonly killAll = (): void => {
    for (const cp of this.running) cp.child.kill("SIGKILL");
  };

  constructor(
    private readonly cluster: TestCluster,
    private readonly progress: (line: string) => void,
  ) {
    process.once("exit", this.killAll);
  }

  /**
   * A controlplane on a new store, or on `storePath` to restart one, with `env` added to its
   * environment and `run`'s role, CLI and flags; resolves once it listens, which may be before it
   * is ready (see waitReady).
   */
  async start(
    storePath?: string,
    env: Record<string, string> = {},
    run: Omit<ControlplaneRun, "storePath"> = {},
  ): Promise<ControlplaneProcess> {
    // The child takes this process's environment as it is when spawned.
    const saved = Object.keys(env).map((k) => [k, process.env[k]] as const);
    Object.assign(process.env, env);
    let cp: ControlplaneProcess;
    try {
      cp = await startControlplane(this.cluster, {
        ...run,
        ...(storePath !== undefined && { storePath }),
        args: ["--log-level=info", ...(run.args ?? [])],
      });
    } finally {
      for (const [k, v] of saved) {
        if (v === undefined) Reflect.deleteProperty(process.env, k);
        else process.env[k] = v;
      }
    }
    this.running.add(cp);
    this.storeDirs.add(dirname(storePathOf(cp)));
    return cp;
  }

  async stop(cp: ControlplaneProcess): Promise<void> {
    if (!this.running.delete(cp)) return;
    await cp.stop();
    // pino levels: 40 warn, 50 error, 60 fatal.
    const troubles = cp.logs.filter((l) => typeof l.level === "number" && l.level >= 40);
    const describe = (l: Record<string, unknown>): string =>
      String(l.msg) + (typeof l.reason === "string" ? ` (${l.reason})` : "");
    const kinds = [...new Set(troubles.map(describe))];
    if (troubles.length > 0) {
      this.progress(
        `controlplane ${cp.child.pid ?? "?"} logged ${troubles.length} warnings or errors: ` +
          kinds.slice(0, 5).join("; "),
      );
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map((cp) => this.stop(cp)));
    for (const dir of this.storeDirs) rmSync(dir, { recursive: true, force: true });
    process.off("exit", this.killAll);
  }
}

/** Waits for the controlplane's /readyz to answer 200 (its first list of Jobs is done). */
export async function waitReady(cp: ControlplaneProcess, timeoutMs = 120_000): Promise<void> {
  await waitFor(
    "controlplane /readyz",
    async () => {
      if (cp.child.exitCode !== null) throw new Error("the controlplane exited");
      const res = await fetch(`http://${cp.healthAddress}/readyz`);
      return res.status === 200 ? true : undefined;
    },
    { timeoutMs, intervalMs: 50 },
  );
}

/** The process's resident set (VmRSS), in MB. */
export async function rssMb(pid: number | undefined): Promise<number> {
  const status = await readFile(`/proc/${pid ?? "self"}/status`, "utf8");
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid ?? "self"}`);
  return Number(kb) / 1024;
}

/**
 * How to start another build (its dist/cli/main.js) for a comparison: a build from before
 * --allow-destinations existed refuses that flag, so it is left out for such a build.
 */
export function otherBuild(main: string): { main: string; legacyFlags: boolean } {
  const options = join(dirname(main), "options.js");
  const knows = existsSync(options) && readFileSync(options, "utf8").includes("allow-destinations");
  return { main, legacyFlags: !knows };
}

/**
 * Node flags of a build in a comparison: none for the other build (builds before NODE_FLAGS
 * ran without), jobhooks' own for this one, and JOBHOOKS_PARITY_NEW_NODE_ARGS's after them, to
 * weigh a flag (give this build's main as the other build to compare it with no flags at all).
 */
export function newNodeArgs(build: "old" | "new"): string[] {
  if (build === "old") return [];
  const extra = (process.env.JOBHOOKS_PARITY_NEW_NODE_ARGS ?? "").split(" ").filter(Boolean);
  return [...NODE_FLAGS, ...extra];
}
