import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { createLogger } from "../../common/pinoLogger.js";
import {
  JobWatch,
  type JobWatchHandler,
  type JobWatchOptions,
} from "../../controlplane/jobwatch/JobWatch.js";
import type { JobSummary } from "../../controlplane/jobwatch/jobSummary.js";
import { KubeApi } from "../../controlplane/kube/KubeApi.js";
import { accessOfKubeConfig } from "../../controlplane/kube/KubeAccess.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { sharedCluster } from "./cluster.js";
import { controlplaneKubeConfig } from "./controlplaneAccount.js";

export const log = createLogger("silent", "test");
export const FAST_BACKOFF = { baseMs: 50, maxMs: 200 };
export const WITHIN = { timeoutMs: 10_000 };

export type Call =
  | { kind: "upsert" | "remove"; job: JobSummary }
  | { kind: "synced"; jobs: Map<string, JobSummary> };

/** Remembers every handler call, in order. */
export class Recorder implements JobWatchHandler {
  readonly calls: Call[] = [];
  upsert(job: JobSummary): Promise<void> {
    this.calls.push({ kind: "upsert", job });
    return Promise.resolve();
  }
  remove(job: JobSummary): Promise<void> {
    this.calls.push({ kind: "remove", job });
    return Promise.resolve();
  }
  synced(jobs: ReadonlyMap<string, JobSummary>): Promise<void> {
    this.calls.push({ kind: "synced", jobs: new Map(jobs) });
    return Promise.resolve();
  }
  upserts(uid: string): JobSummary[] {
    return this.calls.flatMap((c) => (c.kind === "upsert" && c.job.uid === uid ? [c.job] : []));
  }
  removed(uid: string): boolean {
    return this.calls.some((c) => c.kind === "remove" && c.job.uid === uid);
  }
  syncs(): Map<string, JobSummary>[] {
    return this.calls.flatMap((c) => (c.kind === "synced" ? [c.jobs] : []));
  }
}

/** A running JobWatch; stop() aborts it and says how long `run` took to return. */
export interface Running {
  watch: JobWatch;
  stop(): Promise<number>;
}

export function start(watch: JobWatch): Running {
  const controller = new AbortController();
  const done = watch.run(controller.signal);
  return {
    watch,
    async stop() {
      const began = Date.now();
      controller.abort();
      await done;
      return Date.now() - began;
    },
  };
}

export function job(name: string, podAnnotations: Record<string, string> = {}): k8s.V1Job {
  return {
    metadata: { name },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { annotations: podAnnotations },
        spec: { restartPolicy: "Never", containers: [{ name: "work", image: "busybox" }] },
      },
    },
  };
}

export interface JobWatchSuite {
  /** The shared cluster, once the suite's `before` hook ran. */
  readonly cluster: TestCluster;
  readonly batch: k8s.BatchV1Api;
  /** The controlplane's ServiceAccount, with only the rights the manifests give it. */
  readonly kubeConfig: k8s.KubeConfig;
  /** Watches stopped after each test, which checks that abort ends `run` promptly. */
  readonly running: Running[];
  /** Starts a JobWatch with a fast backoff, by default as the controlplane's ServiceAccount. */
  readonly watchJobs: (
    options: Partial<JobWatchOptions> & { handler: JobWatchHandler },
    kc?: k8s.KubeConfig,
  ) => JobWatch;
  /** Creates the Job and returns its uid. */
  readonly createJob: (namespace: string, body: k8s.V1Job) => Promise<string>;
  /** Deletes the Job and waits until it is gone. */
  readonly deleteJob: (namespace: string, name: string) => Promise<void>;
}

/** Call in a describe: adds its hooks (start the cluster, stop the watches after each test). */
export function jobWatchSuite(): JobWatchSuite {
  let cluster: TestCluster | undefined;
  let batch: k8s.BatchV1Api | undefined;
  let kubeConfig: k8s.KubeConfig | undefined;
  const running: Running[] = [];
  const started = (): {
    cluster: TestCluster;
    batch: k8s.BatchV1Api;
    kubeConfig: k8s.KubeConfig;
  } => {
    if (!cluster || !batch || !kubeConfig) throw new Error("the suite's before hook has not run");
    return { cluster, batch, kubeConfig };
  };

  before(async function () {
    this.timeout(20 * 60_000); // the first use may build the binaries
    cluster = await sharedCluster();
    batch = cluster.kubeConfig.makeApiClient(k8s.BatchV1Api);
    kubeConfig = await controlplaneKubeConfig(cluster);
  });

  afterEach(async () => {
    for (const r of running.splice(0)) {
      // Abort must end run promptly, an in-flight watch request included.
      expect(await r.stop()).to.be.below(1000);
    }
  });

  return {
    get cluster() {
      return started().cluster;
    },
    get batch() {
      return started().batch;
    },
    get kubeConfig() {
      return started().kubeConfig;
    },
    running,
    watchJobs: (options, kc = started().kubeConfig) => {
      const watch = new JobWatch(new KubeApi(accessOfKubeConfig(kc)), {
        log,
        backoff: FAST_BACKOFF,
        ...options,
      });
      running.push(start(watch));
      return watch;
    },
    createJob: async (namespace, body) => {
      const created = await started().batch.createNamespacedJob({ namespace, body });
      return created.metadata!.uid!;
    },
    deleteJob: async (namespace, name) => {
      const api = started().batch;
      await api.deleteNamespacedJob({ namespace, name, propagationPolicy: "Background" });
      await waitFor(
        `Job ${namespace}/${name} to be gone`,
        () =>
          api.readNamespacedJob({ namespace, name }).then(
            () => undefined,
            () => true,
          ),
        WITHIN,
      );
    },
  };
}
