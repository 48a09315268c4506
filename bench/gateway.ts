// npm run bench:gateway: the REST gateway (gateway + gRPC + controlplane + SQLite) beside a bare
// node:http handler (bareHttp.ts), each under the same autocannon load on loopback.
import autocannon from "autocannon";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { repoRoot } from "../test/cluster/paths.js";
import { TestCluster } from "../test/cluster/TestCluster.js";
import { startControlplane, startGateway } from "../test/support/controlplane.js";

const CONNECTIONS = 32;
const SECONDS = 10;

interface Figures {
  rps: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function load(url: string, method: "GET" | "POST", body?: string): Promise<Figures> {
  const r = await autocannon({
    url,
    method,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { "content-type": "application/json" },
    ...(body !== undefined && { body }),
  });
  return {
    rps: r.requests.average,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

async function startBare(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [join(repoRoot, "dist", "bench", "bareHttp.js")], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
  return { url: `http://127.0.0.1:${line.trim()}`, stop: () => child.kill() };
}

/**
 * `jobhooks all` against a bare node:http handler. The goal was a third of a bare Express
 * handler until the gateway left Express (issue 11); a bare Express handler does a fifth to a
 * quarter of a bare node:http one here, so a third of it is 0.07 of this yardstick.
 */
const GOAL = 0.07;

function row(name: string, f: Figures, bare?: Figures, goal?: number): string {
  const share = bare ? f.rps / bare.rps : 0;
  const verdict = goal === undefined || share >= goal ? "" : ` MISSED (goal ≥ ${goal})`;
  const ratio = bare ? ` | ${share.toFixed(2)} of bare${verdict}` : "";
  const faults =
    f.errors + f.non2xx === 0 ? "0 errors" : `${f.errors} errors, ${f.non2xx} non-2xx MISSED`;
  return `${name.padEnd(34)} ${f.rps.toFixed(0).padStart(6)} req/s  p99 ${String(f.p99).padStart(4)} ms  ${faults}${ratio}`;
}

async function main(): Promise<void> {
  const cluster = await TestCluster.start({ progress: (l) => process.stderr.write(`${l}\n`) });
  const gw = await startControlplane(cluster, { role: "all", args: ["--log-level=info"] });
  // The split deployment: a gateway process calling the controlplane over gRPC.
  const split = await startGateway(gw.grpcAddress);
  const bare = await startBare();
  try {
    const hook = await fetch(`${gw.restUrl}/webhooks`, {
      method: "POST",
      body: JSON.stringify({ url: "http://127.0.0.1:59999/unused" }),
    });
    const webhookId = ((await hook.json()) as { id?: string }).id;
    if (!webhookId) throw new Error(`could not create a webhook: ${hook.status}`);
    const body = JSON.stringify({ jobName: "bench-job", jobDoneTriggerWebhooks: [{ webhookId }] });
    const one = await fetch(`${gw.restUrl}/job-done-watchers`, { method: "POST", body });
    const watcherId = ((await one.json()) as { id: string }).id;

    process.stderr.write(`load: ${CONNECTIONS} connections, ${SECONDS} s each, loopback\n`);
    const bareCreate = await load(`${bare.url}/job-done-watchers`, "POST", body);
    const gwCreate = await load(`${gw.restUrl}/job-done-watchers`, "POST", body);
    const splitCreate = await load(`${split.restUrl}/job-done-watchers`, "POST", body);
    const bareGet = await load(`${bare.url}/job-done-watchers/${watcherId}`, "GET");
    const gwGet = await load(`${gw.restUrl}/job-done-watchers/${watcherId}`, "GET");
    const splitGet = await load(`${split.restUrl}/job-done-watchers/${watcherId}`, "GET");
    process.stdout.write(
      [
        `jobhooks gateway benchmark (node ${process.version}, ${availableParallelism()} cores, ${CONNECTIONS} connections × ${SECONDS} s)`,
        row("POST /job-done-watchers, bare", bareCreate),
        row("POST /job-done-watchers, jobhooks", gwCreate, bareCreate, GOAL),
        row("  … gateway → gRPC → controlplane", splitCreate, bareCreate),
        row("GET /job-done-watchers/{id}, bare", bareGet),
        row("GET /job-done-watchers/{id}, jobhooks", gwGet, bareGet, GOAL),
        row("  … gateway → gRPC → controlplane", splitGet, bareGet),
        "jobhooks: `jobhooks all`, gateway and controlplane in one process calling one service layer;",
        "… gateway → gRPC → controlplane: two processes, as two Deployments run (here sharing 2 cores with the load); no goal.",
        "",
      ].join("\n"),
    );
  } finally {
    bare.stop();
    await split.stop();
    await gw.stop();
    await cluster.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
