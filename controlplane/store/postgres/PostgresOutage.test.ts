import { expect } from "chai";
import pg from "pg";
import { waitFor } from "../../../test/cluster/wait.js";
import { sharedPostgres } from "../../../test/support/postgres.js";
import { rejects } from "../../../test/support/rejects.js";
import { testStoreEngines } from "../../../test/support/storeEngines.js";
import type { TestPostgres } from "../../../test/support/TestPostgres.js";
import { at, counter, inserted, spec, webhook } from "../../../test/support/watcherFixtures.js";
import type { Store } from "../Store.js";
import { StoreUnavailableError } from "../StoreHealth.js";
import { PostgresStore } from "./PostgresStore.js";

// These tests stop the shared server; each starts it again before it ends, pass or fail.
describe("PostgresStore through an outage of its server @postgres", function () {
  let server: TestPostgres;
  let url: string;
  let store: Store;

  before(function () {
    if (!testStoreEngines().includes("postgres")) this.skip();
  });

  beforeEach(async () => {
    server = await sharedPostgres();
    url = server.url(await server.createDatabase("outage"));
    store = await PostgresStore.open({ kind: "postgres", url });
    await store.webhooks.insert(webhook("hook"));
  });

  afterEach(async () => {
    await server.start().catch((err: unknown) => {
      if (!/already running/.test(String(err))) throw err;
    });
    await store.close();
  });

  it("fails calls while the server is down, and works again once it is back, without reopening", async () => {
    await server.kill();
    const err = await rejects(store.webhooks.get("hook"), StoreUnavailableError);
    expect(err.reason).to.match(/^(ECONNREFUSED: |Connection terminated)/);
    expect(store.health.failure?.reason).to.equal(err.reason);
    await rejects(store.probe(new Date()), StoreUnavailableError);

    await server.start();
    await store.probe(new Date());
    store.health.recovered();
    expect((await store.webhooks.get("hook"))?.id).to.equal("hook");
    const created = await store.watchers.create(inserted(spec(), counter("w")));
    expect(created.created).to.equal(true);
    expect(store.health.failure).to.equal(undefined);
  });

  it("fails a call the server's shutdown cuts off with its reason, then carries on after the restart", async () => {
    // Another session holds the webhook's row, so the delete waits on it when the server stops.
    const holder = new pg.Client(url);
    holder.on("error", () => undefined);
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT 1 FROM webhooks WHERE id = 'hook' FOR UPDATE");
      // Settled into a value at once: it fails while restart() is still under way.
      const cutOff = store.webhooks.delete("hook", at(1000)).catch((err: unknown) => err);
      await waitFor("the delete to wait on the row", async () => {
        const { rows } = await holder.query<{ n: number }>(
          `SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'`,
        );
        return rows[0]?.n === 1 ? true : undefined;
      });
      await server.restart();
      const err = await cutOff;
      expect(err).to.be.instanceOf(StoreUnavailableError);
      // The server's own word, or, when the socket closed before pg read it, pg's.
      expect((err as StoreUnavailableError).reason).to.match(
        /^(57P01: terminating connection due to administrator command|Client has encountered a connection error|Connection terminated)/,
      );
    } finally {
      await holder.end().catch(() => undefined);
    }
    expect(store.health.failure?.reason).to.match(/^(57P01: |Client has|Connection terminated)/);
    await store.probe(new Date());
    store.health.recovered();
    expect(await store.webhooks.delete("hook", at(2000))).to.deep.equal({ kind: "deleted" });
  });
});
