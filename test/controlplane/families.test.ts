import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JOBHOOKS_BIN } from "../support/bin.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, storePathOf } from "../support/controlplane.js";
import { createJob, suspendedCronJobOwner } from "../support/jobs.js";
import { Receiver } from "../support/receiver.js";

describe("controlplane: --job-families @cluster", function () {
  this.timeout(20 * 60_000);
  let cluster: TestCluster;
  let receiver: Receiver;

  before(async () => {
    cluster = await sharedCluster();
    receiver = await Receiver.start();
  });

  after(async () => {
    await receiver.stop();
  });

  it("calls each family's url for every Job of that CronJob, and keeps one watcher per entry across restarts", async function () {
    this.timeout(60_000);
    const ns = await createTestNamespace(cluster, "families");
    const dir = mkdtempSync(join(tmpdir(), "jobhooks-families-"));
    const file = join(dir, "job-family-config.yaml");
    writeFileSync(
      file,
      [
        `- jobFamily: "report"`,
        `  url: "${receiver.url}/${ns}/event"`,
        `  requestBody: ""`,
        `  description: ""`,
        `- jobFamily: "report"`,
        `  url: "${receiver.url}/${ns}/static"`,
        `  requestBody: "report done"`,
        `  description: "fixed body"`,
      ].join("\n"),
    );
    let cp = await startControlplane(cluster, { args: [`--job-families=${file}`] });
    const owner = await suspendedCronJobOwner(cluster, ns, "report");
    await createJob(cluster, ns, "report-1", { ownerReferences: [owner] });
    const [event] = await receiver.waitFor(`/${ns}/event`, 1);
    expect((JSON.parse(event!.body) as { data: { job: { name: string } } }).data.job.name).to.equal(
      "report-1",
    );
    const [fixed] = await receiver.waitFor(`/${ns}/static`, 1);
    expect(fixed!.body).to.equal("report done");

    const storePath = storePathOf(cp);
    await cp.stop();
    cp = await startControlplane(cluster, { storePath, args: [`--job-families=${file}`] });
    const families = (await cp.watchers.listWatchers({})).watchers.filter(
      (w) => w.cronJobName === "report" && w.parentId === "",
    );
    expect(families).to.have.length(2);
    expect(
      (await cp.webhooks.listWebhooks({})).webhooks.filter((w) =>
        w.url.startsWith(`${receiver.url}/${ns}/`),
      ),
    ).to.have.length(2);
    await cp.stop();
  });

  it("refuses a malformed job-families file at start, naming the entry and field", () => {
    const dir = mkdtempSync(join(tmpdir(), "jobhooks-families-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(file, `- jobFamily: "Bad_Name"\n  url: "ftp://x"\n`);
    const run = spawnSync(
      process.execPath,
      [
        JOBHOOKS_BIN,
        "controlplane",
        `--job-families=${file}`,
        "--store=sqlite::memory:",
        `--kubeconfig=${cluster.kubeconfigPath}`,
      ],
      { encoding: "utf8" },
    );
    expect(run.status).to.equal(2);
    expect(run.stderr).to.contain("entry 0: url scheme must be http or https");
    expect(run.stderr).to.contain("entry 0: jobFamily must be a DNS-1123 label");
  });
});
