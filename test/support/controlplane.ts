import type { ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createChannel, createClientFactory, type Channel } from "nice-grpc";
import { errorDetailsClientMiddleware } from "nice-grpc-error-details";
import {
  JobDoneWatcherServiceDefinition,
  type JobDoneWatcherServiceClient,
} from "../../proto/gen/jobhooks/v1/watchers.js";
import {
  WebhookServiceDefinition,
  type WebhookServiceClient,
} from "../../proto/gen/jobhooks/v1/webhooks.js";
import { JOBHOOKS_BIN } from "./bin.js";
import { NODE_FLAGS } from "../../cli/nodeFlags.js";
import { spawnTied } from "../cluster/ProcessGroup.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { controlplaneKubeconfig } from "./controlplaneAccount.js";
import { TEST_ALLOW } from "./egress.js";
import { sharedPostgres } from "./postgres.js";
import type { StoreEngine } from "./storeEngines.js";

const main = JOBHOOKS_BIN;

/** A running `jobhooks` process, with the addresses it logged. */
export interface JobhooksProcess {
  child: ChildProcess;
  healthAddress: string;
  /** http://HOST:PORT of the REST API, when the role serves one (`all`, `gateway`). */
  restUrl: string;
  /** Every JSON log line so far. */
  logs: Record<string, unknown>[];
  /** SIGTERM, wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, wait for exit. */
  kill(): Promise<void>;
}

export interface ControlplaneProcess extends JobhooksProcess {
  grpcAddress: string;
  /** HOST:PORT of the sidecar injector, when `injector` was asked for. */
  webhookAddress: string;
  channel: Channel;
  webhooks: WebhookServiceClient;
  watchers: JobDoneWatcherServiceClient;
}

export interface ControlplaneRun {
  /** The SQLite file; reuse it to restart "the same" controlplane. */
  storePath?: string;
  /** A whole --store (e.g. a PostgreSQL URL from freshStore); instead of storePath. */
  store?: string;
  /** Extra flags, e.g. ["--retry-base", "50ms"]. */
  args?: string[];
  /** `controlplane` (default), or `all` for controlplane and REST gateway in one process. */
  role?: "controlplane" | "all";
  /** --auth; tests that are not about authentication run with "none" (the default here). */
  auth?: "none" | "tokenreview";
  /** The injector is configured in `args` (a certificate): wait for it to listen too. */
  injector?: boolean;
  /** A kubeconfig file to run with instead of the controlplane's own (e.g. through a relay). */
  kubeconfig?: string;
  /**
   * /etc/hosts lines this controlplane alone resolves names from ("127.0.0.2 name.test"), with
   * DNS off ("hosts: files"): a private mount namespace (unshare; root or user namespaces) in
   * which both files are bind-mounted, so the machine's files are never changed and no query
   * leaves the machine.
   */
  hosts?: string;
  /**
   * Another build's dist/cli/main.js (the bench's parity run starts an older one); its flags
   * must be the ones that build knows: `legacyFlags` leaves out --allow-destinations, which
   * builds before the egress filter refuse.
   */
  main?: string;
  legacyFlags?: boolean;
  /** Options for node itself, e.g. ["--cpu-prof"] (which NODE_OPTIONS does not take). */
  nodeArgs?: string[];
}

const LISTENING = {
  grpc: "gRPC listening",
  health: "health endpoints listening",
  rest: "REST API listening",
  webhook: "admission webhook listening",
} as const;
type Listener = keyof typeof LISTENING;

/**
 * Runs `jobhooks ARGS` (tied to this process) and resolves once it has logged that each of
 * `listeners` is listening, with their addresses; fails after 30 s or if it exits first.
 */
async function spawnJobhooks(
  args: string[],
  listeners: Listener[],
  {
    hosts,
    cli = main,
    nodeArgs = [...NODE_FLAGS],
  }: { hosts?: string; cli?: string; nodeArgs?: string[] } = {},
): Promise<{
  child: ChildProcess;
  logs: Record<string, unknown>[];
  addresses: Partial<Record<Listener, string>>;
  exited: Promise<number | null>;
}> {
  const child =
    hosts === undefined
      ? spawnTied(process.execPath, [...nodeArgs, cli, ...args])
      : spawnTied("unshare", withHosts(hosts, [process.execPath, ...nodeArgs, cli, ...args]));
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  child.stderr.on("data", (d: Buffer) => stderr.push(d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const addresses: Partial<Record<Listener, string>> = {};
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `no "listening" log lines within 30 s (is --log-level above info?):\n${stderr.join("")}`,
        ),
      );
    }, 30_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(
        new Error(
          `jobhooks ${args[0] ?? ""} exited (${code}) before listening:\n${stderr.join("")}`,
        ),
      );
    });
    createInterface({ input: child.stdout }).on("line", (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      for (const l of listeners)
        if (entry.msg === LISTENING[l]) addresses[l] = String(entry.address);
      if (listeners.every((l) => addresses[l] !== undefined)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { child, logs, addresses, exited };
}

// `unshare` arguments running `command` with `hosts` as its /etc/hosts and DNS off. As root the
// namespace is a mount namespace only, so the credentials (and setpriv's death signal) stay.
function withHosts(hosts: string, command: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), "jobhooks-hosts-"));
  writeFileSync(join(dir, "hosts"), `127.0.0.1 localhost\n::1 localhost\n${hosts}\n`);
  writeFileSync(join(dir, "nsswitch.conf"), "hosts: files\n");
  const mount =
    'mount --bind "$0/hosts" /etc/hosts && mount --bind "$0/nsswitch.conf" /etc/nsswitch.conf && exec "$@"';
  const user = process.getuid?.() === 0 ? [] : ["--map-root-user"];
  return [...user, "--mount", "sh", "-c", mount, dir, ...command];
}

