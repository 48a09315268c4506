import type { DeliveryLogRepo } from "../DeliveryLogRepo.js";
import type { DeliveryRepo } from "../DeliveryRepo.js";
import { guarded } from "../guarded.js";
import type { LabelRepo } from "../LabelRepo.js";
import type { MemberRepo } from "../MemberRepo.js";
import type { Store } from "../Store.js";
import { outageReason, StoreHealth, StoreUnavailableError } from "../StoreHealth.js";
import { redactUrl, StoreSpecError, type PostgresSpec } from "../storeSpec.js";
import type { RedeliveryRepo } from "../RedeliveryRepo.js";
import type { WatcherRepo } from "../WatcherRepo.js";
import type { WebhookRepo } from "../WebhookRepo.js";
import { Database, type Queryable } from "./Database.js";
import { MIGRATIONS } from "./migrations.js";
import { PostgresDeliveryLogRepo } from "./PostgresDeliveryLogRepo.js";
import { PostgresDeliveryRepo } from "./PostgresDeliveryRepo.js";
import { PostgresLabelRepo } from "./PostgresLabelRepo.js";
import { PostgresMemberRepo } from "./PostgresMemberRepo.js";
import { PostgresRedeliveryRepo } from "./PostgresRedeliveryRepo.js";
import { PostgresWatcherRepo } from "./PostgresWatcherRepo.js";
import { PostgresWebhookRepo } from "./PostgresWebhookRepo.js";

// Held while migrating, so replicas that start together migrate once ("jobhooks" in ASCII).
const MIGRATION_LOCK = 0x6a6f62686f6f6b73n;

/**
 * The Store in a PostgreSQL database, which several replicas may share. Each call is one
 * statement or one transaction on a pooled connection; every repository call passes through
 * `guarded`: an outage (a lost connection, a server shutting down, a full disk) comes out as
 * StoreUnavailableError, and the pool connects again once the server answers.
 */
export class PostgresStore implements Store {
  readonly webhooks: WebhookRepo;
  readonly watchers: WatcherRepo;
  readonly deliveries: DeliveryRepo;
  readonly labels: LabelRepo;
  readonly redeliveries: RedeliveryRepo;
  readonly deliveryLog: DeliveryLogRepo;
  readonly members: MemberRepo;
  readonly health = new StoreHealth();
  /** Other replicas write it too. */
  readonly shared = true;

  private constructor(private readonly db: Database) {
    this.webhooks = guarded<WebhookRepo>(new PostgresWebhookRepo(db), this.health);
    this.watchers = guarded<WatcherRepo>(new PostgresWatcherRepo(db), this.health);
    this.deliveries = guarded<DeliveryRepo>(new PostgresDeliveryRepo(db), this.health);
    this.labels = guarded<LabelRepo>(new PostgresLabelRepo(db), this.health);
    this.redeliveries = guarded<RedeliveryRepo>(new PostgresRedeliveryRepo(db), this.health);
    this.deliveryLog = guarded<DeliveryLogRepo>(new PostgresDeliveryLogRepo(db), this.health);
    this.members = guarded<MemberRepo>(new PostgresMemberRepo(db), this.health);
  }

  /**
   * Connects and brings the schema up to date. An unreachable server rejects with
   * StoreUnavailableError (the caller may try again); what trying again cannot mend (a wrong
   * password, no such database, a certificate file missing, a schema newer than this jobhooks
   * knows) with StoreSpecError.
   */
  static async open(spec: PostgresSpec): Promise<PostgresStore> {
    const db = Database.connect(spec);
    try {
      await db.transaction(migrate);
    } catch (err) {
      await db.end().catch(() => undefined);
      const where = redactUrl(spec.url);
      const reason = outageReason(err);
      if (reason !== undefined) {
        throw new StoreUnavailableError(`cannot open ${where}: ${reason}`, { cause: err });
      }
      throw new StoreSpecError(`cannot open the store ${where}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return new PostgresStore(db);
  }

  // Nothing to reclaim: PostgreSQL manages its own WAL.
  async probe(now: Date): Promise<void> {
    try {
      await this.db.run(
        `INSERT INTO store_probe (id, at) VALUES (1, $1)
         ON CONFLICT (id) DO UPDATE SET at = excluded.at`,
        [now.getTime()],
      );
    } catch (err) {
      throw this.health.classify(err);
    }
  }

  close(): Promise<void> {
    return this.db.end();
  }
}

async function migrate(tx: Queryable): Promise<void> {
  await tx.run(`SELECT pg_advisory_xact_lock($1)`, [MIGRATION_LOCK.toString()]);
  await tx.run(
    `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`,
  );
  const [row] = await tx.rows<{ v: number | null }>(
    `SELECT MAX(version) AS v FROM schema_migrations`,
  );
  const applied = row?.v ?? 0;
  if (applied > MIGRATIONS.length) {
    throw new Error(
      `the store has schema version ${applied}, newer than this jobhooks knows (${MIGRATIONS.length}); upgrade jobhooks`,
    );
  }
  for (let v = applied; v < MIGRATIONS.length; v++) {
    await tx.run(MIGRATIONS[v] ?? "");
    await tx.run(`INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, [
      v + 1,
      Date.now(),
    ]);
  }
}
