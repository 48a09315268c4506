import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DeliveryRepo } from "./DeliveryRepo.js";
import { LabelRepo } from "./LabelRepo.js";
import { MIGRATIONS } from "./migrations.js";
import { guarded } from "./guarded.js";
import { StoreHealth } from "./StoreHealth.js";
import { StoreSpecError, type StoreSpec } from "./storeSpec.js";
import { WatcherRepo } from "./WatcherRepo.js";
import { WebhookRepo } from "./WebhookRepo.js";

// The WAL is checkpointed into the database at about 4 MiB (SQLite's default, 1000 pages) and cut
// back to that size after, so it never stays larger. Once the volume has run full, it is kept to
// about 1 MiB instead, so a small volume does not fill up again by itself; more frequent
// checkpoints cost about a fifth of the write throughput, so only a small volume pays for them.
const WAL_BOUND = { pages: 1000, bytes: 4 * 1024 * 1024 } as const;
const SMALL_WAL_BOUND = { pages: 256, bytes: 1024 * 1024 } as const;

/**
 * Everything the controlplane knows, in one SQLite database. Writes are synchronous and the
 * process is single-threaded, so a transaction never interleaves with another.
 *
 * Every repository call that meets an outage of the store (SQLITE_FULL, an I/O error, ...)
 * throws StoreUnavailableError and marks `health` failing; StoreWatchdog then probes until a
 * write succeeds again.
 */
export class Store {
  readonly webhooks: WebhookRepo;
  readonly watchers: WatcherRepo;
  readonly deliveries: DeliveryRepo;
  readonly labels: LabelRepo;
  readonly health = new StoreHealth();

  private constructor(private readonly db: Database.Database) {
    this.webhooks = guarded(new WebhookRepo(db), this.health);
    this.watchers = guarded(new WatcherRepo(db), this.health);
    this.deliveries = guarded(new DeliveryRepo(db), this.health);
    this.labels = guarded(new LabelRepo(db), this.health);
  }

  /**
   * Writes one small row: succeeds when the store can write. Throws StoreUnavailableError (and
   * marks the store failing) when not. `reclaim` first gives back what the WAL holds beyond its
   * bound, for a volume that filled up.
   */
  probe(now: Date, reclaim = false): void {
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
    } catch (err) {
      throw this.health.classify(err);
    }
  }

  static open(spec: StoreSpec): Store {
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
    return new Store(db);
  }

  close(): void {
    this.db.close();
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
