import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { createServer, connect, type AddressInfo, type Socket } from "node:net";
import { createLogger } from "../common/logger.js";
import {
  JobWatch,
  type JobWatchHandler,
  type JobWatchOptions,
} from "../controlplane/jobwatch/JobWatch.js";
import { JobOutcome, type JobSummary } from "../controlplane/jobwatch/jobSummary.js";
import type { TestCluster } from "./cluster/TestCluster.js";
import { waitFor } from "./cluster/wait.js";
import { createTestNamespace, sharedCluster } from "./support/cluster.js";

const log = createLogger("silent", "test");
const FAST_BACKOFF = { baseMs: 50, maxMs: 200 };
const WITHIN = { timeoutMs: 10_000 };

type Call =
  | { kind: "upsert" | "remove"; job: JobSummary }
  | { kind: "synced"; jobs: Map<string, JobSummary> };

function uidsOf(calls: Call[], kind: "upsert" | "remove"): string[] {
  return calls.flatMap((c) => (c.kind === kind ? [c.job.uid] : []));
}

/** Remembers every handler call, in order. */
class Recorder implements JobWatchHandler {
  readonly calls: Call[] = [];
  upsert(job: JobSummary): void {
    this.calls.push({ kind: "upsert", job });
  }
  remove(job: JobSummary): void {
    this.calls.push({ kind: "remove", job });
  }
  synced(jobs: ReadonlyMap<string, JobSummary>): void {
    this.calls.push({ kind: "synced", jobs: new Map(jobs) });
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
interface Running {
  watch: JobWatch;
  stop(): Promise<number>;
}

function start(watch: JobWatch): Running {
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

function job(name: string, podAnnotations: Record<string, string> = {}): k8s.V1Job {
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

/**
 * A TCP relay in front of the apiserver, so a test can break JobWatch's connections for real:
 * cut() drops every open one, refuse(true) resets new ones until refuse(false).
 */
interface Relay {
  kubeConfig: k8s.KubeConfig;
  cut(): void;
  refuse(on: boolean): void;
  close(): Promise<void>;
}

async function startRelay(cluster: TestCluster): Promise<Relay> {
  const target = new URL(cluster.server);
  const open = new Set<Socket>();
  let refusing = false;
  const track = (socket: Socket): void => {
    open.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => open.delete(socket));
  };
  const server = createServer((client) => {
    track(client);
    if (refusing) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const kubeConfig = new k8s.KubeConfig();
  const admin = cluster.kubeConfig;
  kubeConfig.loadFromOptions({
    clusters: admin.clusters.map((c) => ({ ...c, server: `https://127.0.0.1:${port}` })),
    users: admin.users,
    contexts: admin.contexts,
    currentContext: admin.currentContext,
  });
  const cut = (): void => {
    for (const socket of open) socket.destroy();
  };
  return {
    kubeConfig,
    cut,
    refuse: (on) => (refusing = on),
    close: async () => {
      cut();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("job watch @cluster", function () {
  this.timeout(60_000);
  let cluster: TestCluster;
  let batch: k8s.BatchV1Api;
  const running: Running[] = [];

  before(async function () {
    this.timeout(20 * 60_000); // the first use may build the binaries
    cluster = await sharedCluster();
    batch = cluster.kubeConfig.makeApiClient(k8s.BatchV1Api);
  });

  afterEach(async () => {
    for (const r of running.splice(0)) {
      // Abort must end run promptly, an in-flight watch request included.
      expect(await r.stop()).to.be.below(1000);
    }
  });

  function watchJobs(
    options: Partial<JobWatchOptions> & { handler: JobWatchHandler },
    kc = cluster.kubeConfig,
  ): JobWatch {
    const watch = new JobWatch(kc, { log, backoff: FAST_BACKOFF, ...options });
    running.push(start(watch));
    return watch;
  }

  async function createJob(namespace: string, body: k8s.V1Job): Promise<string> {
    const created = await batch.createNamespacedJob({ namespace, body });
    return created.metadata!.uid!;
  }

  async function deleteJob(namespace: string, name: string): Promise<void> {
    await batch.deleteNamespacedJob({ namespace, name, propagationPolicy: "Background" });
    await waitFor(
      `Job ${namespace}/${name} to be gone`,
      () =>
        batch.readNamespacedJob({ namespace, name }).then(
          () => undefined,
          () => true,
        ),
      WITHIN,
    );
  }

  it("reports a Job created after start through to its SUCCEEDED outcome", async () => {
    const namespace = await createTestNamespace(cluster, "jw-ok");
    const rec = new Recorder();
    const watch = watchJobs({ namespaces: [namespace], handler: rec });
    await watch.whenSynced();
    const uid = await createJob(namespace, job("ok"));

    const done = await waitFor(
      "the SUCCEEDED upsert",
      () => rec.upserts(uid).find((s) => s.outcome === JobOutcome.SUCCEEDED),
      WITHIN,
    );
    expect(rec.upserts(uid)[0]?.outcome).to.equal(undefined);
    expect(done).to.include({ namespace, name: "ok", succeeded: 1, active: 0 });
    expect(done.reason).to.equal("CompletionsReached");
    expect(done.finishedAt).to.be.instanceOf(Date);
    expect(watch.get(uid)?.outcome).to.equal(JobOutcome.SUCCEEDED);
    expect(watch.findByName(namespace, "ok")?.uid).to.equal(uid);
  });

  it("reports a failing Job as FAILED", async () => {
    const namespace = await createTestNamespace(cluster, "jw-fail");
    const rec = new Recorder();
    const watch = watchJobs({ namespaces: [namespace], handler: rec });
    await watch.whenSynced();
    const uid = await createJob(namespace, job("boom", { "test.jobhooks.dev/outcome": "fail" }));

    const done = await waitFor("the FAILED upsert", () => rec.upserts(uid).at(-1)?.outcome, WITHIN);
    expect(done).to.equal(JobOutcome.FAILED);
    expect(watch.get(uid)).to.include({ reason: "BackoffLimitExceeded", failed: 1 });
  });

  it("reports a deleted Job with remove", async () => {
    const namespace = await createTestNamespace(cluster, "jw-del");
    const rec = new Recorder();
    const watch = watchJobs({ namespaces: [namespace], handler: rec });
    await watch.whenSynced();
    const uid = await createJob(namespace, job("doomed", { "test.jobhooks.dev/run-ms": "3000" }));
    await waitFor("the Job to be known", () => watch.get(uid), WITHIN);

    await batch.deleteNamespacedJob({ namespace, name: "doomed", propagationPolicy: "Background" });
    await waitFor("remove", () => rec.removed(uid) || undefined, WITHIN);
    expect(watch.get(uid)).to.equal(undefined);
    expect(watch.findByName(namespace, "doomed")).to.equal(undefined);
    expect(watch.size()).to.equal(0);
  });

  it("lists Jobs of all namespaces, page by page, before it says it is synced", async () => {
    const namespace = await createTestNamespace(cluster, "jw-list");
    const uids = await Promise.all(["a", "b", "c"].map((n) => createJob(namespace, job(n))));
    const rec = new Recorder();
    const watch = watchJobs({ handler: rec, pageSize: 2 });
    expect(watch.synced).to.equal(false);

    await watch.whenSynced();
    expect(watch.synced).to.equal(true);
    expect(watch.findByName(namespace, "b")?.uid).to.equal(uids[1]);
    const [first, ...more] = rec.syncs();
    expect(more).to.have.length(0);
    expect([...first!.keys()]).to.include.members(uids);
    expect(watch.size()).to.equal(first!.size);
    const syncedAt = rec.calls.findIndex((c) => c.kind === "synced");
    expect(uidsOf(rec.calls.slice(0, syncedAt), "upsert")).to.include.members(uids);
  });

  it("watches only the namespaces it is given", async () => {
    const [a, b, c] = await Promise.all(
      ["jw-a", "jw-b", "jw-c"].map((p) => createTestNamespace(cluster, p)),
    );
    await createJob(b!, job("before"));
    const rec = new Recorder();
    const watch = watchJobs({ namespaces: [a!, c!], handler: rec });
    await watch.whenSynced();
    expect(rec.syncs()).to.have.length(1);
    await createJob(b!, job("after"));
    const inA = await createJob(a!, job("mine"));
    const inC = await createJob(c!, job("mine"));

    for (const uid of [inA, inC]) {
      await waitFor("both SUCCEEDED", () => watch.get(uid)?.outcome, WITHIN);
    }
    const namespaces = new Set(
      rec.calls.flatMap((x) => (x.kind === "synced" ? [] : [x.job.namespace])),
    );
    expect([...namespaces].sort()).to.deep.equal([a, c].sort());
    expect(watch.findByName(b!, "before")).to.equal(undefined);
    expect(watch.size()).to.equal(2);
  });

  it("keeps watching when its connection breaks, resuming where it was", async () => {
    const namespace = await createTestNamespace(cluster, "jw-cut");
    const relay = await startRelay(cluster);
    try {
      const keptUid = await createJob(
        namespace,
        job("kept", { "test.jobhooks.dev/run-ms": "60000" }),
      );
      const restarts: string[] = [];
      const rec = new Recorder();
      const onRestart = (reason: string): number => restarts.push(reason);
      const watch = watchJobs(
        { namespaces: [namespace], handler: rec, onRestart },
        relay.kubeConfig,
      );
      await watch.whenSynced();

      relay.refuse(true);
      relay.cut();
      await waitFor("a failed reconnect", () => (restarts.length >= 2 ? true : undefined), WITHIN);
      const newUid = await createJob(namespace, job("new"));
      await deleteJob(namespace, "kept");
      relay.refuse(false);

      await waitFor("the new Job to finish", () => watch.get(newUid)?.outcome, WITHIN);
      await waitFor("the deleted Job's remove", () => rec.removed(keptUid) || undefined, WITHIN);
      // It resumed from its resourceVersion: the changes came as events, not from a relist.
      expect(rec.syncs()).to.have.length(1);
      expect(restarts[0]).to.be.a("string").and.not.be.empty;
    } finally {
      await relay.close();
    }
  });

  it("diffs a relist against what it knew: Jobs gone meanwhile are removed", async () => {
    const namespace = await createTestNamespace(cluster, "jw-relist");
    const goneUid = await createJob(
      namespace,
      job("gone", { "test.jobhooks.dev/run-ms": "60000" }),
    );
    const stayUid = await createJob(
      namespace,
      job("stay", { "test.jobhooks.dev/run-ms": "60000" }),
    );
    const rec = new Recorder();
    const watch = new JobWatch(cluster.kubeConfig, {
      namespaces: [namespace],
      handler: rec,
      log,
      backoff: FAST_BACKOFF,
    });
    const first = start(watch);
    await watch.whenSynced();
    expect(watch.size()).to.equal(2);
    await first.stop();

    // Changes while nobody watches, as across a restart or a 410 Gone.
    await deleteJob(namespace, "gone");
    const newUid = await createJob(namespace, job("new", { "test.jobhooks.dev/run-ms": "60000" }));
    const mark = rec.calls.length;
    running.push(start(watch));
    await waitFor("the relist", () => (rec.syncs().length === 2 ? true : undefined), WITHIN);

    const relist = rec.calls.slice(mark);
    const synced = relist.findIndex((c) => c.kind === "synced");
    const before = relist.slice(0, synced);
    expect(uidsOf(before, "remove")).to.deep.equal([goneUid]);
    expect(uidsOf(before, "upsert")).to.have.members([stayUid, newUid]);
    const jobs = rec.syncs()[1]!;
    expect([...jobs.keys()]).to.have.members([stayUid, newUid]);
    expect(watch.get(goneUid)).to.equal(undefined);
    expect(watch.findByName(namespace, "new")?.uid).to.equal(newUid);
  });

  it("survives a handler that throws", async () => {
    const namespace = await createTestNamespace(cluster, "jw-throw");
    const explode = (): never => {
      throw new Error("handler bug");
    };
    const watch = watchJobs({
      namespaces: [namespace],
      handler: { upsert: explode, remove: explode, synced: explode },
    });
    await watch.whenSynced();
    const uid = await createJob(namespace, job("ok"));
    await waitFor("SUCCEEDED in the cache", () => watch.get(uid)?.outcome, WITHIN);
  });

  it("rejects whenSynced when stopped before the first list completed", async () => {
    const relay = await startRelay(cluster);
    relay.refuse(true);
    try {
      const watch = new JobWatch(relay.kubeConfig, {
        handler: new Recorder(),
        log,
        backoff: FAST_BACKOFF,
      });
      const r = start(watch);
      const synced = watch.whenSynced();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await r.stop()).to.be.below(1000);
      const err = await synced.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(Error);
      expect(watch.synced).to.equal(false);
    } finally {
      await relay.close();
    }
  });
});
