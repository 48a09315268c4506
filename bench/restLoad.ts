// An autocannon load on a REST API, in this process or in a child of its own, and the bare
// node:http yardstick (bareHttp.ts) to measure it beside. Loopback only.
import autocannon from "autocannon";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { repoRoot } from "../test/cluster/paths.js";
import { spawnTied } from "../test/cluster/ProcessGroup.js";

export interface LoadOptions {
  url: string;
  method: "GET" | "POST";
  body?: string;
  connections: number;
  /** The time limit. */
  seconds: number;
  /** Stops after this many requests, if they are done before the time limit. */
  maxRequests?: number;
}

export interface LoadFigures {
  rps: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Requests answered, and how long the load ran. */
  requests: number;
  seconds: number;
}

/** Runs the load; `signal` ends it early, with the figures so far. */
export function load(options: LoadOptions, signal?: AbortSignal): Promise<LoadFigures> {
  if (!/^http:\/\/127\.0\.0\.1:/.test(options.url)) {
    return Promise.reject(new Error(`load only on 127.0.0.1, not ${options.url}`));
  }
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: options.method,
        connections: options.connections,
        duration: options.seconds,
        headers: { "content-type": "application/json" },
        ...(options.body !== undefined && { body: options.body }),
        ...(options.maxRequests !== undefined && { maxOverallRequests: options.maxRequests }),
      },
      (err: unknown, r: autocannon.Result) => {
        if (err) reject(err instanceof Error ? err : new Error(JSON.stringify(err)));
        else resolve(figures(r));
      },
    );
    signal?.addEventListener("abort", () => instance.stop(), { once: true });
  });
}

function figures(r: autocannon.Result): LoadFigures {
  return {
    rps: r.requests.average,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    requests: r.requests.total,
    seconds: r.duration,
  };
}

/** A load run by a process of its own (loadWorker.ts), so it takes no time from this one. */
export interface ChildLoad {
  /** Resolves with the figures once the load is over. */
  figures: Promise<LoadFigures>;
  /** Ends the load early. */
  stop(): void;
}

export function loadInChild(options: LoadOptions): ChildLoad {
  const child = spawnTied(process.execPath, [
    join(repoRoot, "dist", "bench", "loadWorker.js"),
    JSON.stringify(options),
  ]);
  const out: string[] = [];
  const err: string[] = [];
  child.stdout.on("data", (d: Buffer) => out.push(d.toString()));
  child.stderr.on("data", (d: Buffer) => err.push(d.toString()));
  const figures = exitCode(child).then((code) => {
    if (code !== 0) throw new Error(`the load process exited ${code}: ${err.join("")}`);
    return JSON.parse(out.join("")) as LoadFigures;
  });
  return { figures, stop: () => child.kill("SIGTERM") };
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  const [code] = (await once(child, "exit")) as [number | null];
  return code;
}

/** The bare node:http server, its pid, and how long it took from spawn to listening. */
export interface BareServer {
  url: string;
  pid: number;
  listeningMs: number;
  stop: () => void;
}

export async function startBare(): Promise<BareServer> {
  const spawned = performance.now();
  const child = spawnTied(process.execPath, [join(repoRoot, "dist", "bench", "bareHttp.js")]);
  const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
  return {
    url: `http://127.0.0.1:${line.trim()}`,
    pid: child.pid ?? NaN,
    listeningMs: performance.now() - spawned,
    stop: () => child.kill(),
  };
}

/**
 * The body of a POST /job-done-watchers: a watcher of `jobName` (a Job that never exists) with
 * one trigger to a new webhook at an unused loopback address.
 */
export async function watcherBody(restUrl: string, jobName: string): Promise<string> {
  const hook = await fetch(`${restUrl}/webhooks`, {
    method: "POST",
    body: JSON.stringify({ url: "http://127.0.0.1:59999/unused" }),
  });
  const webhookId = ((await hook.json()) as { id?: string }).id;
  if (!webhookId) throw new Error(`could not create a webhook: ${hook.status}`);
  return JSON.stringify({ jobName, jobDoneTriggerWebhooks: [{ webhookId }] });
}
