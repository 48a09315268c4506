/** Where the store lives, from --store. */
export type StoreSpec = SqliteSpec | PostgresSpec;

/** `sqlite:PATH` or `sqlite::memory:`: one process owns the file. */
export interface SqliteSpec {
  kind: "sqlite";
  /** A file path, or ":memory:". */
  path: string;
}

/** `postgres://…` or `postgresql://…`: a PostgreSQL database several replicas may share. */
export interface PostgresSpec {
  kind: "postgres";
  /** The connection URL as given, TLS parameters (sslmode, sslrootcert, …) included. */
  url: string;
  /** Connections each replica keeps open at most; default 10. */
  poolSize?: number;
}

export class StoreSpecError extends Error {}

export function parseStoreSpec(value: string): StoreSpec {
  const trimmed = value.trim();
  if (/^postgres(ql)?:\/\//.test(trimmed)) {
    if (!URL.canParse(trimmed))
      throw new StoreSpecError(`invalid store URL "${redactUrl(trimmed)}"`);
    return { kind: "postgres", url: trimmed };
  }
  const match = /^sqlite:(.+)$/.exec(trimmed);
  if (!match?.[1]) {
    throw new StoreSpecError(
      `invalid store "${redactUrl(value)}": expected sqlite:PATH (e.g. sqlite:/var/lib/jobhooks/jobhooks.db), sqlite::memory: or a PostgreSQL URL (postgres://USER@HOST:5432/DATABASE?sslmode=verify-full)`,
    );
  }
  return { kind: "sqlite", path: match[1] };
}

/** `url` without its password, fit for a message or a log line. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, "$1:***@");
}
