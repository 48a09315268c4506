import pg from "pg";
import type { PostgresSpec } from "../storeSpec.js";

/** Runs statements: the pool (each on any connection) or one transaction's connection. */
export interface Queryable {
  /** The rows `sql` answers. */
  rows<R>(sql: string, values?: unknown[]): Promise<R[]>;
  /** How many rows `sql` touched. */
  run(sql: string, values?: unknown[]): Promise<number>;
}

const INT8 = 20;

// BIGINT (times in milliseconds, COUNT(*)) as a number rather than pg's default string: every
// value the store keeps is far below 2^53. Set on this pool only, never on pg's global parsers.
const builtin = pg.types.getTypeParser as (oid: number, format?: string) => unknown;
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string): unknown =>
    oid === INT8 && format !== "binary"
      ? Number
      : builtin(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};

/** A connection that cannot be had in this long is an outage (the server is down or full). */
const CONNECT_TIMEOUT_MS = 5000;
/** The server cancels a statement that runs longer (a lock held by a stuck replica, ...). */
const STATEMENT_TIMEOUT_MS = 15_000;
/** The client gives up on an answer after this long (a server that stopped answering). */
const QUERY_TIMEOUT_MS = 20_000;

// A server lost while no query was running on a client: the pool drops that client, and the next
// call that cannot connect reports the outage. Heard here so the process does not die of it.
const ignore = (): void => undefined;

/**
 * Statements with values are named, so each connection parses and plans one once (a prepared
 * statement) instead of on every call: on a busy server that is most of a short query's cost.
 * The names are this process's, one per statement text, and the texts are the code's, so they
 * are few. A script without values (the migrations) may hold several statements and is sent
 * as is.
 */
const names = new Map<string, string>();

function statement(text: string, values: unknown[] | undefined): pg.QueryConfig {
  if (values === undefined) return { text };
  let name = names.get(text);
  if (name === undefined) {
    name = `jobhooks_${names.size + 1}`;
    names.set(text, name);
  }
  return { name, text, values };
}

/**
 * A newer replica's migration changed a table that a statement prepared on this connection reads
 * with `*`: the server refuses that statement on this connection from then on. The connection
 * is dropped (a failed call gives its connection up) and the call made again, on another or a
 * new one, at most once per connection the pool may hold.
 */
function stalePlan(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return (
    e.code === "0A000" &&
    typeof e.message === "string" &&
    e.message.includes("cached plan must not change result type")
  );
}

/** A pool of connections to the store's database; each call one statement or one transaction. */
export class Database implements Queryable {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly tries: number,
  ) {}

  static connect(spec: PostgresSpec): Database {
    const pool = new pg.Pool({
      connectionString: spec.url,
      max: spec.poolSize ?? 10,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      keepAlive: true,
      application_name: "jobhooks",
      types,
    });
    pool.on("error", ignore);
    return new Database(pool, (spec.poolSize ?? 10) + 1);
  }

  async rows<R>(sql: string, values?: unknown[]): Promise<R[]> {
    return (await this.query(sql, values)).rows as R[];
  }

  async run(sql: string, values?: unknown[]): Promise<number> {
    return (await this.query(sql, values)).rowCount ?? 0;
  }

  private query(sql: string, values: unknown[] | undefined): Promise<pg.QueryResult> {
    return this.againIfStale(() => this.pool.query(statement(sql, values)));
  }

  // `call`, made again while it fails of a stale plan (its connection is dropped each time).
  private async againIfStale<T>(call: () => Promise<T>): Promise<T> {
    for (let i = 1; ; i++) {
      try {
        return await call();
      } catch (err) {
        if (!stalePlan(err) || i >= this.tries) throw err;
      }
    }
  }

  /**
   * Runs `fn` in one transaction on one connection (READ COMMITTED): committed when it resolves,
   * rolled back when it throws, and the connection given back either way (dropped if it broke).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.againIfStale(() => this.once(fn));
  }

  private async once<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    client.on("error", ignore);
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const result = await fn(on(client));
      await client.query("COMMIT");
      return result;
    } catch (err) {
      broken = await client.query("ROLLBACK").then(
        () => (stalePlan(err) ? (err as Error) : undefined),
        (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
      );
      throw err;
    } finally {
      client.off("error", ignore);
      client.release(broken);
    }
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}

function on(client: pg.PoolClient): Queryable {
  return {
    rows: async <R>(sql: string, values?: unknown[]): Promise<R[]> =>
      (await client.query(statement(sql, values))).rows as R[],
    run: async (sql: string, values?: unknown[]): Promise<number> =>
      (await client.query(statement(sql, values))).rowCount ?? 0,
  };
}
