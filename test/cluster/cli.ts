// npm run cluster:up / cluster:down: the local cluster for people and scripts.
//   up    builds or reuses the binaries (progress in the terminal), starts a detached daemon
//         that owns the cluster, waits until it is ready, and prints how to use it
//   down  stops the daemon, which stops every component
import { spawn } from "node:child_process";
import { chmodSync, closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBinaries } from "./binaries.js";
import { repoRoot } from "./paths.js";
import { TestCluster } from "./TestCluster.js";
import { waitFor } from "./wait.js";

const stateDir = join(repoRoot, ".cluster");
const statePath = join(stateDir, "cluster.json");
const logPath = join(stateDir, "daemon.log");
const kubeconfigPath = join(stateDir, "kubeconfig");
const kubectlPath = join(stateDir, "kubectl");

interface State {
  pid: number;
  server: string;
  binDir: string;
}

function readState(): State | undefined {
  try {
    const state = JSON.parse(readFileSync(statePath, "utf8")) as State;
    process.kill(state.pid, 0);
    return state;
  } catch {
    return undefined;
  }
}

function usage(state: State): string {
  return [
    `local cluster running: ${state.server} (daemon pid ${state.pid})`,
    `  export KUBECONFIG=${kubeconfigPath}`,
    `  ${join(state.binDir, "kubectl")} get nodes      # the kubectl built with the cluster`,
    `  ${kubectlPath} get pods -A            # the same, with the kubeconfig set`,
    `  component logs: ${join(stateDir, "run")}/*.log`,
    "  stop it with: npm run cluster:down",
  ].join("\n");
}

async function up(): Promise<number> {
  const running = readState();
  if (running) {
    console.log(usage(running));
    return 0;
  }
  await ensureBinaries((line) => console.error(line));
  await mkdir(stateDir, { recursive: true });
  await rm(statePath, { force: true });
  const log = openSync(logPath, "w");
  const daemon = spawn(process.execPath, [fileURLToPath(import.meta.url), "daemon"], {
    detached: true,
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  daemon.unref();
  let exited = false;
  daemon.once("exit", () => (exited = true));
  const state = await waitFor(
    "the cluster daemon to report ready",
    () => {
      if (exited)
        throw new Error(`the daemon exited; see ${logPath}:\n${readFileSync(logPath, "utf8")}`);
      return readState();
    },
    { timeoutMs: 120_000, intervalMs: 200 },
  );
  console.log(usage(state));
  return 0;
}

async function daemon(): Promise<void> {
  const cluster = await TestCluster.start({
    dir: join(stateDir, "run"),
    progress: (line) => console.log(line),
  });
  await copyFile(cluster.kubeconfigPath, kubeconfigPath);
  chmodSync(kubeconfigPath, 0o600);
  await writeFile(
    kubectlPath,
    `#!/bin/sh\nexec "${join(cluster.binDir, "kubectl")}" --kubeconfig="${kubeconfigPath}" "$@"\n`,
    { mode: 0o755 },
  );
  const state: State = { pid: process.pid, server: cluster.server, binDir: cluster.binDir };
  await writeFile(statePath, JSON.stringify(state, null, 2));
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  console.log("stopping");
  await cluster.stop();
  await Promise.all([statePath, kubeconfigPath, kubectlPath].map((p) => rm(p, { force: true })));
}

async function down(): Promise<number> {
  const state = readState();
  if (!state) {
    await rm(statePath, { force: true });
    console.log("no local cluster is running");
    return 0;
  }
  process.kill(state.pid, "SIGTERM");
  await waitFor(
    `daemon ${state.pid} to stop`,
    () => (existsSync(statePath) || isAlive(state.pid) ? undefined : true),
    { timeoutMs: 30_000, intervalMs: 100 },
  ).catch(() => process.kill(state.pid, "SIGKILL"));
  console.log("local cluster stopped");
  return 0;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const command = process.argv[2];
if (command === "up") process.exitCode = await up();
else if (command === "down") process.exitCode = await down();
else if (command === "daemon") await daemon();
else {
  console.error("usage: node dist/test/cluster/cli.js up|down");
  process.exitCode = 2;
}
