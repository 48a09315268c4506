import { expect } from "chai";
import { WatcherStatus } from "../../proto/gen/jobhooks/v1/watchers.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import {
  freshStore,
  startControlplane,
  type ControlplaneProcess,
} from "../support/controlplane.js";
import { createJob } from "../support/jobs.js";
import { sharedPostgres } from "../support/postgres.js";
import { Receiver } from "../support/receiver.js";
import { testStoreEngines } from "../support/storeEngines.js";
import type { TestPostgres } from "../support/TestPostgres.js";
import { isFinal, webhookTo } from "../support/watchers.js";

const JOBS = 60;

async function readyz(cp: ControlplaneProcess): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://${cp.healthAddress}/readyz`);
  return { status: res.status, body: await res.text() };
}

describe("controlplane: PostgreSQL goes away during deliveries @cluster @postgres", function () {
  this.timeout(5 * 60_000);
  let cluster: TestCluster;
  let pg: TestPostgres | undefined;
  let cp: ControlplaneProcess | undefined;
  let receiver: Receiver | undefined;

  before(async function () {
    if (!testStoreEngines().includes("postgres")) this.skip();
    cluster = await sharedCluster();
    pg = await sharedPostgres();
    receiver = await Receiver.start();
  });

  after(async () => {
    await cp?.stop();
    await receiver?.stop();
    // Whatever happened above, the server is up for the tests after this one.
    await pg?.start().catch(() => undefined);
  });

  it("answers 503 with Retry-After and says why in /readyz while it is down; loses nothing and resumes without a restart", async () => {
    const ns = await createTestNamespace(cluster, "pg-outage");
    const path = `/${ns}/hook`;
    cp = await startControlplane(cluster, {
      role: "all",
      store: await freshStore("postgres"),
      args: ["--retry-base=200ms"],
    });
    const live = cp;
    const rx = receiver as Receiver;
    const server = pg as TestPostgres;
    const webhookId = await webhookTo(live, rx.url + path);
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const w = await live.watchers.createWatcher({
        namespace: ns,
        jobName: `job-${i}`,
        triggers: [{ webhookId, timeoutSeconds: 0 }],
      });
      ids.push(w.id);
    }
    const creating = Promise.all(
      ids.map((_, i) =>
        createJob(cluster, ns, `job-${i}`, { runMs: Math.round((i * 8000) / JOBS) }),
      ),
    );
    await rx.waitFor(path, 10, 60_000);
    await server.kill();
    const down = await waitFor(
      "/readyz to say the store fails",
      async () => {
        const r = await readyz(live);
        return r.status === 503 && /store/.test(r.body) ? r : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(down.body).to.match(/\[-\] store: cannot write/);
    const write = await fetch(`${live.restUrl}/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: `${rx.url}/unused`, description: "during the outage" }),
    });
    const problem = (await write.json()) as { detail: string };
    expect(write.status, problem.detail).to.equal(503);
    expect(write.headers.get("retry-after")).to.match(/^\d+$/);
    await new Promise((r) => setTimeout(r, 3000));
    await server.start();
    await creating;

    const all = await waitFor(
      `all ${JOBS} watchers final`,
      async () => {
        const page = await live.watchers.listWatchers({ namespace: ns, pageSize: 1000 });
        return page.watchers.length === JOBS && page.watchers.every(isFinal)
          ? page.watchers
          : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    expect(all.filter((w) => w.status !== WatcherStatus.COMPLETED)).to.deep.equal([]);
    const called = new Set(
      rx
        .on(path)
        .map((q) => (JSON.parse(q.body) as { data: { watcher: { id: string } } }).data.watcher.id),
    );
    expect([...called].sort()).to.deep.equal([...ids].sort());
    expect((await readyz(live)).status).to.equal(200);
    expect(live.child.exitCode).to.equal(null);
  });
});
