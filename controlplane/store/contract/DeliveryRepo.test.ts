import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { buildDeliveries } from "../../watchers/buildDeliveries.js";
import { Outcome, WatcherStatus } from "../../watchers/model.js";
import { newWatcher } from "../../watchers/newWatcher.js";
import type { Busy } from "../DeliveryRepo.js";
import type { Store } from "../Store.js";
import { describeStores } from "../../../test/support/storeFixture.js";

const NOW = new Date("2026-01-01T00:00:00Z");

// Queues `count` deliveries to `url`, as a finishing Job would.
async function queue(store: Store, url: string, count: number): Promise<void> {
  const webhookId = randomUUID();
  await store.webhooks.insert({
    id: webhookId,
    url,
    requestBody: "x",
    description: "",
    secret: undefined,
    createdAt: NOW,
  });
  const { watcher } = await store.watchers.create(
    newWatcher(
      {
        namespace: "ns",
        jobName: `job-${webhookId.slice(0, 8)}`,
        cronJobName: "",
        timeoutSeconds: 0,
        notifyOn: [Outcome.SUCCEEDED],
        triggers: Array.from({ length: count }, () => ({ webhookId, timeoutSeconds: 0 })),
      },
      { now: NOW },
    ),
  );
  const hook = await store.webhooks.get(webhookId);
  const deliveries = buildDeliveries(watcher, () => hook, {
    job: { uid: "u", namespace: "ns", name: watcher.jobName } as Parameters<
      typeof buildDeliveries
    >[2]["job"],
    outcome: Outcome.SUCCEEDED,
    at: NOW,
    now: NOW,
    defaultTimeoutMs: 60_000,
  });
  await store.watchers.apply({
    spawn: [],
    changes: [
      {
        kind: "notify",
        id: watcher.id,
        outcome: Outcome.SUCCEEDED,
        status: WatcherStatus.PROCESSING,
        deliveries,
      },
    ],
    labels: [],
    at: NOW,
  });
}

function busy(cap: number, perDestination: Record<string, number> = {}, ids: string[] = []): Busy {
  return {
    ids: new Set(ids),
    perDestination: new Map(Object.entries(perDestination)),
    destinationCap: cap,
    claimUntil: new Date(0),
  };
}

describeStores("DeliveryRepo: slots shared by destination", (open) => {
  let store: Store;
  beforeEach(async () => {
    store = await open();
  });

  it("gives no destination more than its cap, so the next one gets the rest", async () => {
    await queue(store, "http://stalled.example:8080/a", 20);
    await queue(store, "http://stalled.example:8080/b", 20);
    await queue(store, "https://healthy.example/hook", 5);
    const picked = await store.deliveries.due(NOW, 64, busy(4));
    const by = (d: string): number => picked.filter((p) => p.destination === d).length;
    expect(by("http://stalled.example:8080")).to.equal(4);
    expect(by("https://healthy.example")).to.equal(4);
  });

  it("counts the attempts already in flight against the cap", async () => {
    await queue(store, "http://a.example/x", 10);
    await queue(store, "http://b.example/x", 10);
    const picked = await store.deliveries.due(NOW, 64, busy(4, { "http://a.example": 3 }));
    expect(picked.filter((p) => p.destination === "http://a.example")).to.have.length(1);
    expect(picked.filter((p) => p.destination === "http://b.example")).to.have.length(4);
  });

  it("stops at the limit of free slots", async () => {
    await queue(store, "http://a.example/x", 10);
    await queue(store, "http://b.example/x", 10);
    expect(await store.deliveries.due(NOW, 5, busy(4))).to.have.length(5);
  });

  it("does not call a delivery of a full destination due, so the loop does not spin", async () => {
    await queue(store, "http://a.example/x", 3);
    const inFlight = (await store.deliveries.due(NOW, 64, busy(2))).map((d) => d.id);
    expect(inFlight).to.have.length(2);
    expect(await store.deliveries.nextDue(busy(2, { "http://a.example": 2 }, inFlight))).to.equal(
      undefined,
    );
    expect(
      await store.deliveries.nextDue(busy(2, { "http://a.example": 1 }, inFlight)),
    ).to.deep.equal(NOW);
  });
});

describeStores("Delivery destinations", (open) => {
  it("are the URL's origin", async () => {
    const store = await open();
    await queue(store, "http://127.0.0.1:8080/path?q=1", 1);
    expect((await store.deliveries.due(NOW, 1, busy(1)))[0]?.destination).to.equal(
      "http://127.0.0.1:8080",
    );
  });
});
