import { expect } from "chai";
import type { TestCluster } from "../cluster/TestCluster.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import type { JobhooksProcess } from "../support/controlplane.js";
import { LAYOUTS, startLayout, type RunningLayout } from "../support/layouts.js";
import { createJob } from "../support/jobs.js";
import { runningPod } from "../support/pods.js";
import { Receiver } from "../support/receiver.js";
import { problemFields, restCaller } from "../support/restCall.js";

// The same suite against both shipped layouts: the answers must not depend on how the gateway
// reaches the controlplane.
for (const { layout, name } of LAYOUTS)
  describe(`gateway: REST API (${name}) @cluster`, function () {
    this.timeout(20 * 60_000);
    let cluster: TestCluster;
    let running: RunningLayout;
    let gw: JobhooksProcess;
    let receiver: Receiver;
    let ns: string;
    const seen: string[] = [];

    // Every response the tests get is checked against the document, so it cannot drift.
    const call = restCaller(() => gw.restUrl, seen);
    const fields = problemFields;

    before(async () => {
      cluster = await sharedCluster();
      ns = await createTestNamespace(cluster, `rest-${layout}`);
      receiver = await Receiver.start();
      running = await startLayout(cluster, layout, { args: [`--default-namespace=${ns}`] });
      gw = running.gw;
    });

    after(async () => {
      await running.stop();
      await receiver.stop();
    });

    it("creates, reads, lists and cancels, every response as the document says", async () => {
      const hook = await call("POST", "/webhooks", "/webhooks", {
        body: { url: `${receiver.url}/rest`, description: "d" },
      });
      expect(hook.status).to.equal(201);
      const id = (hook.body as { id: string }).id;
      expect((hook.body as { requestBody: string }).requestBody).to.equal("");
      expect((await call("GET", `/webhooks/${id}`, "/webhooks/{id}")).status).to.equal(200);
      expect(
        ((await call("GET", "/webhooks", "/webhooks")).body as unknown[]).length,
      ).to.be.greaterThan(0);

      await createJob(cluster, ns, "rest-job", { runMs: 60_000 });
      const created = await call("POST", "/job-done-watchers", "/job-done-watchers", {
        body: {
          jobName: "rest-job",
          notifyOn: ["SUCCEEDED", "FAILED"],
          jobDoneTriggerWebhooks: [{ webhookId: id, timeoutSeconds: 30 }],
        },
        headers: { "idempotency-key": "rest-job run 1" },
      });
      expect(created.status).to.equal(201);
      const watcher = created.body as { id: string; status: string; namespace: string };
      expect(watcher).to.include({ status: "PENDING", namespace: ns });
      const again = await call("POST", "/job-done-watchers", "/job-done-watchers", {
        body: {
          jobName: "rest-job",
          notifyOn: ["SUCCEEDED", "FAILED"],
          jobDoneTriggerWebhooks: [{ webhookId: id, timeoutSeconds: 30 }],
        },
        headers: { "idempotency-key": "rest-job run 1" },
      });
      expect((again.body as { id: string }).id).to.equal(watcher.id);
      expect(
        (await call("GET", `/job-done-watchers/${watcher.id}`, "/job-done-watchers/{id}")).status,
      ).to.equal(200);
      const listed = await call(
        "GET",
        `/job-done-watchers?jobName=rest-job&status=PENDING&namespace=${ns}`,
        "/job-done-watchers",
      );
      expect((listed.body as { id: string }[]).map((w) => w.id)).to.deep.equal([watcher.id]);
      const cancelled = await call(
        "POST",
        `/job-done-watchers/${watcher.id}/cancel`,
        "/job-done-watchers/{id}/cancel",
      );
      expect(cancelled.body).to.include({ status: "CANCELLED", reason: "Cancelled" });
      const twice = await call(
        "POST",
        `/job-done-watchers/${watcher.id}/cancel`,
        "/job-done-watchers/{id}/cancel",
      );
      expect(twice.status).to.equal(409);
      // Cancelled before its Job finished: no attempt was made.
      const log = `/job-done-watchers/${watcher.id}/deliveries`;
      const attempts = await call("GET", log, "/job-done-watchers/{id}/deliveries");
      expect(attempts.body).to.deep.equal([]);
    });

    it("answers bad input with 4xx problem+json naming the fields", async () => {
      const malformed = await call("POST", "/webhooks", "/webhooks", { body: '{"url": ' });
      expect(malformed.status).to.equal(400);
      expect(malformed.contentType).to.match(/^application\/problem\+json/);

      const types = await call("POST", "/job-done-watchers", "/job-done-watchers", {
        body: { jobName: 7, timeoutSeconds: "soon", jobDoneTriggerWebhooks: {} },
      });
      expect(types.status).to.equal(400);
      expect(fields(types)).to.have.members([
        "jobName",
        "timeoutSeconds",
        "jobDoneTriggerWebhooks",
      ]);

      const missing = await call("POST", "/job-done-watchers", "/job-done-watchers", {
        body: { jobDoneTriggerWebhooks: [{}] },
      });
      expect(missing.status).to.equal(400);
      expect(fields(missing)).to.include("jobDoneTriggerWebhooks[0].webhookId");

      const unknownHook = await call("POST", "/job-done-watchers", "/job-done-watchers", {
        body: { jobName: "x", jobDoneTriggerWebhooks: [{ webhookId: "no-such-webhook" }] },
      });
      // Well formed, but naming a webhook that does not exist: 404, naming the field.
      expect(unknownHook.status).to.equal(404);
      expect(fields(unknownHook)).to.deep.equal(["jobDoneTriggerWebhooks[0].webhookId"]);

      const both = await call("POST", "/job-done-watchers", "/job-done-watchers", {
        body: { jobName: "a", cronJobName: "b" },
      });
      expect(both.status).to.equal(400);
      expect(fields(both)).to.deep.equal(["jobName"]);

      const scheme = await call("POST", "/webhooks", "/webhooks", {
        body: { url: "gopher://example.com/" },
      });
      expect(scheme.status).to.equal(400);
      expect(fields(scheme)).to.deep.equal(["url"]);

      const jobName = await call("POST", "/job-done-watchers", "/job-done-watchers", {
        body: { jobName: "Not_A_Label" },
      });
      expect(jobName.status).to.equal(400);
      expect(fields(jobName)).to.deep.equal(["jobName"]);

      const unknownField = await call("POST", "/webhooks", "/webhooks", {
        body: { url: "http://127.0.0.1:1234/", requestbody: "typo" },
      });
      expect(fields(unknownField)).to.deep.equal(["requestbody"]);

      const huge = await call("POST", "/webhooks", "/webhooks", {
        body: { url: "http://127.0.0.1:1234/", requestBody: "x".repeat(1024 * 1024) },
      });
      expect(huge.status).to.equal(413);

      const query = await call("GET", "/job-done-watchers?status=DONE", "/job-done-watchers");
      expect(query.status).to.equal(400);
      expect(fields(query)).to.deep.equal(["status"]);
      const unknownQuery = await call("GET", "/job-done-watchers?job=x", "/job-done-watchers");
      expect(fields(unknownQuery)).to.deep.equal(["job"]);

      const key = await call("POST", "/job-done-watchers", "/job-done-watchers", {
        body: { jobName: "k" },
        headers: { "idempotency-key": "k".repeat(256) },
      });
      expect(key.status).to.equal(400);
      expect(fields(key)).to.deep.equal(["Idempotency-Key"]);

      expect(
        (await call("GET", "/job-done-watchers/nope", "/job-done-watchers/{id}")).status,
      ).to.equal(404);
      expect((await call("GET", "/webhooks/nope", "/webhooks/{id}")).status).to.equal(404);
    });

    it("counts in a pod label through k8s-job-webhooks' sibling's /increment and /decrement", async () => {
      await runningPod(cluster, ns, "busy");
      const up = await call("POST", "/increment?pod_name=busy", "/increment");
      expect(up.status).to.equal(200);
      const down = await call("POST", `/decrement?pod_name=busy&namespace=${ns}`, "/decrement");
      expect(down.status).to.equal(200);
      expect((await call("POST", "/increment", "/increment")).status).to.equal(400);
      expect((await call("POST", "/decrement?pod_name=nobody", "/decrement")).status).to.equal(404);
    });

    it("holds, renews and releases a lease, and force-releases a busy pod", async () => {
      await runningPod(cluster, ns, "leased");
      const lease = await call("POST", "/increment?pod_name=leased&ttl=10m", "/increment");
      expect(lease.status).to.equal(200);
      const { leaseId } = lease.body as { leaseId: string };
      const renewPath = "/leases/{leaseId}/renew";
      const renewed = await call(
        "POST",
        `/leases/${leaseId}/renew?pod_name=leased&ttl=1h`,
        renewPath,
      );
      expect(renewed.body).to.include({ value: 1, leaseId });
      const releasePath = "/leases/{leaseId}/release";
      const released = await call(
        "POST",
        `/leases/${leaseId}/release?pod_name=leased`,
        releasePath,
      );
      expect(released.body).to.deep.equal({ value: 0 });
      const late = await call("POST", `/leases/${leaseId}/release?pod_name=leased`, releasePath);
      expect(late.status).to.equal(404);
      const tooLong = await call("POST", "/increment?pod_name=leased&ttl=9999999h", "/increment");
      expect(tooLong.status).to.equal(400);
      expect(fields(tooLong)).to.deep.equal(["ttl"]);

      await call("POST", "/increment?pod_name=leased", "/increment");
      await call("POST", "/increment?pod_name=leased&ttl=1h", "/increment");
      const forced = await call("POST", "/force-release?pod_name=leased", "/force-release");
      expect(forced.body).to.deep.equal({ value: 0, released: 1 });
    });

    it("answers unknown routes 404 and wrong methods 405 with Allow", async () => {
      const unknown = await fetch(`${gw.restUrl}/nowhere`);
      expect(unknown.status).to.equal(404);
      expect(unknown.headers.get("content-type")).to.match(/^application\/problem\+json/);
      const wrong = await fetch(`${gw.restUrl}/webhooks`, { method: "DELETE" });
      expect(wrong.status).to.equal(405);
      expect(wrong.headers.get("allow")).to.equal("GET, POST");
    });

    it("pages lists and deletes webhooks, as the document says", async () => {
      const hook = await call("POST", "/webhooks", "/webhooks", {
        body: { url: `${receiver.url}/x` },
      });
      const id = (hook.body as { id: string }).id;
      const page = await call("GET", "/webhooks?limit=1", "/webhooks");
      expect(page.body).to.have.length(1);
      expect(page.headers.get("continue-token")).to.be.a("string");
      const token = page.headers.get("continue-token") ?? "";
      const next = await call("GET", `/webhooks?limit=1&continue=${token}`, "/webhooks");
      expect(next.status).to.equal(200);
      expect((await call("GET", "/webhooks?limit=0", "/webhooks")).status).to.equal(400);
      const watchers = await call(
        "GET",
        `/job-done-watchers?limit=1&namespace=${ns}`,
        "/job-done-watchers",
      );
      expect(watchers.status).to.equal(200);
      expect((await call("DELETE", `/webhooks/${id}`, "/webhooks/{id}")).status).to.equal(204);
      expect((await call("DELETE", `/webhooks/${id}`, "/webhooks/{id}")).status).to.equal(404);
    });

    it("refuses to send again what it cannot: unknown ids 404, a bad or future since 400", async () => {
      const redeliver = "/job-done-watchers/{id}/triggers/{triggerId}/redeliver";
      const unknown = await call("POST", "/job-done-watchers/nope/triggers/t/redeliver", redeliver);
      expect(unknown.status).to.equal(404);
      const recover = "/webhooks/{id}/recover";
      const gone = await call("POST", "/webhooks/nope/recover", recover, {
        body: { since: "2026-01-01T00:00:00Z" },
      });
      expect(gone.status).to.equal(404);
      const hook = await call("POST", "/webhooks", "/webhooks", {
        body: { url: `${receiver.url}/recover` },
      });
      const path = `/webhooks/${(hook.body as { id: string }).id}/recover`;
      for (const body of [{}, { since: "yesterday" }, { since: "2999-01-01T00:00:00Z" }]) {
        const refused = await call("POST", path, recover, { body });
        expect(refused.status, JSON.stringify(body)).to.equal(400);
        expect(fields(refused), JSON.stringify(body)).to.deep.equal(["since"]);
      }
      const none = await call("POST", path, recover, { body: { since: "2026-01-01T00:00:00Z" } });
      expect(none.status).to.equal(202);
      expect(none.body).to.deep.equal({ queued: 0 });
    });

    it("enables a webhook and rotates its secret, answering the webhook", async () => {
      const hook = await call("POST", "/webhooks", "/webhooks", {
        body: { url: `${receiver.url}/steer` },
      });
      const id = (hook.body as { id: string }).id;
      const enabled = await call("POST", `/webhooks/${id}/enable`, "/webhooks/{id}/enable");
      expect(enabled.body).to.include({ id, disabled: false });
      const rotated = await call(
        "POST",
        `/webhooks/${id}/rotate-secret`,
        "/webhooks/{id}/rotate-secret",
        { body: { secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" } },
      );
      expect(rotated.body).to.include({ id, signed: true });
    });

    it("serves the document it is checked against, and the tests touched every operation in it", async () => {
      const doc = (await (await fetch(`${gw.restUrl}/openapi.json`)).json()) as {
        openapi: string;
        paths: Record<string, Record<string, unknown>>;
      };
      expect(doc.openapi).to.equal("3.1.0");
      const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      );
      expect(new Set(seen)).to.include.members(operations);
    });
  });
