import { expect } from "chai";
import { Status } from "nice-grpc";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { generateSecret } from "../../controlplane/dispatcher/sign.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { freshStore } from "../support/controlplane.js";
import { createJob } from "../support/jobs.js";
import { LAYOUTS, startLayout, type Layout, type RunningLayout } from "../support/layouts.js";
import { Receiver, type ReceivedRequest } from "../support/receiver.js";
import { restCaller } from "../support/restCall.js";
import { testStoreEngines, type StoreEngine } from "../support/storeEngines.js";

interface TriggerJson {
  id: string;
  status: string;
  attempts: number;
}
interface WatcherJson {
  id: string;
  status: string;
  jobDoneTriggerWebhooks: TriggerJson[];
}

const idOf = (r: ReceivedRequest): string => String(r.headers["webhook-id"]);

// Redelivery and recovery through the REST API of both shipped layouts (the split one calls
// RedeliverTrigger and RecoverWebhook over gRPC), on SQLite and once on PostgreSQL, and their
// refusals over gRPC directly.
const RUNS: { layout: Layout; name: string; engine: StoreEngine }[] = [
  ...LAYOUTS.map((l) => ({ ...l, engine: "sqlite" as const })),
  ...LAYOUTS.filter((l) => l.layout === "split").map((l) => ({
    ...l,
    engine: "postgres" as const,
  })),
].filter((r) => testStoreEngines().includes(r.engine));

