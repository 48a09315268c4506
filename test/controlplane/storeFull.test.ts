import { expect } from "chai";
import { createClient } from "nice-grpc";
import {
  HealthCheckResponse_ServingStatus as Serving,
  HealthDefinition,
} from "nice-grpc-server-health/lib/proto/grpc/health/v1/health.js";
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WatcherStatus } from "../../proto/gen/jobhooks/v1/watchers.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import { createJob, jobFinished } from "../support/jobs.js";
import { Receiver } from "../support/receiver.js";
import { finalWatcher, webhookTo } from "../support/watchers.js";

// A real full filesystem: a tmpfs of its own, filled to the last byte.
function mountTmpfs(sizeMiB: number): string {
  const dir = mkdtempSync(join(tmpdir(), "jobhooks-full-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeMiB}m`, "tmpfs", dir]);
  return dir;
}

function fill(path: string): void {
  const fd = openSync(path, "w");
  try {
    for (const size of [1 << 20, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
}

// A watcher per Job name, all calling one webhook that the receiver refuses (503) for now.
async function refusedWatchers(
  cp: ControlplaneProcess,
  rx: Receiver,
  namespace: string,
  jobNames: string[],
): Promise<{ path: string; watchers: { id: string }[] }> {
  const path = `/${namespace}/hook`;
  rx.script(path, [{ status: 503 }]);
  const webhookId = await webhookTo(cp, rx.url + path);
  const watchers = await Promise.all(
    jobNames.map((jobName) =>
      cp.watchers.createWatcher({
        namespace,
        jobName,
        triggers: [{ webhookId, timeoutSeconds: 0 }],
      }),
    ),
  );
  return { path, watchers };
}

async function readyz(cp: ControlplaneProcess): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://${cp.healthAddress}/readyz`);
  return { status: res.status, body: await res.text() };
}

describe("controlplane: the store cannot write @cluster", function () {
  this.timeout(4 * 60_000);
  let cluster: TestCluster;
  let receiver: Receiver | undefined;
  let mount: string | undefined;
  let cp: ControlplaneProcess | undefined;

  before(async function () {
    if (process.getuid?.() !== 0) {
      console.log("      skipped: mounting a tmpfs needs root (CI runs as root)");
      this.skip();
    }
    cluster = await sharedCluster();
    receiver = await Receiver.start();
  });

  afterEach(async () => {
    await cp?.kill();
    cp = undefined;
    if (mount) {
      execFileSync("umount", ["-l", mount]);
      rmSync(mount, { recursive: true, force: true });
      mount = undefined;
    }
  });

  after(async () => {
    await receiver?.stop();
  });

  for (const sizeMiB of [2, 16]) {
    it(`loses nothing and re-sends nothing in a loop while a ${sizeMiB} MiB disk is full, and resumes by itself`, async function () {
      try {
        mount = mountTmpfs(sizeMiB);
      } catch (err) {
        console.log(`      skipped: cannot mount a tmpfs here: ${(err as Error).message}`);
        this.skip();
      }
      await fullDisk(mount);
    });
  }

  it("a controlplane killed on a full 2 MiB disk starts again on it, stays up and delivers once there is room", async function () {
    try {
      mount = mountTmpfs(2);
    } catch (err) {
      console.log(`      skipped: cannot mount a tmpfs here: ${(err as Error).message}`);
      this.skip();
    }
    const ns = await createTestNamespace(cluster, "store-full-restart");
    const storePath = join(mount, "jobhooks.db");
    const args = ["--retry-base=200ms", "--retry-max=1s"];
    cp = await startControlplane(cluster, { storePath, args });
    const rx = receiver!;
    const names = ["a", "b", "c", "d", "e"];
    const { path, watchers } = await refusedWatchers(cp, rx, ns, names);
    await Promise.all(names.map((name) => createJob(cluster, ns, name)));
    await rx.waitFor(path, names.length);

    const filler = join(mount, "filler");
    fill(filler);
    await cp.kill();
    cp = await startControlplane(cluster, { storePath, args });
    await waitFor("/readyz to say the store fails", async () => {
      const r = await readyz(cp!);
      return r.status === 503 && /\[-\] store: .*SQLITE_FULL/.test(r.body) ? true : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(cp.child.exitCode, "the restarted process exited").to.equal(null);

    unlinkSync(filler);
    rx.script(path, [{ status: 200 }]);
    const ended = await Promise.all(watchers.map((w) => finalWatcher(cp!, w.id, 60_000)));
    expect(ended.map((w) => w.status)).to.deep.equal(ended.map(() => WatcherStatus.COMPLETED));
    expect(cp.child.exitCode, "the process exited").to.equal(null);
  });

  async function fullDisk(mnt: string): Promise<void> {
    const ns = await createTestNamespace(cluster, "store-full");
    cp = await startControlplane(cluster, {
      role: "all",
      storePath: join(mnt, "jobhooks.db"),
      args: ["--retry-base=200ms", "--retry-max=1s"],
    });
    const rx = receiver!;
    const early = ["early-0", "early-1", "early-2", "early-3", "early-4"];
    const late = ["late-0", "late-1", "late-2", "late-3", "late-4"];
    const { path, watchers } = await refusedWatchers(cp, rx, ns, [...early, ...late]);

    // Deliveries are queued and refused (503) before the fault.
    await Promise.all(early.map((name) => createJob(cluster, ns, name)));
    await waitFor("a refused attempt for every early Job", () =>
      new Set(rx.on(path).map((r) => r.headers["webhook-id"])).size >= early.length
        ? true
        : undefined,
    );

    const filler = join(mnt, "filler");
    fill(filler);
    const faultStart = Date.now();
    // Jobs finish while nothing can be written.
    await Promise.all(late.map((name) => createJob(cluster, ns, name)));
    await Promise.all(late.map((name) => jobFinished(cluster, ns, name)));

    const notReady = await waitFor(
      "/readyz to say the store fails",
      async () => {
        const r = await readyz(cp!);
        return r.status === 503 && /store/.test(r.body) ? r : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect(notReady.body).to.match(/\[-\] store: cannot write since .*SQLITE_FULL/);
    const grpcHealth = createClient(HealthDefinition, cp.channel);
    expect((await grpcHealth.check({ service: "" })).status).to.equal(Serving.NOT_SERVING);
    const write = await fetch(`${cp.restUrl}/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: `${rx.url}/unused`, description: "during the fault" }),
    });
    const problem = (await write.json()) as { detail: string };
    expect(write.status, problem.detail).to.equal(503);
    expect(write.headers.get("retry-after")).to.match(/^\d+$/);
    expect(write.headers.get("content-type")).to.match(/application\/problem\+json/);
    expect(problem.detail).to.match(/the store cannot write: SQLITE_FULL/);
    // A few seconds of the fault: the refused attempts go on at the retry pace, not in a loop.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const duringFault = rx.on(path).filter((r) => r.at >= faultStart).length;

    unlinkSync(filler);
    rx.script(path, [{ status: 200 }]);
    const recovered = Date.now();
    const ended = await Promise.all(watchers.map((w) => finalWatcher(cp!, w.id, 60_000)));
    expect(ended.map((w) => w.status)).to.deep.equal(ended.map(() => WatcherStatus.COMPLETED));
    expect(cp.child.exitCode, "the process exited").to.equal(null);
    await waitFor("/readyz 200 again", async () =>
      (await readyz(cp!)).status === 200 ? true : undefined,
    );
    expect((await grpcHealth.check({ service: "" })).status).to.equal(Serving.SERVING);

    const accepted = new Map<string, number>();
    for (const r of rx.on(path).filter((r) => r.at >= recovered)) {
      const id = String(r.headers["webhook-id"]);
      accepted.set(id, (accepted.get(id) ?? 0) + 1);
    }
    const most = Math.max(...accepted.values());
    console.log(
      `      figures: ${duringFault} attempts in ${Math.round((recovered - faultStart) / 1000)} s of fault; ` +
        `after it, at most ${most} attempt(s) per webhook-id (${accepted.size} ids)`,
    );
    expect(accepted.size).to.equal(watchers.length);
    expect(most).to.be.at.most(2);
    expect(duringFault).to.be.below(200);
  }
});
