import { expect } from "chai";
import { CANCELLED } from "../../watchers/decideEnding.js";
import { Outcome, type Webhook } from "../../watchers/model.js";
import { newWatcher } from "../../watchers/newWatcher.js";
import type { Store } from "../Store.js";
import { describeStores } from "../../../test/support/storeFixture.js";

describeStores("WebhookRepo", (open) => {
  let store: Store;
  const at = (ms: number): Date => new Date(1_700_000_000_000 + ms);
  const webhook = (id: string, ms: number): Webhook => ({
    id,
    url: `http://127.0.0.1:9/${id}`,
    requestBody: `body of ${id}`,
    description: "",
    secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    createdAt: at(ms),
  });
  const watcherNaming = async (webhookId: string): Promise<string> =>
    (
      await store.watchers.create(
        newWatcher(
          {
            namespace: "ns",
            jobName: "job",
            cronJobName: "",
            timeoutSeconds: 0,
            notifyOn: [Outcome.SUCCEEDED],
            triggers: [{ webhookId, timeoutSeconds: 0 }],
          },
          { now: at(100) },
        ),
      )
    ).watcher.id;

  beforeEach(async () => {
    store = await open();
  });

  it("scans in (created_at, id) order from any place, however the rows were inserted", async () => {
    for (const [id, ms] of [
      ["c", 2],
      ["b", 1],
      ["a", 2],
      ["d", 3],
    ] as const)
      await store.webhooks.insert(webhook(id, ms));
    expect([...(await store.webhooks.list(100))].map((w) => w.id)).to.deep.equal([
      "b",
      "a",
      "c",
      "d",
    ]);
    const after = { createdAt: at(2).getTime(), id: "a" };
    expect([...(await store.webhooks.list(100, after))].map((w) => w.id)).to.deep.equal(["c", "d"]);
  });

  it("scans past its read chunk", async () => {
    for (let i = 0; i < 20; i++)
      await store.webhooks.insert(webhook(`w${String(i).padStart(2, "0")}`, i));
    expect([...(await store.webhooks.list(100))]).to.have.length(20);
  });

  it("refuses to delete a webhook an open watcher names, naming the watcher", async () => {
    await store.webhooks.insert(webhook("a", 1));
    const id = await watcherNaming("a");
    expect(await store.webhooks.delete("a", at(200))).to.deep.equal({
      kind: "in-use",
      watcherIds: [id],
      count: 1,
    });
    expect(await store.webhooks.get("a")).to.not.equal(undefined);
  });

  it("deletes once its watchers ended: gone for get and scan, kept for their triggers", async () => {
    await store.webhooks.insert(webhook("a", 1));
    await store.webhooks.insert(webhook("b", 2));
    const id = await watcherNaming("a");
    await store.watchers.apply({
      spawn: [],
      changes: [{ kind: "end", id, ending: CANCELLED }],
      labels: [],
      at: at(150),
    });
    expect(await store.webhooks.delete("a", at(200))).to.deep.equal({ kind: "deleted" });
    expect(await store.webhooks.get("a")).to.equal(undefined);
    expect([...(await store.webhooks.list(100))].map((w) => w.id)).to.deep.equal(["b"]);
    expect((await store.watchers.get(id))?.triggers[0]?.webhookId).to.equal("a");
    expect(await store.webhooks.delete("a", at(300))).to.deep.equal({ kind: "missing" });
  });

  it("brings a deleted webhook back with ensure (the job-families file), not a live one", async () => {
    await store.webhooks.insert(webhook("a", 1));
    await store.webhooks.ensure({ ...webhook("a", 5), url: "http://127.0.0.1:9/changed" });
    expect((await store.webhooks.get("a"))?.url).to.equal("http://127.0.0.1:9/a");
    await store.webhooks.delete("a", at(200));
    await store.webhooks.ensure({ ...webhook("a", 5), url: "http://127.0.0.1:9/changed" });
    expect((await store.webhooks.get("a"))?.url).to.equal("http://127.0.0.1:9/changed");
  });

  it("mirrors an object's webhook: put inserts, changes and revives it; tombstone keeps its spec", async () => {
    const source = { kind: "Webhook" as const, namespace: "team-a", name: "chat" };
    const options = {
      bodyTemplate: '{"text": {{ job.name | json }}}',
      headers: { "X-Team": "a" },
      cloudEvents: { mode: "Binary" as const },
      secretRef: { namespace: "team-a", name: "signing", key: "secret" },
    };
    const mirrored = { ...webhook("m", 1), requestBody: undefined, secret: undefined, source };
    await store.webhooks.insert(webhook("api", 0));
    await store.webhooks.put({ ...mirrored, options });
    expect(await store.webhooks.get("m")).to.deep.equal({ ...mirrored, options });
    await store.webhooks.put({ ...mirrored, url: "http://127.0.0.1:9/new", createdAt: at(50) });
    const changed = await store.webhooks.get("m");
    expect(changed?.url).to.equal("http://127.0.0.1:9/new");
    expect(changed?.options, "options absent: none").to.equal(undefined);
    expect(changed?.createdAt, "created once").to.deep.equal(at(1));
    expect((await store.webhooks.mirrored()).map((w) => w.id)).to.deep.equal(["m"]);

    const id = await watcherNaming("m");
    expect(await store.webhooks.tombstone("m", at(200)), "even while named").to.equal(true);
    expect(await store.webhooks.tombstone("m", at(201))).to.equal(false);
    expect(await store.webhooks.get("m")).to.equal(undefined);
    expect(await store.webhooks.mirrored()).to.deep.equal([]);
    expect((await store.webhooks.get("m", "with-deleted"))?.url).to.equal("http://127.0.0.1:9/new");
    expect((await store.watchers.get(id))?.status).to.equal("PENDING");

    await store.webhooks.put({ ...mirrored, options });
    expect((await store.webhooks.get("m"))?.options).to.deep.equal(options);
  });

  it("counts the triggers that named a webhook by how they ended", async () => {
    await store.webhooks.insert(webhook("a", 1));
    expect(await store.webhooks.outcomes("a")).to.deep.equal({ delivered: 0, failed: 0 });
    const id = await watcherNaming("a");
    await store.watchers.apply({
      spawn: [],
      changes: [{ kind: "end", id, ending: CANCELLED }],
      labels: [],
      at: at(150),
    });
    expect(await store.webhooks.outcomes("a")).to.deep.equal({ delivered: 0, failed: 0 });
  });
});
