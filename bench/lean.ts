/**
 * npm run bench:lean: issue 16's goals for `jobhooks all`, each figure beside a reference
 * measured in the same run: idle RSS on an empty cluster and RSS through and after a POST load
 * (beside a bare node:http server), start-up to the first REST answer and to ready (beside the
 * bare server's start), and webhook latency for 500 Jobs (beside a raw watch), alone and beside
 * a POST load. Prints figures, asserts nothing; exits non-zero only if something broke.
 */
import { NODE_FLAGS } from "../cli/nodeFlags.js";
import type { BenchContext } from "./BenchContext.js";
import { benchProgress, runWithCluster } from "./benchRun.js";
import { waitReady, type Controlplanes } from "./Controlplanes.js";
import { formatLean, type LeanResults } from "./leanReport.js";
import { measureLatency, type LatencyShape } from "./measureLatency.js";
import { measureRestMemory, REST_LOAD } from "./measureRestMemory.js";
import { measureStartup } from "./measureStartup.js";
import { loadInChild, startBare, watcherBody, type ChildLoad } from "./restLoad.js";

const progress = benchProgress();

/** Issue 16's latency run: 500 Jobs completing 100 ms apart, after 50 to warm up. */
const LATENCY: LatencyShape = { jobs: 500, warmup: 50, spacingMs: 100 };
/** The load beside the second latency run: ended with it, or by this time limit. */
const BESIDE_SECONDS = 180;

/** RSS of `jobhooks all` and of the bare server, each idle, then through and after the load. */
async function memory(cps: Controlplanes, results: LeanResults): Promise<void> {
  const cp = await cps.start(undefined, {}, { role: "all" });
  let body = "";
  try {
    await waitReady(cp);
    results.memory = await measureRestMemory(
      { pid: cp.child.pid, url: cp.restUrl, body: async () => (body = await newBody(cp.restUrl)) },
      progress,
    );
  } finally {
    await cps.stop(cp);
  }
  const bare = await startBare();
  try {
    results.bareMemory = await measureRestMemory(
      { pid: bare.pid, url: bare.url, body: () => Promise.resolve(body) },
      progress,
    );
  } finally {
    bare.stop();
  }
}

function newBody(restUrl: string): Promise<string> {
  return watcherBody(restUrl, "bench-job");
}

/** The latency run, alone and then beside REST_LOAD's POSTs, on one `jobhooks all`. */
async function latency(ctx: BenchContext, cps: Controlplanes, results: LeanResults): Promise<void> {
  // JOBHOOKS_BENCH_PROFILE=DIR: a CPU profile of this controlplane, to find what delays the tail.
  const profile = process.env.JOBHOOKS_BENCH_PROFILE;
  const nodeArgs = profile ? [...NODE_FLAGS, "--cpu-prof", `--cpu-prof-dir=${profile}`] : undefined;
  const cp = await cps.start(undefined, {}, { role: "all", ...(nodeArgs && { nodeArgs }) });
  await waitReady(cp);
  results.latency = await measureLatency(ctx, cp, LATENCY);
  const url = `${cp.restUrl}/job-done-watchers`;
  const body = await newBody(cp.restUrl);
  let load: ChildLoad | undefined;
  const beside = {
    start: () => {
      load = loadInChild({ ...REST_LOAD, url, method: "POST", body, seconds: BESIDE_SECONDS });
      progress(`latency: beside ${REST_LOAD.connections} connections POSTing watchers`);
    },
    stop: async () => {
      load?.stop();
      results.besideLoad = await load?.figures;
    },
  };
  results.loadedLatency = await measureLatency(ctx, cp, { ...LATENCY, beside });
  await cps.stop(cp);
}

async function main(): Promise<number> {
  const results: LeanResults = {};
  const { heading, failed } = await runWithCluster("lean", progress, async (ctx, cps) => {
    // JOBHOOKS_BENCH_ONLY=latency: the latency runs alone, some ten minutes shorter.
    if (process.env.JOBHOOKS_BENCH_ONLY !== "latency") {
      // The cluster is empty until the latency runs; the first start also makes the
      // controlplane's kubeconfig, which later starts then find made.
      await memory(cps, results);
      results.startup = await measureStartup(cps, progress);
    }
    await latency(ctx, cps, results);
  });
  process.stdout.write(`${formatLean(heading, results)}\n`);
  progress("done");
  return failed || lost(results) ? 1 : 0;
}

/** A webhook that never arrived, or a load that met errors, is a failure, not a missed goal. */
function lost({ latency, loadedLatency, memory, besideLoad }: LeanResults): boolean {
  const short = (l: LeanResults["latency"]): boolean =>
    l !== undefined && l.webhook.length < l.jobs;
  const faulty = (f: LeanResults["besideLoad"]): boolean =>
    f !== undefined && f.errors + f.non2xx > 0;
  return short(latency) || short(loadedLatency) || faulty(memory?.load) || faulty(besideLoad);
}

process.exitCode = await main();
