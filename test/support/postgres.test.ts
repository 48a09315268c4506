import { expect } from "chai";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import pg from "pg";
import { sharedPostgres, stopSharedPostgres } from "./postgres.js";
import { testStoreEngines } from "./storeEngines.js";

describe("test PostgreSQL server @postgres", function () {
  before(function () {
    if (!testStoreEngines().includes("postgres")) this.skip();
  });

  it("gives each test a database of its own, and keeps its rows across a restart and a crash", async () => {
    const server = await sharedPostgres();
    const a = await server.createDatabase("harness-a");
    const b = await server.createDatabase("harness-b");
    expect(a).to.not.equal(b);
    const create = "CREATE TABLE notes (body text NOT NULL)";
    await query(server.url(a), create);
    await query(server.url(a), "INSERT INTO notes VALUES ('written in a')");
    await query(server.url(b), create);
    expect(await query(server.url(b), "SELECT body FROM notes")).to.deep.equal([]);

    // A session open across the restart is ended by it; a new one finds the row.
    const open = await connect(server.url(a));
    await server.restart();
    const ended = await open.query("SELECT 1").then(
      () => "answered",
      () => "ended",
    );
    expect(ended).to.equal("ended");
    await open.end().catch(() => undefined);
    expect(await query(server.url(a), "SELECT body FROM notes")).to.deep.equal([
      { body: "written in a" },
    ]);

    await query(server.url(a), "INSERT INTO notes VALUES ('committed before the crash')");
    await server.kill();
    await server.start();
    const rows = await query(server.url(a), "SELECT body FROM notes ORDER BY body");
    expect(rows.map((r) => r.body)).to.deep.equal(["committed before the crash", "written in a"]);
    expect(await query(server.url(b), "SELECT body FROM notes")).to.deep.equal([]);
  });

  it("stop() leaves no process of the server behind and removes its folder", async () => {
    const server = await sharedPostgres();
    // A connection still open at the end, as a leaked pool would leave one.
    const open = await connect(server.url("postgres"));
    const result = await open.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    const backend = result.rows[0]!.pid;
    const pids = await server.pids();
    // The postmaster, its background workers, and the backend of our connection.
    expect(pids).to.include(backend);
    expect(pids.length).to.be.greaterThan(3);

    await stopSharedPostgres();
    expect(await living(pids)).to.deep.equal([]);
    expect(await commandLinesNaming(server.dataDir)).to.deep.equal([]);
    expect(existsSync(server.dir)).to.equal(false);
    await open.end().catch(() => undefined);
  });
});

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client(url);
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = await connect(url);
  try {
    return (await client.query<Record<string, unknown>>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Those of `pids` still running (a zombie has exited, and waits only to be reaped). */
async function living(pids: number[]): Promise<number[]> {
  const alive: number[] = [];
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
    const state = stat?.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (state !== undefined && state !== "Z") alive.push(pid);
  }
  return alive;
}

/** The command lines of running processes that name `text`, as `pgrep -af text` would list. */
async function commandLinesNaming(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(text)) found.push(`${entry} ${cmdline.replaceAll("\0", " ")}`);
  }
  return found;
}
