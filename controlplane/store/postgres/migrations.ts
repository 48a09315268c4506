/**
 * Schema versions, applied in order; schema_migrations holds a row per version applied. Append
 * only: a released migration is never edited. The tables and columns are SQLite's (sqlite/
 * migrations.ts, all versions), so rows map the same way (../rows.ts); times are milliseconds
 * since the epoch. Deliveries and labels handed out are claimed until a time, for replicas.
 * Ids and destinations compare byte by byte (COLLATE "C"), as in SQLite, whatever the
 * database's locale: lists page and destinations take turns in the same order on both engines.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE webhooks (
    id TEXT COLLATE "C" PRIMARY KEY,
    url TEXT NOT NULL,
    request_body TEXT,
    description TEXT NOT NULL DEFAULT '',
    secret TEXT,
    created_at BIGINT NOT NULL,
    -- A tombstone: ended watchers' triggers still name it; it keeps no request body, no secret.
    deleted_at BIGINT
  );
  CREATE INDEX webhooks_list ON webhooks (created_at, id) WHERE deleted_at IS NULL;

  CREATE TABLE watchers (
    id TEXT COLLATE "C" PRIMARY KEY,
    namespace TEXT NOT NULL,
    job_name TEXT NOT NULL DEFAULT '',
    cron_job_name TEXT NOT NULL DEFAULT '',
    parent_id TEXT NOT NULL DEFAULT '',
    timeout_seconds INTEGER NOT NULL DEFAULT 0,
    notify_on TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    job_uid TEXT NOT NULL DEFAULT '',
    job_outcome TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- PENDING watchers only: when the watcher times out, and when an unbound one gives up.
    deadline_at BIGINT,
    bind_by BIGINT,
    idempotency_key TEXT,
    request_hash TEXT
  );
  CREATE UNIQUE INDEX watchers_idempotency ON watchers (namespace, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
  CREATE UNIQUE INDEX watchers_family_job ON watchers (parent_id, job_uid) WHERE parent_id <> '';
  CREATE INDEX watchers_pending_name ON watchers (namespace, job_name) WHERE status = 'PENDING';
  CREATE INDEX watchers_pending_cronjob ON watchers (cron_job_name)
    WHERE status = 'PENDING' AND cron_job_name <> '';
  CREATE INDEX watchers_job_uid ON watchers (job_uid) WHERE job_uid <> '';
  CREATE INDEX watchers_list ON watchers (created_at, id);
  CREATE INDEX watchers_deadline ON watchers (deadline_at)
    WHERE status = 'PENDING' AND deadline_at IS NOT NULL;
  CREATE INDEX watchers_bind_by ON watchers (bind_by)
    WHERE status = 'PENDING' AND bind_by IS NOT NULL;
  CREATE INDEX watchers_parent ON watchers (parent_id) WHERE parent_id <> '';

  CREATE TABLE triggers (
    id TEXT COLLATE "C" PRIMARY KEY,
    watcher_id TEXT NOT NULL REFERENCES watchers (id),
    position INTEGER NOT NULL,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id),
    timeout_seconds INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    called_at BIGINT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT ''
  );
  CREATE INDEX triggers_watcher ON triggers (watcher_id, position);
  CREATE INDEX triggers_webhook ON triggers (webhook_id);

  -- The outbox: a row per webhook call owed, written in the transaction that decides it and
  -- deleted in the one that records its final result. A replica that hands a row out claims it
  -- until claimed_until; recording the attempt clears the claim.
  CREATE TABLE deliveries (
    id TEXT COLLATE "C" PRIMARY KEY,
    trigger_id TEXT NOT NULL UNIQUE REFERENCES triggers (id),
    watcher_id TEXT NOT NULL,
    url TEXT NOT NULL,
    destination TEXT COLLATE "C" NOT NULL,
    body TEXT NOT NULL,
    content_type TEXT NOT NULL,
    secret TEXT,
    deadline_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    claimed_until BIGINT
  );
  CREATE INDEX deliveries_due ON deliveries (next_attempt_at);
  CREATE INDEX deliveries_watcher ON deliveries (watcher_id);
  CREATE INDEX deliveries_destination_due ON deliveries (destination, next_attempt_at);
  CREATE INDEX deliveries_claimed ON deliveries (destination, claimed_until)
    WHERE claimed_until IS NOT NULL;

  -- Jobs whose watchers all ended and that still need the webhooks-called label.
  CREATE TABLE job_labels (
    job_uid TEXT COLLATE "C" PRIMARY KEY,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX job_labels_due ON job_labels (due_at);

  -- One row, rewritten to find out whether the store can write again after a failure.
  CREATE TABLE store_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at BIGINT NOT NULL);
  `,
  // The replicas sharing the database, for sharing out the Jobs (MemberRepo).
  `
  CREATE TABLE members (id TEXT COLLATE "C" PRIMARY KEY, seen_at BIGINT NOT NULL);
  `,
  // Watchers made through a replica that does not watch Jobs: the leader binds them.
  `
  CREATE TABLE bind_requests (
    watcher_id TEXT COLLATE "C" PRIMARY KEY,
    namespace TEXT NOT NULL,
    job_name TEXT NOT NULL
  );
  `,
  // Webhooks mirrored from Webhook and ClusterWebhook objects (source: "Kind/namespace/name"),
  // and what shapes and signs a webhook's deliveries beyond url and body (options, JSON); a
  // delivery keeps its extra headers and the Secret its signature is read from (JSON).
  `
  ALTER TABLE webhooks ADD COLUMN source TEXT COLLATE "C";
  ALTER TABLE webhooks ADD COLUMN options TEXT;
  CREATE UNIQUE INDEX webhooks_source ON webhooks (source) WHERE source IS NOT NULL;
  ALTER TABLE deliveries ADD COLUMN headers TEXT;
  ALTER TABLE deliveries ADD COLUMN secret_ref TEXT;
  `,
  // The delivery log: every attempt (attempts); each delivery's message once it ended, kept to be
  // sent again (messages); both pruned after --delivery-retention. Outbox rows name their
  // webhook, say whether they are a redelivery, and carry the previous secret during a rotation's
  // overlap. Webhooks keep their health (failing since, disabled at) and a previous secret.
  `
  CREATE TABLE attempts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id TEXT NOT NULL,
    trigger_id TEXT NOT NULL,
    watcher_id TEXT NOT NULL,
    webhook_id TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    duration_ms INTEGER NOT NULL,
    host TEXT NOT NULL,
    status_code INTEGER,
    error_class TEXT NOT NULL,
    error TEXT NOT NULL DEFAULT '',
    response_prefix TEXT NOT NULL DEFAULT '',
    response_headers TEXT,
    outcome TEXT NOT NULL,
    next_attempt_at BIGINT,
    redelivery INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX attempts_watcher ON attempts (watcher_id, id);
  CREATE INDEX attempts_started ON attempts (started_at);

  CREATE TABLE messages (
    id TEXT COLLATE "C" PRIMARY KEY,
    trigger_id TEXT NOT NULL,
    watcher_id TEXT NOT NULL,
    webhook_id TEXT NOT NULL,
    body TEXT NOT NULL,
    content_type TEXT NOT NULL,
    headers TEXT,
    created_at BIGINT NOT NULL,
    ended_at BIGINT NOT NULL,
    delivered INTEGER NOT NULL
  );
  CREATE INDEX messages_trigger ON messages (trigger_id);
  CREATE INDEX messages_undelivered ON messages (webhook_id, ended_at) WHERE delivered = 0;
  CREATE INDEX messages_ended ON messages (ended_at);

  ALTER TABLE deliveries ADD COLUMN webhook_id TEXT COLLATE "C" NOT NULL DEFAULT '';
  UPDATE deliveries SET webhook_id =
    (SELECT webhook_id FROM triggers WHERE triggers.id = deliveries.trigger_id);
  ALTER TABLE deliveries ADD COLUMN redelivery INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE deliveries ADD COLUMN previous_secret TEXT;
  ALTER TABLE deliveries ADD COLUMN previous_secret_expires_at BIGINT;
  CREATE INDEX deliveries_webhook ON deliveries (webhook_id);

  ALTER TABLE webhooks ADD COLUMN failing_since BIGINT;
  ALTER TABLE webhooks ADD COLUMN disabled_at BIGINT;
  ALTER TABLE webhooks ADD COLUMN previous_secret TEXT;
  ALTER TABLE webhooks ADD COLUMN previous_secret_expires_at BIGINT;
  `,
];
