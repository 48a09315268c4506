// npm run bench:gateway: the REST gateway (gateway + gRPC + controlplane + SQLite) beside a bare
// node:http handler (bareHttp.ts), each under the same autocannon load on loopback.
import { availableParallelism } from "node:os";
import { TestCluster } from "../test/cluster/TestCluster.js";
import { startControlplane, startGateway } from "../test/support/controlplane.js";
import { load as loadOptions, startBare, watcherBody, type LoadFigures } from "./restLoad.js";

const CONNECTIONS = 32;
const SECONDS = 10;

function load(url: string, method: "GET" | "POST", body?: string): Promise<LoadFigures> {
  return loadOptions({
    url,
    method,
    connections: CONNECTIONS,
    seconds: SECONDS,
    ...(body !== undefined && { body }),
  });
}

/**
 * `jobhooks all` against a bare node:http handler. The goal was a third of a bare Express
 * handler until the gateway left Express (issue 11); a bare Express handler does a fifth to a
 * quarter of a bare node:http one here, so a third of it is 0.07 of this yardstick.
 */
const GOAL = 0.07;

function row(name: string, f: LoadFigures, bare?: LoadFigures, goal?: number): string {
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
    const body = await watcherBody(gw.restUrl, "bench-job");
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
