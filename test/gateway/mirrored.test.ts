import { expect } from "chai";
import type { TestCluster } from "../cluster/TestCluster.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { LAYOUTS, startLayout, type RunningLayout } from "../support/layouts.js";
import { deleteWebhookObjects } from "../support/apply.js";
import { mirrored, putMirrored } from "../support/mirroredWebhooks.js";
import { problemFields, restCaller } from "../support/restCall.js";

// Webhooks mirrored from Webhook and ClusterWebhook objects, and payload options, through the
// REST API of both shipped layouts; every answer is checked against the document.
for (const { layout, name } of LAYOUTS)
  describe(`gateway: mirrored webhooks and payload options (${name}) @cluster`, function () {
    this.timeout(20 * 60_000);
    let cluster: TestCluster;
    let running: RunningLayout;
    let ns: string;
    const call = restCaller(() => running.gw.restUrl);

    // In the test's namespace: a Webhook, a signed one, a ClusterWebhook for every namespace and
    // one for another namespace only (names made unique by the namespace).
    let chat: ReturnType<typeof mirrored>;
    let signed: ReturnType<typeof mirrored>;
    let everywhere: ReturnType<typeof mirrored>;
    let elsewhere: ReturnType<typeof mirrored>;

    before(async () => {
      cluster = await sharedCluster();
      ns = await createTestNamespace(cluster, `mirror-${layout}`);
      running = await startLayout(cluster, layout, { args: [`--default-namespace=${ns}`] });
      chat = mirrored(
        { kind: "Webhook", namespace: ns, name: "chat" },
        {
          bodyTemplate: "{{ job.name }}",
          cloudEvents: { mode: "Structured" },
        },
      );
      signed = mirrored(
        { kind: "Webhook", namespace: ns, name: "signed" },
        {
          secretRef: { namespace: ns, name: "signing-secret", key: "secret" },
        },
      );
      everywhere = mirrored({ kind: "ClusterWebhook", namespace: "", name: `all-${ns}` });
      elsewhere = mirrored(
        { kind: "ClusterWebhook", namespace: "", name: `other-${ns}` },
        { namespaces: ["other"] },
      );
      await putMirrored(cluster, running.cp, chat, signed, everywhere, elsewhere);
    });

    after(async () => {
      await running.stop();
      await deleteWebhookObjects(cluster);
    });

    it("takes a body template, headers and CloudEvents, and answers them", async () => {
      const created = await call("POST", "/webhooks", "/webhooks", {
        body: {
          url: "http://127.0.0.1:59999/templated",
          bodyTemplate: '{"job":"{{ job.name }}"}',
          headers: { "X-Team": "{{ job.namespace }}" },
          cloudEvents: {},
        },
      });
      expect(created.status).to.equal(201);
      expect(created.body).to.deep.include({
        requestBody: "",
        bodyTemplate: '{"job":"{{ job.name }}"}',
        headers: { "X-Team": "{{ job.namespace }}" },
        cloudEvents: { mode: "Binary" },
        readOnly: false,
        signed: false,
      });
      expect(created.body).to.not.have.property("source");
      const id = (created.body as { id: string }).id;
      const read = await call("GET", `/webhooks/${id}`, "/webhooks/{id}");
      expect(read.body).to.deep.equal(created.body);

      const both = await call("POST", "/webhooks", "/webhooks", {
        body: { url: "http://127.0.0.1:59999/", requestBody: "x", bodyTemplate: "{{ job.name }}" },
      });
      expect(both.status).to.equal(400);
      expect(problemFields(both)).to.deep.equal(["bodyTemplate"]);
      const ours = await call("POST", "/webhooks", "/webhooks", {
        body: { url: "http://127.0.0.1:59999/", headers: { "Webhook-Id": "x", "X-Fine": "y" } },
      });
      expect(ours.status).to.equal(400);
      expect(problemFields(ours)).to.deep.equal(["headers.Webhook-Id"]);
      for (const bodyTemplate of ["{{ job.name", "{% include '/etc/passwd' %}", "{{ x | nope }}"]) {
        const broken = await call("POST", "/webhooks", "/webhooks", {
          body: { url: "http://127.0.0.1:59999/", bodyTemplate },
        });
        expect(broken.status, bodyTemplate).to.equal(400);
        expect(problemFields(broken), bodyTemplate).to.deep.equal(["bodyTemplate"]);
      }
    });

    it("lists mirrored webhooks read-only with their source, and refuses to delete them", async () => {
      const listed = (await call("GET", "/webhooks", "/webhooks")).body as { id: string }[];
      expect(listed.map((w) => w.id)).to.include.members([chat.id, everywhere.id]);
      const one = await call("GET", `/webhooks/${chat.id}`, "/webhooks/{id}");
      expect(one.body).to.deep.include({
        readOnly: true,
        source: { kind: "Webhook", namespace: ns, name: "chat" },
        bodyTemplate: "{{ job.name }}",
        cloudEvents: { mode: "Structured" },
        signed: false,
      });
      const bySecret = await call("GET", `/webhooks/${signed.id}`, "/webhooks/{id}");
      expect(bySecret.body).to.include({ signed: true });
      expect(JSON.stringify(bySecret.body)).to.not.contain("signing-secret");

      const refused = await call("DELETE", `/webhooks/${chat.id}`, "/webhooks/{id}");
      expect(refused.status).to.equal(409);
      expect(refused.body).to.include({
        detail: `webhook ${chat.id} mirrors Webhook ${ns}/chat: change or delete it with kubectl`,
      });
      expect((await call("GET", `/webhooks/${chat.id}`, "/webhooks/{id}")).status).to.equal(200);
      const rotate = await call(
        "POST",
        `/webhooks/${signed.id}/rotate-secret`,
        "/webhooks/{id}/rotate-secret",
        { body: { secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" } },
      );
      expect(rotate.status).to.equal(409);
      expect((rotate.body as { detail: string }).detail).to.contain("rotate that");
    });

    it("resolves a trigger's webhookName and clusterWebhookName to the mirrored webhooks' ids", async () => {
      const body = {
        jobName: "named",
        jobDoneTriggerWebhooks: [
          { webhookName: "chat", timeoutSeconds: 30 },
          { clusterWebhookName: `all-${ns}` },
        ],
      };
      const created = await call("POST", "/job-done-watchers", "/job-done-watchers", {
        body,
        headers: { "idempotency-key": "named" },
      });
      expect(created.status).to.equal(201);
      const watcher = created.body as {
        id: string;
        jobDoneTriggerWebhooks: { webhookId: string; timeoutSeconds: number }[];
      };
      expect(watcher.jobDoneTriggerWebhooks.map((t) => t.webhookId)).to.deep.equal([
        chat.id,
        everywhere.id,
      ]);
      // The same request by ids is the same request.
      const byIds = await call("POST", "/job-done-watchers", "/job-done-watchers", {
        body: {
          jobName: "named",
          jobDoneTriggerWebhooks: [
            { webhookId: chat.id, timeoutSeconds: 30 },
            { webhookId: everywhere.id },
          ],
        },
        headers: { "idempotency-key": "named" },
      });
      expect((byIds.body as { id: string }).id).to.equal(watcher.id);
    });

    it("answers 404 for a name nothing mirrors, 403 for a ClusterWebhook of other namespaces, 400 for two names", async () => {
      const unknown = await call("POST", "/job-done-watchers", "/job-done-watchers", {
        body: { jobName: "x", jobDoneTriggerWebhooks: [{ webhookName: "nope" }] },
      });
      expect(unknown.status).to.equal(404);
      expect(problemFields(unknown)).to.deep.equal(["jobDoneTriggerWebhooks[0].webhookName"]);

      const forbidden = await call("POST", "/job-done-watchers", "/job-done-watchers", {
        body: { jobName: "x", jobDoneTriggerWebhooks: [{ clusterWebhookName: `other-${ns}` }] },
      });
      expect(forbidden.status).to.equal(403);
      expect(problemFields(forbidden)).to.deep.equal([
        "jobDoneTriggerWebhooks[0].clusterWebhookName",
      ]);
      expect((forbidden.body as { detail: string }).detail).to.equal(
        `ClusterWebhook other-${ns} serves only Jobs in namespaces other (its spec.namespaces), not ${ns}`,
      );

      const two = await call("POST", "/job-done-watchers", "/job-done-watchers", {
        body: {
          jobName: "x",
          jobDoneTriggerWebhooks: [{ webhookId: chat.id, webhookName: "chat" }],
        },
      });
      expect(two.status).to.equal(400);
      expect(problemFields(two)).to.deep.equal(["jobDoneTriggerWebhooks[0].webhookId"]);
    });
  });
