import * as k8s from "@kubernetes/client-node";
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { sweepAbandonedDirs } from "./abandonedDirs.js";
import { ensureBinaries } from "./binaries.js";
import {
  apiserverArgs,
  controllerManagerArgs,
  etcdArgs,
  KWOK_NODE_ANNOTATION,
  kwokArgs,
  schedulerArgs,
  type Ports,
} from "./components.js";
import { writeClusterCredentials, type ClusterCredentials } from "./credentials.js";
import { kubeconfigYaml } from "./kubeconfig.js";
import { freePort } from "./ports.js";
import { ProcessGroup, type ManagedProcess } from "./ProcessGroup.js";
import { waitFor } from "./wait.js";

const DIR_PREFIX = "jobhooks-cluster-";
const APISERVER = "kube-apiserver";
/** The components that list and watch through the apiserver (etcd is behind it). */
const WATCHING_COMPONENTS = ["kube-controller-manager", "kube-scheduler", "kwok"] as const;
export const NODE_NAME = "kwok-node-0";

export interface ClusterOptions {
  /** One line per step, with the elapsed time. Default: stderr. */
  progress?: (line: string) => void;
  /**
   * Where state and logs go. Default: a new folder under the OS temp dir, removed by stop(). A
   * folder given here is emptied first and kept after stop(), logs and all.
   */
  dir?: string;
  /** More kube-apiserver flags, after ours (a later flag wins). */
  apiserverArgs?: string[];
}

/**
 * A real, local Kubernetes control plane: etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler, and kwok playing the kubelet of one node. Everything listens on loopback.
 */
export class TestCluster {
  /** Folder of the cluster's state and component logs (`<component>.log`). */
  readonly dir: string;
  /** Folder of the binaries, kubectl among them. */
  readonly binDir: string;
  /** https://127.0.0.1:PORT */
  readonly server: string;
  /** An admin (system:masters) kubeconfig, credentials inline. */
  readonly kubeconfigPath: string;
  readonly kubeConfig: k8s.KubeConfig;
  private readonly processes: ProcessGroup;
  private readonly creds: ClusterCredentials;
  private readonly removeDir: (() => void) | undefined;

  private constructor(parts: {
    dir: string;
    binDir: string;
    server: string;
    kubeconfigPath: string;
    kubeConfig: k8s.KubeConfig;
    processes: ProcessGroup;
    creds: ClusterCredentials;
    removeDir: (() => void) | undefined;
  }) {
    this.dir = parts.dir;
    this.binDir = parts.binDir;
    this.server = parts.server;
    this.kubeconfigPath = parts.kubeconfigPath;
    this.kubeConfig = parts.kubeConfig;
    this.processes = parts.processes;
    this.creds = parts.creds;
    this.removeDir = parts.removeDir;
  }