for (const { layout, name, engine } of RUNS)
  describe(`controlplane: sending deliveries again (${name}, ${engine}) @cluster`, function () {
    this.timeout(5 * 60_000);
    let cluster: TestCluster;
    let running: RunningLayout;
    let receiver: Receiver;
    let ns: string;
    const call = restCaller(() => running.gw.restUrl);

    before(async () => {
      cluster = await sharedCluster();
      ns = await createTestNamespace(cluster, `redeliver-${layout}`);
      receiver = await Receiver.start();
      running = await startLayout(cluster, layout, {
        store: await freshStore(engine),
        args: [`--default-namespace=${ns}`, "--retry-base=50ms", "--retry-max=200ms"],
      });
    });

    after(async () => {
      await running.stop();
      await receiver.stop();
    });

    async function webhook(path: string, secret?: string): Promise<string> {
      const made = await call("POST", "/webhooks", "/webhooks", {
        body: { url: receiver.url + path, ...(secret !== undefined && { secret }) },
      });
      expect(made.status).to.equal(201);
      return (made.body as { id: string }).id;
    }

    // A watcher of a Job that completes at once, calling `webhookId` bound by `timeoutSeconds`.
    async function watch(job: string, webhookId: string, timeoutSeconds: number): Promise<string> {
      await createJob(cluster, ns, job);
      const made = await call("POST", "/job-done-watchers", "/job-done-watchers", {
        body: { jobName: job, jobDoneTriggerWebhooks: [{ webhookId, timeoutSeconds }] },
      });
      expect(made.status).to.equal(201);
      return (made.body as { id: string }).id;
    }

    const get = async (id: string): Promise<WatcherJson> =>
      (await call("GET", `/job-done-watchers/${id}`, "/job-done-watchers/{id}"))
        .body as WatcherJson;

    // The watcher once `done` holds for its one trigger.
    const when = (id: string, done: (t: TriggerJson) => boolean): Promise<WatcherJson> =>
      waitFor(
        `watcher ${id}'s trigger`,
        async () => {
          const w = await get(id);
          const t = w.jobDoneTriggerWebhooks[0];
          return t && done(t) ? w : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 100 },
      );

    const redeliver = (w: string, t: string): ReturnType<typeof call> =>
      call(
        "POST",
        `/job-done-watchers/${w}/triggers/${t}/redeliver`,
        "/job-done-watchers/{id}/triggers/{triggerId}/redeliver",
      );

    it("sends a CALLED trigger's message again: same body and webhook-id, signed; 409 while it is being delivered", async () => {
      const path = `/${ns}/again`;
      const secret = generateSecret();
      const hook = await webhook(path, secret);
      const id = await watch("once", hook, 30);
      const called = await when(id, (t) => t.status === "CALLED");
      expect(called.status).to.equal("COMPLETED");
      const trigger = called.jobDoneTriggerWebhooks[0]!;
      expect(trigger.attempts).to.equal(1);
      const [first] = await receiver.waitFor(path, 1);

      const queued = await redeliver(id, trigger.id);
      expect(queued.status).to.equal(202);
      expect((queued.body as WatcherJson).id).to.equal(id);
      const [, again] = await receiver.waitFor(path, 2);
      expect(again!.body).to.equal(first!.body);
      expect(idOf(again!)).to.equal(idOf(first!));
      const verifier = new StandardWebhook(secret);
      expect(() =>
        verifier.verify(again!.body, {
          "webhook-id": idOf(again!),
          "webhook-timestamp": String(again!.headers["webhook-timestamp"]),
          "webhook-signature": String(again!.headers["webhook-signature"]),
        }),
      ).to.not.throw();
      const twice = await when(id, (t) => t.attempts === 2);
      expect(twice.jobDoneTriggerWebhooks[0]?.status).to.equal("CALLED");
      expect(twice.status).to.equal("COMPLETED");

      // Sent again to a receiver that answers 503: it is retried, and in the outbox meanwhile.
      receiver.script(path, [{ status: 503 }]);
      expect((await redeliver(id, trigger.id)).status).to.equal(202);
      await receiver.waitFor(path, 4);
      const busy = await redeliver(id, trigger.id);
      expect(busy.status).to.equal(409);
      expect((busy.body as { detail: string }).detail).to.contain("in progress");
      const grpc = await running.cp.watchers.redeliverTrigger({ id, triggerId: trigger.id }).then(
        () => undefined,
        (e: unknown) => e as { code: Status },
      );
      expect(grpc?.code).to.equal(Status.FAILED_PRECONDITION);
      receiver.script(path, [{ status: 200 }]);
      const retried = await when(id, (t) => t.status === "CALLED" && t.attempts >= 5);
      expect(retried.status).to.equal("COMPLETED");
      expect(new Set(receiver.on(path).map(idOf))).to.deep.equal(new Set([idOf(first!)]));
    });

    it("after an outage, recover sends exactly the deliveries that did not arrive", async () => {
      const path = `/${ns}/outage`;
      const hook = await webhook(path);
      const since = new Date();
      const delivered = await watch("before", hook, 30);
      await when(delivered, (t) => t.status === "CALLED");
      const [reached] = await receiver.waitFor(path, 1);

      // The receiver is down: every delivery times out after 2 s of 503s.
      receiver.script(path, [{ status: 503 }]);
      const missed = await Promise.all(
        ["down-1", "down-2", "down-3"].map((j) => watch(j, hook, 2)),
      );
      for (const id of missed) {
        const w = await when(id, (t) => t.status === "TIMEOUT");
        expect(w.status).to.equal("FAILED");
      }
      const lost = new Set(receiver.on(path).slice(1).map(idOf));
      expect(lost.size).to.equal(3);

      receiver.script(path, [{ status: 200 }]);
      const before = receiver.on(path).length;
      const recovered = await call("POST", `/webhooks/${hook}/recover`, "/webhooks/{id}/recover", {
        body: { since: since.toISOString() },
      });
      expect(recovered.status).to.equal(202);
      expect(recovered.body).to.deep.equal({ queued: 3 });
      const resent = (await receiver.waitFor(path, before + 3)).slice(before);
      for (const id of missed) {
        const w = await when(id, (t) => t.status === "CALLED");
        expect(w.status, "the watcher keeps its status").to.equal("FAILED");
      }
      await new Promise((r) => setTimeout(r, 500)); // nothing more may arrive
      expect(receiver.on(path)).to.have.length(before + 3);
      expect(new Set(resent.map(idOf))).to.deep.equal(lost);
      expect(lost.has(idOf(reached!))).to.equal(false);

      // Everything arrived: nothing is left to recover.
      const nothing = await call("POST", `/webhooks/${hook}/recover`, "/webhooks/{id}/recover", {
        body: { since: since.toISOString() },
      });
      expect(nothing.body).to.deep.equal({ queued: 0 });
      const future = await running.cp.webhooks
        .recoverWebhook({ id: hook, since: new Date(Date.now() + 60_000) })
        .then(
          () => undefined,
          (e: unknown) => e as { code: Status },
        );
      expect(future?.code).to.equal(Status.INVALID_ARGUMENT);
    });
  });
