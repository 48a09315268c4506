import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DeliveryLogRepo } from "../DeliveryLogRepo.js";
import type { DeliveryRepo } from "../DeliveryRepo.js";
import { guarded } from "../guarded.js";
import type { LabelRepo } from "../LabelRepo.js";
import type { Store } from "../Store.js";
import { StoreHealth } from "../StoreHealth.js";
import { StoreSpecError, type SqliteSpec } from "../storeSpec.js";
import type { RedeliveryRepo } from "../RedeliveryRepo.js";
import type { WatcherRepo } from "../WatcherRepo.js";
import type { WebhookRepo } from "../WebhookRepo.js";
import { MIGRATIONS } from "./migrations.js";
import { SqliteDeliveryLogRepo } from "./SqliteDeliveryLogRepo.js";
import { SqliteDeliveryRepo } from "./SqliteDeliveryRepo.js";
import { SqliteLabelRepo } from "./SqliteLabelRepo.js";
import { SqliteRedeliveryRepo } from "./SqliteRedeliveryRepo.js";
import { SqliteWatcherRepo } from "./SqliteWatcherRepo.js";
import { SqliteWebhookRepo } from "./SqliteWebhookRepo.js";

// The WAL is checkpointed into the database at about 2 MiB (500 pages) and cut back to that size
// after, so it never stays larger. A checkpoint runs on the event loop, inside the commit that
// crosses the bound, and syncs the disk twice: under a load of REST writes SQLite's default, 1000
// pages, stalled the loop long enough to put the webhooks' p99 latency at 12-20 ms, 500 pages at
// 8-11 ms, for 2-5% of the POST throughput (docs/testing.md). Once the volume has run full, it is
// kept to about 1 MiB instead, so a small volume does not fill up again by itself; checkpoints
// that often cost about a tenth of the POST throughput, so only a small volume pays.
const WAL_BOUND = { pages: 500, bytes: 2 * 1024 * 1024 } as const;
const SMALL_WAL_BOUND = { pages: 256, bytes: 1024 * 1024 } as const;

/**
 * The Store in one SQLite database. Writes are synchronous and the process is single-threaded,
 * so a transaction never interleaves with another. Every repository call passes through
 * `guarded`: an outage (SQLITE_FULL, an I/O error, ...) comes out as StoreUnavailableError.
 */
export class SqliteStore implements Store {
  readonly webhooks: WebhookRepo;
  readonly watchers: WatcherRepo;
  readonly deliveries: DeliveryRepo;
  readonly labels: LabelRepo;
  readonly redeliveries: RedeliveryRepo;
  readonly deliveryLog: DeliveryLogRepo;
  readonly health = new StoreHealth();
  /** One process owns the file. */
  readonly shared = false;

  private constructor(private readonly db: Database.Database) {
    this.webhooks = guarded<WebhookRepo>(new SqliteWebhookRepo(db), this.health);
    this.watchers = guarded<WatcherRepo>(new SqliteWatcherRepo(db), this.health);
    this.deliveries = guarded<DeliveryRepo>(new SqliteDeliveryRepo(db), this.health);
    this.labels = guarded<LabelRepo>(new SqliteLabelRepo(db), this.health);
    this.redeliveries = guarded<RedeliveryRepo>(new SqliteRedeliveryRepo(db), this.health);
    this.deliveryLog = guarded<DeliveryLogRepo>(new SqliteDeliveryLogRepo(db), this.health);
  }

  // `reclaim`: the WAL is cut back to its small bound first, for a volume that filled up.
  probe(now: Date, reclaim = false): Promise<void> {
    try {
      if (reclaim) {
        boundWal(this.db, SMALL_WAL_BOUND);
        this.db.pragma("wal_checkpoint(TRUNCATE)");
      }
      this.db
        .prepare(
          `INSERT INTO store_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at`,
        )
        .run(now.getTime());
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(this.health.classify(err));
    }
  }

  static open(spec: SqliteSpec): SqliteStore {
    let db: Database.Database;
    try {
      if (spec.path !== ":memory:") mkdirSync(dirname(spec.path), { recursive: true });
      db = new Database(spec.path);
      db.pragma("journal_mode = WAL");
    } catch (err) {
      // A read-only root filesystem, a missing volume, a folder without write permission.
      throw new StoreSpecError(
        `cannot open the store ${spec.path}: ${(err as Error).message} (--store sqlite:PATH must name a writable folder)`,
      );
    }
    // WAL: readers never block the writer; NORMAL sync is durable across a process crash (the
    // WAL is in the OS page cache) and loses at most the last commits on a power cut.
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    boundWal(db, WAL_BOUND);
    migrate(db);
    return new SqliteStore(db);
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}

function boundWal(db: Database.Database, bound: { pages: number; bytes: number }): void {
  db.pragma(`wal_autocheckpoint = ${bound.pages}`);
  db.pragma(`journal_size_limit = ${bound.bytes}`);
}

function migrate(db: Database.Database): void {
  const applied = db.pragma("user_version", { simple: true }) as number;
  if (applied > MIGRATIONS.length) {
    throw new Error(
      `the store has schema version ${applied}, newer than this jobhooks knows (${MIGRATIONS.length}); upgrade jobhooks`,
    );
  }
  db.transaction(() => {
    for (let v = applied; v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v] ?? "");
      db.pragma(`user_version = ${v + 1}`);
    }
  })();
}
