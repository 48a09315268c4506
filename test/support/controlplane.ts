import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createChannel, createClientFactory, type Channel } from "nice-grpc";
import { errorDetailsClientMiddleware } from "nice-grpc-error-details";
import {
  JobDoneWatcherServiceDefinition,
  type JobDoneWatcherServiceClient,
} from "../../proto/gen/jobhooks/v1/watchers.js";
import {
  WebhookServiceDefinition,
  type WebhookServiceClient,
} from "../../proto/gen/jobhooks/v1/webhooks.js";
import { repoRoot } from "../cluster/paths.js";
import { spawnTied } from "../cluster/ProcessGroup.js";
import type { TestCluster } from "../cluster/TestCluster.js";

const main = join(repoRoot, "dist", "cli", "main.js");

export interface ControlplaneProcess {
  child: ChildProcess;
  grpcAddress: string;
  /** http://HOST:PORT of the REST API, when the role serves one (`all`). */
  restUrl: string;
  healthAddress: string;
  channel: Channel;
  webhooks: WebhookServiceClient;
  watchers: JobDoneWatcherServiceClient;
  /** Every JSON log line so far. */
  logs: Record<string, unknown>[];
  /** SIGTERM, wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, wait for exit. */
  kill(): Promise<void>;
}

export interface ControlplaneRun {
  /** The SQLite file; reuse it to restart "the same" controlplane. */
  storePath?: string;
  /** Extra flags, e.g. ["--retry-base", "50ms"]. */
  args?: string[];
  /** `controlplane` (default), or `all` for controlplane and REST gateway in one process. */
  role?: "controlplane" | "all";
  /** --auth; tests that are not about authentication run with "none" (the default here). */
  auth?: "none" | "tokenreview";
}

/** Runs `jobhooks controlplane` as a real process against the test cluster, on free ports. */
export async function startControlplane(
  cluster: TestCluster,
  run: ControlplaneRun = {},
): Promise<ControlplaneProcess> {
  const storePath =
    run.storePath ?? join(mkdtempSync(join(tmpdir(), "jobhooks-store-")), "jobhooks.db");
  const child = spawnTied(process.execPath, [
    main,
    run.role ?? "controlplane",
    `--kubeconfig=${cluster.kubeconfigPath}`,
    `--store=sqlite:${storePath}`,
    "--grpc-listen=127.0.0.1:0",
    "--health-listen=127.0.0.1:0",
    "--log-level=debug",
    `--auth=${run.auth ?? "none"}`,
    ...(run.role === "all" ? ["--listen=127.0.0.1:0"] : []),
    ...(run.args ?? []),
  ]);
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  child.stderr.on("data", (d: Buffer) => stderr.push(d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const wantRest = run.role === "all";
  const addresses = await new Promise<{ grpc: string; health: string; rest: string }>(
    (resolve, reject) => {
      let grpc: string | undefined;
      let health: string | undefined;
      let rest: string | undefined;
      createInterface({ input: child.stdout }).on("line", (line) => {
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          return;
        }
        logs.push(entry);
        if (entry.msg === "gRPC listening") grpc = String(entry.address);
        if (entry.msg === "health endpoints listening") health = String(entry.address);
        if (entry.msg === "REST API listening") rest = `http://${String(entry.address)}`;
        if (grpc && health && (rest || !wantRest)) {
          clearTimeout(timer);
          resolve({ grpc, health, rest: rest ?? "" });
        }
      });
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(
          new Error(
            `no "listening" log lines within 30 s (is --log-level above info?):\n${stderr.join("")}`,
          ),
        );
      }, 30_000);
      void exited.then(() => clearTimeout(timer));
      void exited.then((code) =>
        reject(new Error(`controlplane exited (${code}) before listening:\n${stderr.join("")}`)),
      );
    },
  );
  const channel = createChannel(addresses.grpc);
  const factory = createClientFactory().use(errorDetailsClientMiddleware);
  return {
    child,
    grpcAddress: addresses.grpc,
    restUrl: addresses.rest,
    healthAddress: addresses.health,
    channel,
    webhooks: factory.create(WebhookServiceDefinition, channel),
    watchers: factory.create(JobDoneWatcherServiceDefinition, channel),
    logs,
    stop: async () => {
      channel.close();
      child.kill("SIGTERM");
      return exited;
    },
    kill: async () => {
      channel.close();
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** The store path of a controlplane started by startControlplane (from its command line). */
export function storePathOf(cp: ControlplaneProcess): string {
  const arg = cp.child.spawnargs.find((a) => a.startsWith("--store=sqlite:"));
  if (!arg) throw new Error("no --store argument");
  return arg.slice("--store=sqlite:".length);
}
