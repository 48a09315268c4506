import { expect } from "chai";
import { ApiError } from "../../contract/errors.js";
import { LIMITS } from "../../contract/limits.js";
import { ANONYMOUS, type Caller } from "../auth/Caller.js";
import { mirrored } from "../../test/support/mirroredWebhooks.js";
import { RuleAuth, testService } from "../../test/support/serviceFixture.js";

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).to.be.instanceOf(ApiError);
  return err as ApiError;
}

describe("webhook operations", () => {
  const admin: Caller = { ...ANONYMOUS, username: "admin" };
  const reader: Caller = { ...ANONYMOUS, username: "reader" };
  const auth = new RuleAuth({
    admin: [
      ...(["create", "get", "list", "delete", "update"] as const).map((verb) => ({
        verb,
        resource: "webhooks" as const,
      })),
      { verb: "create", resource: "jobdonewatchers" },
    ],
    reader: [{ verb: "get", resource: "webhooks" }],
  });
  let service: ReturnType<typeof testService>;

  beforeEach(() => {
    auth.asked.length = 0;
    service = testService(auth);
  });
  afterEach(() => service.store.close());

  it("registers a webhook trimmed, an empty body as none, and shows only whether it is signed", async () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
    const hook = await service.webhooks.create(admin, {
      url: "  https://example.com/hook\n",
      requestBody: "",
      secret,
    });
    expect(hook).to.include({
      url: "https://example.com/hook",
      requestBody: undefined,
      description: "",
      signed: true,
    });
    expect(hook).to.not.have.property("secret");
    expect(await service.webhooks.get(reader, hook.id)).to.deep.equal(hook);
  });

  it("asks RBAC for each operation, cluster-wide", async () => {
    const hook = await service.webhooks.create(admin, { url: "http://127.0.0.1:59999/" });
    for (const call of [
      service.webhooks.create(reader, { url: "http://127.0.0.1:59999/" }),
      service.webhooks.list(reader, {}),
      service.webhooks.delete(reader, hook.id),
      service.webhooks.recover(reader, hook.id, new Date(0)),
    ]) {
      expect((await refusal(call)).code).to.equal("permission-denied");
    }
    expect(auth.asked).to.have.length.greaterThan(3);
    expect(
      auth.asked.every((a) => a.resource === "webhooks" && a.namespace === undefined),
    ).to.equal(true);
  });

  it("recovers a webhook since a past time; a future time names since, an unknown webhook is not found", async () => {
    const hook = await service.webhooks.create(admin, { url: "http://127.0.0.1:59999/" });
    expect(await service.webhooks.recover(admin, hook.id, new Date(0))).to.deep.equal({
      queued: 0,
    });
    const future = await refusal(
      service.webhooks.recover(admin, hook.id, new Date(Date.now() + 60_000)),
    );
    expect(future.code).to.equal("invalid-argument");
    expect(future.violations.map((v) => v.field)).to.deep.equal(["since"]);
    const missing = await refusal(service.webhooks.recover(admin, "nope", new Date(0)));
    expect(missing.code).to.equal("not-found");
    expect(auth.asked.filter((a) => a.verb === "update")).to.have.length(3);
  });

  it("names bad fields as the domain does", async () => {
    const err = await refusal(
      service.webhooks.create(admin, {
        url: "ftp://example.com/",
        requestBody: "x".repeat(LIMITS.requestBodyBytes + 1),
        secret: "nope",
      }),
    );
    expect(err.code).to.equal("invalid-argument");
    expect(err.violations.map((v) => v.field)).to.have.members(["url", "requestBody", "secret"]);
  });

  it("pages by count and by size, and refuses to delete a webhook an open watcher names", async () => {
    const big = "b".repeat(LIMITS.requestBodyBytes - 1024);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push(
        (await service.webhooks.create(admin, { url: "http://127.0.0.1:59999/", requestBody: big }))
          .id,
      );
    }
    const first = await service.webhooks.list(admin, {});
    // Three of about 1 MiB fill the 3 MiB a page may hold.
    expect(first.items).to.have.length(3);
    const rest = await service.webhooks.list(admin, { pageToken: first.nextPageToken });
    expect([...first.items, ...rest.items].map((h) => h.id)).to.have.members(ids);
    expect(rest.nextPageToken).to.equal("");
    expect((await service.webhooks.list(admin, { pageSize: 1 })).items).to.have.length(1);

    const [firstId = "", secondId = ""] = ids;
    const w = await service.watchers.create(admin, {
      jobName: "j",
      triggers: [{ webhookId: firstId }],
    });
    const inUse = await refusal(service.webhooks.delete(admin, firstId));
    expect(inUse.code).to.equal("failed-precondition");
    expect(inUse.preconditions.map((p) => p.subject)).to.deep.equal([`jobdonewatchers/${w.id}`]);
    await service.webhooks.delete(admin, secondId);
    expect((await refusal(service.webhooks.get(admin, secondId))).code).to.equal("not-found");
  });

  it("registers payload options, only those given, and refuses what the payload checker refuses", async () => {
    // The checker names fields as a Webhook object's spec does: body, headers.NAME.
    service = testService(auth, {}, (p) => [
      ...(p.bodyTemplate === "{{" ? [{ field: "body", description: "does not parse" }] : []),
      ...(p.headers?.Host !== undefined ? [{ field: "headers.Host", description: "is ours" }] : []),
    ]);
    const plain = await service.webhooks.create(admin, {
      url: "http://127.0.0.1:59999/",
      bodyTemplate: "",
      headers: {},
    });
    expect(plain).to.not.have.any.keys("bodyTemplate", "headers", "cloudEvents", "source");
    expect(plain.readOnly).to.equal(false);
    const hook = await service.webhooks.create(admin, {
      url: "http://127.0.0.1:59999/",
      bodyTemplate: '{"job":"{{ job.name }}"}',
      headers: { "X-Team": "{{ job.namespace }}" },
      cloudEvents: { mode: "Structured" },
    });
    expect(hook).to.deep.include({
      bodyTemplate: '{"job":"{{ job.name }}"}',
      headers: { "X-Team": "{{ job.namespace }}" },
      cloudEvents: { mode: "Structured" },
      requestBody: undefined,
      readOnly: false,
      signed: false,
    });
    expect(await service.webhooks.get(admin, hook.id)).to.deep.equal(hook);

    const bad = await refusal(
      service.webhooks.create(admin, {
        url: "http://127.0.0.1:59999/",
        bodyTemplate: "{{",
        headers: { Host: "x" },
      }),
    );
    expect(bad.code).to.equal("invalid-argument");
    expect(bad.violations.map((v) => v.field)).to.have.members(["bodyTemplate", "headers.Host"]);
    const both = await refusal(
      service.webhooks.create(admin, {
        url: "http://127.0.0.1:59999/",
        requestBody: "verbatim",
        bodyTemplate: "{{ job.name }}",
        headers: Object.fromEntries(
          Array.from({ length: LIMITS.headers + 1 }, (_, i) => [`X-${i}`, ""]),
        ),
      }),
    );
    expect(both.violations.map((v) => v.field)).to.have.members(["bodyTemplate", "headers"]);
  });

  it("shows a mirrored webhook read-only with its source, signed by its Secret's name alone, and refuses to delete it", async () => {
    const source = { kind: "Webhook" as const, namespace: "team", name: "chat" };
    const secretRef = { namespace: "team", name: "chat-signing", key: "secret" };
    const w = mirrored(source, { secretRef, bodyTemplate: "{{ job.name }}" });
    await service.store.webhooks.put(w);
    const view = await service.webhooks.get(reader, w.id);
    expect(view).to.deep.include({
      readOnly: true,
      source,
      signed: true,
      bodyTemplate: "{{ job.name }}",
    });
    expect(JSON.stringify(view)).to.not.contain("chat-signing");
    expect((await service.webhooks.list(admin, {})).items).to.deep.equal([view]);

    const refused = await refusal(service.webhooks.delete(admin, w.id));
    expect(refused.code).to.equal("failed-precondition");
    expect(refused.message).to.equal(
      `webhook ${w.id} mirrors Webhook team/chat: change or delete it with kubectl`,
    );
    expect(refused.preconditions).to.deep.equal([
      {
        type: "WEBHOOK_MIRRORED",
        subject: "namespaces/team/webhooks.jobhooks.dev/chat",
        description: `webhook ${w.id} mirrors Webhook team/chat`,
      },
    ]);
    expect((await service.webhooks.get(admin, w.id)).id).to.equal(w.id);
    const cluster = mirrored({ kind: "ClusterWebhook", namespace: "", name: "ops" });
    await service.store.webhooks.put(cluster);
    expect((await refusal(service.webhooks.delete(admin, cluster.id))).message).to.equal(
      `webhook ${cluster.id} mirrors ClusterWebhook ops: change or delete it with kubectl`,
    );
  });

  it("enables and rotates with update on webhooks; checks the rotation, refuses a mirrored one", async () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
    const next = `whsec_${Buffer.alloc(32, 8).toString("base64")}`;
    const hook = await service.webhooks.create(admin, { url: "http://127.0.0.1:59999/", secret });
    expect(await service.webhooks.enable(admin, hook.id)).to.include({ disabled: false });
    const rotated = await service.webhooks.rotateSecret(admin, hook.id, { secret: next });
    expect(rotated).to.not.have.property("secret");
    const overlap = (rotated.previousSecretExpiresAt?.getTime() ?? 0) - Date.now();
    expect(overlap).to.be.within(LIMITS.defaultPreviousSecretSeconds * 1000 - 5000, 86_400_000);
    for (const call of [
      service.webhooks.enable(reader, hook.id),
      service.webhooks.rotateSecret(reader, hook.id, { secret: next }),
    ]) {
      expect((await refusal(call)).code).to.equal("permission-denied");
    }
    expect(auth.asked.filter((a) => a.verb === "update")).to.have.length(4);

    const bad = await refusal(
      service.webhooks.rotateSecret(admin, hook.id, {
        secret: "whsec_x",
        previousExpiresInSeconds: LIMITS.previousSecretSeconds + 1,
      }),
    );
    expect(bad.violations.map((v) => v.field)).to.deep.equal([
      "secret",
      "previousExpiresInSeconds",
    ]);
    const gone = await refusal(service.webhooks.enable(admin, "nope"));
    expect(gone.code).to.equal("not-found");
    const w = mirrored({ kind: "Webhook", namespace: "team", name: "chat" });
    await service.store.webhooks.put(w);
    const refused = await refusal(service.webhooks.rotateSecret(admin, w.id, { secret: next }));
    expect(refused.code).to.equal("failed-precondition");
    expect(refused.message).to.contain("rotate that");
  });
});
