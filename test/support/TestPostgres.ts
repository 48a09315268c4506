import { rmSync } from "node:fs";
import { chown, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { ownedTempDir } from "../cluster/abandonedDirs.js";
import { freePort } from "../cluster/ports.js";
import { ProcessGroup, type ManagedProcess, type TiedOptions } from "../cluster/ProcessGroup.js";
import { waitFor } from "../cluster/wait.js";
import { postgresBinDir, runTied, serverUser } from "./postgresSetup.js";

const DIR_PREFIX = "jobhooks-postgres-";
const SERVER = "postgres";
/** The superuser initdb creates; loopback connections need no password (trust). */
const SUPERUSER = "jobhooks";
const START_TIMEOUT_MS = 20_000;
const SHUTDOWN_GRACE_MS = 5_000;

/**
 * A real PostgreSQL server from the machine's packages, in a fresh temporary folder, listening
 * on a free loopback port. Built for test speed, not durability: fsync and full-page writes are
 * off, so a machine crash could lose commits, but a crash of the server alone (kill()) cannot.
 */
export class TestPostgres {
  /** Folder of the cluster (`data/`), its socket, and the server's log (`postgres.log`). */
  readonly dir: string;
  readonly dataDir: string;
  readonly port: number;
  private readonly binDir: string;
  /** The postgres user's ids when we are root: initdb and the server refuse to run as root. */
  private readonly as: TiedOptions;
  private readonly processes: ProcessGroup;
  private readonly removeDir: () => void;
  private server: ManagedProcess | undefined;
  private databases = 0;

  private constructor(parts: {
    dir: string;
    port: number;
    binDir: string;
    as: TiedOptions;
    removeDir: () => void;
  }) {
    this.dir = parts.dir;
    this.dataDir = join(parts.dir, "data");
    this.port = parts.port;
    this.binDir = parts.binDir;
    this.as = { ...parts.as, cwd: parts.dir };
    this.removeDir = parts.removeDir;
    this.processes = new ProcessGroup(parts.dir, (p, exit) => {
      process.stderr.write(
        `test postgres: exited (code ${exit.code}, signal ${exit.signal}); log ${p.logPath}\n`,
      );
    });
  }

  /** Creates a cluster with initdb and starts its server; resolves once it takes connections. */
  static async create(): Promise<TestPostgres> {
    const binDir = await postgresBinDir();
    const as = await serverUser();
    const dir = await ownedTempDir(DIR_PREFIX);
    const removeDir = (): void => {
      // The exit hook may race the server's last processes writing into the folder; a folder
      // left behind is swept by the next run.
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        /* swept later */
      }
    };
    process.once("exit", removeDir);
    if (as.uid !== undefined && as.gid !== undefined) await chown(dir, as.uid, as.gid);
    const server = new TestPostgres({ dir, port: await freePort(), binDir, as, removeDir });
    try {
      await runTied(
        join(binDir, "initdb"),
        [
          `--pgdata=${server.dataDir}`,
          `--username=${SUPERUSER}`,
          "--auth=trust",
          "--encoding=UTF8",
          "--locale=C",
          "--no-sync",
          "--no-instructions",
        ],
        server.as,
      );
      await server.start();
      return server;
    } catch (err) {
      await server.stop();
      throw err;
    }
  }

  /** A connection string for `database` as the superuser. */
  url(database: string): string {
    return `postgres://${SUPERUSER}@127.0.0.1:${this.port}/${encodeURIComponent(database)}`;
  }

  /**
   * Creates a database no one else uses and resolves its name, `<prefix>_<n>` (the prefix
   * lowercased, anything but letters, digits and _ made _), so each test sees only its own rows.
   */
  async createDatabase(prefix: string): Promise<string> {
    this.databases += 1;
    const safe = prefix
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, "_")
      .slice(0, 50);
    const name = `${safe}_${this.databases}`;
    await this.query("postgres", `CREATE DATABASE "${name}"`);
    return name;
  }

  /** Starts the server (after kill() or a failed start) and resolves once it takes connections. */
  async start(): Promise<void> {
    if (this.server?.running()) throw new Error("test postgres is already running");
    // A restart while the last server's backends still hold its shared memory would fail.
    await this.waitUntilGone("the last server's processes to exit");
    const server = this.server
      ? this.processes.restart(SERVER)
      : this.processes.start(SERVER, join(this.binDir, "postgres"), this.serverArgs(), this.as);
    this.server = server;
    const outcome = await waitFor(
      `PostgreSQL on 127.0.0.1:${this.port}`,
      async () => {
        if (!server.running()) return "it exited";
        await this.query("postgres", "SELECT 1");
        return "ready";
      },
      { timeoutMs: START_TIMEOUT_MS },
    ).catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
    if (outcome !== "ready") {
      throw new Error(`test postgres did not start: ${outcome}; log:\n${server.logTail()}`);
    }
  }

  /**
   * Shuts the server down as an operator would (fast shutdown: sessions are ended, a checkpoint
   * written) and starts it again on the same port and data; resolves once it takes connections.
   */
  async restart(): Promise<void> {
    await this.shutdown();
    await this.start();
  }

  /**
   * Kills the postmaster with SIGKILL, as a crash would, and resolves once every process of the
   * server has exited (its backends end when they see the postmaster gone). start() recovers.
   */
  async kill(): Promise<void> {
    if (!this.server?.running()) throw new Error("test postgres is not running");
    await this.processes.kill(SERVER, "SIGKILL");
    await this.waitUntilGone("the server's processes to exit after SIGKILL");
  }

  /** Stops the server, SIGKILL after a grace period, and removes its folder. */
  async stop(): Promise<void> {
    await this.shutdown().catch(() => undefined);
    await this.processes.stop();
    process.off("exit", this.removeDir);
    this.removeDir();
  }

  /**
   * The processes of this server, the postmaster and its children: found by their working
   * folder, the data folder the postmaster changes to, which the children inherit and keep
   * after the postmaster is gone. Linux only.
   */
  async pids(): Promise<number[]> {
    const found: number[] = [];
    for (const entry of await readdir("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => "");
      if (cwd.startsWith(this.dataDir)) found.push(Number(entry));
    }
    return found;
  }

  private serverArgs(): string[] {
    const settings = {
      listen_addresses: "127.0.0.1",
      unix_socket_directories: this.dir,
      max_connections: "200",
      fsync: "off",
      full_page_writes: "off",
      // Left on: with fsync off a commit costs one write() anyway (measured: no faster with it
      // off), and off would lose the last commits to kill(), which tests use to stage a crash.
      synchronous_commit: "on",
    };
    return [
      `-D${this.dataDir}`,
      `-p${this.port}`,
      ...Object.entries(settings).map(([key, value]) => `-c${key}=${value}`),
    ];
  }

  /** Fast shutdown (SIGINT) of a running server, SIGKILL after a grace period. */
  private async shutdown(): Promise<void> {
    if (!this.server?.running()) return;
    const timer = setTimeout(() => {
      this.processes.kill(SERVER, "SIGKILL").catch(() => undefined);
    }, SHUTDOWN_GRACE_MS);
    try {
      await this.processes.kill(SERVER, "SIGINT");
    } finally {
      clearTimeout(timer);
    }
    await this.waitUntilGone("the server's processes to exit after shutdown");
  }

  private async waitUntilGone(what: string): Promise<void> {
    await waitFor(what, async () => ((await this.pids()).length === 0 ? true : undefined), {
      timeoutMs: SHUTDOWN_GRACE_MS,
      intervalMs: 20,
    });
  }

  private async query(database: string, sql: string): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url(database),
      connectionTimeoutMillis: 2000,
    });
    // A server that dies under a connected client is an 'error' event, which must be heard.
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.query(sql);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
