import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DeliveryRepo } from "./DeliveryRepo.js";
import { LabelRepo } from "./LabelRepo.js";
import { MIGRATIONS } from "./migrations.js";
import { StoreSpecError, type StoreSpec } from "./storeSpec.js";
import { WatcherRepo } from "./WatcherRepo.js";
import { WebhookRepo } from "./WebhookRepo.js";

/**
 * Everything the controlplane knows, in one SQLite database. Writes are synchronous and the
 * process is single-threaded, so a transaction never interleaves with another.
 */
export class Store {
  readonly webhooks: WebhookRepo;
  readonly watchers: WatcherRepo;
  readonly deliveries: DeliveryRepo;
  readonly labels: LabelRepo;

  private constructor(private readonly db: Database.Database) {
    this.webhooks = new WebhookRepo(db);
    this.watchers = new WatcherRepo(db);
    this.deliveries = new DeliveryRepo(db);
    this.labels = new LabelRepo(db);
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
    migrate(db);
    return new Store(db);
  }

  close(): void {
    this.db.close();
  }
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
