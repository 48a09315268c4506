import { expect } from "chai";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import { podLabel, podToken, runningPod } from "../support/pods.js";
import { startSidecar, type SidecarProcess } from "../support/sidecar.js";

const POD = "holder-0";
const LABEL = "active-jobs";

interface Holder {
  child: ChildProcessWithoutNullStreams;
  /** Each line of the answer so far, parsed. */
  lines: Record<string, unknown>[];
}

/**
 * A client in a process of its own that POSTs /hold and keeps reading, as `curl -N` in the
 * background would; resolves once the first line (the hold) has arrived.
 */
async function hold(sidecar: SidecarProcess, query = ""): Promise<Holder> {
  const script =
    `const res = await fetch(${JSON.stringify(`${sidecar.url}/hold${query}`)}, { method: "POST" });` +
    "for await (const chunk of res.body) process.stdout.write(chunk);";
  const child = spawn(process.execPath, ["--input-type=module", "-e", script]);
  const lines: Record<string, unknown>[] = [];
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the holder exited (${code}) before holding`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      lines.push(JSON.parse(line) as Record<string, unknown>);
      resolve();
    });
  });
  return { child, lines };
}

describe("sidecar: hold the pod busy while a request stays open @cluster", function () {
  this.timeout(20 * 60_000);
  let cluster: TestCluster;
  let ns: string;
  let tokenDir: string;
  let cp: ControlplaneProcess;
  let sidecar: SidecarProcess;
  const holders: Holder[] = [];

  async function startOwnSidecar(tokenFile: string): Promise<SidecarProcess> {
    const s = await startSidecar({
      controlplane: cp.grpcAddress,
      tokenFile,
      env: { POD_NAME: POD, POD_NAMESPACE: ns },
    });
    await waitFor("sidecar ready", async () =>
      (await fetch(`${s.url}/readyz`)).status === 200 ? true : undefined,
    );
    return s;
  }

  before(async () => {
    cluster = await sharedCluster();
    ns = await createTestNamespace(cluster, "hold");
    const pod = await runningPod(cluster, ns, POD, { account: "worker" });
    tokenDir = mkdtempSync(join(tmpdir(), "jobhooks-hold-"));
    writeFileSync(join(tokenDir, "token"), await podToken(cluster, pod));
    cp = await startControlplane(cluster, { role: "controlplane", auth: "tokenreview" });
    sidecar = await startOwnSidecar(join(tokenDir, "token"));
  });

  after(async () => {
    for (const h of holders) h.child.kill("SIGKILL");
    await sidecar.stop();
    await cp.stop();
    rmSync(tokenDir, { recursive: true, force: true });
  });

  const label = (): Promise<string | undefined> => podLabel(cluster, ns, POD, LABEL);

  it("marks the pod busy from the first line, renews while open, and releases within 1 s of a kill -9 of the client", async () => {
    const h = await hold(sidecar, "?ttl=3");
    holders.push(h);
    expect(h.lines[0]).to.include({ value: 1 });
    expect(h.lines[0]?.leaseId).to.be.a("string");
    expect(await label()).to.equal("1");
    // Past the ttl: renewed each second, still busy.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(await label()).to.equal("1");
    expect(h.lines.length, "a line per renewal").to.be.at.least(3);

    h.child.kill("SIGKILL");
    const killedAt = Date.now();
    await waitFor(
      "the hold to be released",
      async () => ((await label()) === undefined ? true : undefined),
      { timeoutMs: 5000, intervalMs: 20 },
    );
    expect(Date.now() - killedAt, "ms from the kill to the release").to.be.below(1000);
  });

  it("counts holds with the other calls: two holders and an increment, each ending its own", async () => {
    const [a, b] = [await hold(sidecar), await hold(sidecar)];
    holders.push(a, b);
    const up = await fetch(`${sidecar.url}/increment`, { method: "POST" });
    expect(await up.json()).to.deep.equal({ value: 3 });
    a.child.kill("SIGKILL");
    await waitFor("one hold released", async () => ((await label()) === "2" ? true : undefined));
    await fetch(`${sidecar.url}/decrement`, { method: "POST" });
    expect(await label()).to.equal("1");
    b.child.kill("SIGKILL");
    await waitFor("idle", async () => ((await label()) === undefined ? true : undefined));
  });

  it("leaves the pod to its lease when the sidecar itself is killed: idle again after the ttl", async () => {
    const h = await hold(sidecar, "?ttl=3s");
    holders.push(h);
    expect(await label()).to.equal("1");
    sidecar.child.kill("SIGKILL");
    const killedAt = Date.now();
    await waitFor(
      "the lease to expire",
      async () => ((await label()) === undefined ? true : undefined),
      { timeoutMs: 15_000 },
    );
    // The last renewal may have come up to a third of the ttl before the kill.
    expect(Date.now() - killedAt, "ms from the kill to the release").to.be.within(1500, 6000);
    sidecar = await startOwnSidecar(join(tokenDir, "token"));
  });
});
