import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { JOBHOOKS_BIN } from "./bin.js";
import { NODE_FLAGS } from "../../cli/nodeFlags.js";
import { spawnTied } from "../cluster/ProcessGroup.js";

const main = JOBHOOKS_BIN;

export interface SidecarRun {
  /** The controlplane's gRPC HOST:PORT. */
  controlplane: string;
  tokenFile: string;
  /** The downward-API variables: POD_NAME, POD_NAMESPACE, JOB_NAME. */
  env: Record<string, string>;
  /** Extra flags. */
  args?: string[];
}

/** A running `jobhooks sidecar`. */
export interface SidecarProcess {
  child: ChildProcess;
  /** http://HOST:PORT of its listener. */
  url: string;
  /** Every JSON log line so far. */
  logs: Record<string, unknown>[];
  /** SIGTERM, wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Runs `jobhooks sidecar` on a free loopback port (tied to this process) and resolves once it
 * has logged its address; fails after 30 s or if it exits first.
 */
export async function startSidecar(run: SidecarRun): Promise<SidecarProcess> {
  // spawnTied passes this process's environment on; `env` adds the pod's variables to it.
  const vars = Object.entries(run.env).map(([k, v]) => `${k}=${v}`);
  const child = spawnTied("env", [
    ...vars,
    process.execPath,
    ...NODE_FLAGS,
    main,
    "sidecar",
    "--listen=127.0.0.1:0",
    `--controlplane=${run.controlplane}`,
    `--token-file=${run.tokenFile}`,
    "--log-level=debug",
    ...(run.args ?? []),
  ]);
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  child.stderr.on("data", (d: Buffer) => stderr.push(d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`jobhooks sidecar did not listen within 30 s:\n${stderr.join("")}`));
    }, 30_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`jobhooks sidecar exited (${code}) before listening:\n${stderr.join("")}`));
    });
    createInterface({ input: child.stdout }).on("line", (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      if (entry.msg === "sidecar listening") {
        clearTimeout(timer);
        resolve(String(entry.address));
      }
    });
  });
  return {
    child,
    url: `http://${address}`,
    logs,
    stop: async () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}