function processHandle(
  spawned: Awaited<ReturnType<typeof spawnJobhooks>>,
  onStop: () => void = () => {},
): JobhooksProcess {
  const { child, logs, addresses, exited } = spawned;
  return {
    child,
    logs,
    healthAddress: addresses.health ?? "",
    restUrl: addresses.rest ? `http://${addresses.rest}` : "",
    stop: async () => {
      onStop();
      child.kill("SIGTERM");
      return exited;
    },
    kill: async () => {
      onStop();
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/**
 * Runs `jobhooks controlplane` (or `all`) as a real process against the test cluster, on free
 * ports, as the ServiceAccount the manifests install it with: only the rights of
 * manifests/rbac/controlplane.yaml, so a test fails when the code needs one that is not there.
 */
export async function startControlplane(
  cluster: TestCluster,
  run: ControlplaneRun = {},
): Promise<ControlplaneProcess> {
  const store =
    run.store ??
    `sqlite:${run.storePath ?? join(mkdtempSync(join(tmpdir(), "jobhooks-store-")), "jobhooks.db")}`;
  const role = run.role ?? "controlplane";
  const spawned = await spawnJobhooks(
    [
      role,
      `--kubeconfig=${run.kubeconfig ?? (await controlplaneKubeconfig(cluster))}`,
      `--store=${store}`,
      "--grpc-listen=127.0.0.1:0",
      "--health-listen=127.0.0.1:0",
      "--log-level=debug",
      `--auth=${run.auth ?? "none"}`,
      ...(role === "all" ? ["--listen=127.0.0.1:0"] : []),
      // The receivers of tests listen on loopback, which is denied by default; a test's own
      // --allow-destinations in `args` comes later and wins.
      ...(run.legacyFlags ? [] : [`--allow-destinations=${TEST_ALLOW.join(",")}`]),
      ...(run.args ?? []),
    ],
    [
      "grpc",
      "health",
      ...(role === "all" ? (["rest"] as const) : []),
      ...(run.injector ? (["webhook"] as const) : []),
    ],
    {
      ...(run.hosts !== undefined && { hosts: run.hosts }),
      ...(run.main !== undefined && { cli: run.main }),
      ...(run.nodeArgs !== undefined && { nodeArgs: run.nodeArgs }),
    },
  );
  const grpcAddress = spawned.addresses.grpc ?? "";
  const channel = createChannel(grpcAddress);
  const factory = createClientFactory().use(errorDetailsClientMiddleware);
  return {
    ...processHandle(spawned, () => channel.close()),
    grpcAddress,
    webhookAddress: spawned.addresses.webhook ?? "",
    channel,
    webhooks: factory.create(WebhookServiceDefinition, channel),
    watchers: factory.create(JobDoneWatcherServiceDefinition, channel),
  };
}

/** Runs `jobhooks gateway` against a controlplane's gRPC address, on free ports. */
export async function startGateway(
  controlplaneAddress: string,
  args: string[] = [],
): Promise<JobhooksProcess> {
  const spawned = await spawnJobhooks(
    [
      "gateway",
      `--controlplane=${controlplaneAddress}`,
      "--listen=127.0.0.1:0",
      "--health-listen=127.0.0.1:0",
      ...args,
    ],
    ["health", "rest"],
  );
  return processHandle(spawned);
}

/**
 * A --store for a new, empty store on `engine`: a SQLite file in a fresh folder, or a fresh
 * database on the shared test PostgreSQL.
 */
export async function freshStore(engine: StoreEngine): Promise<string> {
  if (engine === "sqlite") {
    return `sqlite:${join(mkdtempSync(join(tmpdir(), "jobhooks-store-")), "jobhooks.db")}`;
  }
  const pg = await sharedPostgres();
  return pg.url(await pg.createDatabase("cp"));
}

/** The --store a controlplane started by startControlplane runs with (from its command line). */
export function storeOf(cp: ControlplaneProcess): string {
  const arg = cp.child.spawnargs.find((a) => a.startsWith("--store="));
  if (!arg) throw new Error("no --store argument");
  return arg.slice("--store=".length);
}

/** The store path of a controlplane started by startControlplane (from its command line). */
export function storePathOf(cp: ControlplaneProcess): string {
  const arg = cp.child.spawnargs.find((a) => a.startsWith("--store=sqlite:"));
  if (!arg) throw new Error("no --store argument");
  return arg.slice("--store=sqlite:".length);
}