  static async start(options: ClusterOptions = {}): Promise<TestCluster> {
    const began = Date.now();
    const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
    const step = (what: string): void =>
      progress(`[cluster +${((Date.now() - began) / 1000).toFixed(1)}s] ${what}`);

    const binDir = await ensureBinaries(progress);
    await sweepAbandonedDirs(DIR_PREFIX);
    if (options.dir !== undefined) await rm(options.dir, { recursive: true, force: true });
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), DIR_PREFIX)));
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "owner.pid"), String(process.pid));
    const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
    if (options.dir === undefined) process.once("exit", removeDir);
    let failed: ManagedProcess | undefined;
    const processes = new ProcessGroup(dir, (p, exit) => {
      failed = p;
      process.stderr.write(
        `test cluster: ${p.name} exited (code ${exit.code}, signal ${exit.signal}); log ${p.logPath}\n${p.logTail()}\n`,
      );
    });
    const alive = (): void => {
      if (failed) throw new Error(`${failed.name} exited during start:\n${failed.logTail()}`);
    };
    try {
      const creds = await writeClusterCredentials(dir);
      const ports: Ports = {
        etcdClient: await freePort(),
        etcdPeer: await freePort(),
        apiserver: await freePort(),
      };
      const bin = (name: string): string => join(binDir, name);
      processes.start("etcd", bin("etcd"), etcdArgs(join(dir, "etcd"), ports));
      processes.start(APISERVER, bin("kube-apiserver"), [
        ...apiserverArgs(dir, ports, creds),
        ...(options.apiserverArgs ?? []),
      ]);
      const server = `https://127.0.0.1:${ports.apiserver}`;
      await waitFor("kube-apiserver /readyz", async () => {
        alive();
        return (await adminGet(server, "/readyz", creds)) === 200 ? true : undefined;
      });
      step(`kube-apiserver ready at ${server}`);

      const kubeconfigPath = join(dir, "kubeconfig");
      const yaml = kubeconfigYaml({
        server,
        caPem: creds.ca.certPem,
        clientCertPem: creds.admin.certPem,
        clientKeyPem: creds.admin.keyPem,
        name: "jobhooks-test",
      });
      await writeFile(kubeconfigPath, yaml, { mode: 0o600 });
      const kubeConfig = new k8s.KubeConfig();
      kubeConfig.loadFromString(yaml);

      processes.start(
        WATCHING_COMPONENTS[0],
        bin("kube-controller-manager"),
        controllerManagerArgs(kubeconfigPath, creds),
      );
      processes.start("kube-scheduler", bin("kube-scheduler"), schedulerArgs(kubeconfigPath));
      processes.start("kwok", bin("kwok"), kwokArgs(kubeconfigPath));
      const core = kubeConfig.makeApiClient(k8s.CoreV1Api);
      await core.createNode({
        body: {
          metadata: {
            name: NODE_NAME,
            labels: { "kubernetes.io/hostname": NODE_NAME, type: "kwok" },
            annotations: { [KWOK_NODE_ANNOTATION]: "fake" },
          },
        },
      });
      await waitFor("node Ready without taints", async () => {
        alive();
        const node = await core.readNode({ name: NODE_NAME });
        const ready = node.status?.conditions?.some(
          (c) => c.type === "Ready" && c.status === "True",
        );
        return ready && (node.spec?.taints ?? []).length === 0 ? true : undefined;
      });
      step(`node ${NODE_NAME} ready`);
      // Pods can only be created once their namespace's ServiceAccount exists.
      await waitFor("ServiceAccount default/default", async () => {
        alive();
        return core.readNamespacedServiceAccount({ name: "default", namespace: "default" });
      });
      step("cluster ready");
      return new TestCluster({
        dir,
        binDir,
        server,
        kubeconfigPath,
        kubeConfig,
        processes,
        creds,
        removeDir: options.dir === undefined ? removeDir : undefined,
      });
    } catch (err) {
      await processes.stop();
      if (options.dir === undefined) {
        process.off("exit", removeDir);
        removeDir();
      }
      throw err;
    }
  }

  /**
   * Kills the kube-apiserver with SIGKILL, as a crash would, and resolves once it has exited.
   * etcd and the other components keep running; restartApiserver() brings it back.
   */
  async killApiserver(): Promise<void> {
    await this.processes.kill(APISERVER);
  }

  /**
   * Starts the kube-apiserver that killApiserver() ended again, with the same flags on the same
   * port and etcd, and resolves once its /readyz answers 200. The components that watch it are
   * restarted too: their watches would otherwise wait out a backoff that grew while it was down
   * (a Job created then took 15 s to complete, against 1 s), and slow the tests that follow.
   */
  async restartApiserver(): Promise<void> {
    const apiserver = this.processes.restart(APISERVER);
    await waitFor("kube-apiserver /readyz after its restart", async () => {
      if (!apiserver.running()) {
        throw new Error(`kube-apiserver exited during its restart:\n${apiserver.logTail()}`);
      }
      return (await adminGet(this.server, "/readyz", this.creds)) === 200 ? true : undefined;
    });
    for (const name of WATCHING_COMPONENTS) {
      await this.processes.kill(name);
      this.processes.restart(name);
    }
  }

  /** Runs the kubectl built with the cluster against it. */
  async kubectl(args: string[]): Promise<string> {
    const { stdout } = await promisify(execFile)(
      join(this.binDir, "kubectl"),
      [`--kubeconfig=${this.kubeconfigPath}`, ...args],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout;
  }

  async stop(): Promise<void> {
    await this.processes.stop();
    if (this.removeDir) {
      process.off("exit", this.removeDir);
      this.removeDir();
    }
  }
}

function adminGet(server: string, path: string, creds: ClusterCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server}${path}`,
      { ca: creds.ca.certPem, cert: creds.admin.certPem, key: creds.admin.keyPem, timeout: 2000 },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}
