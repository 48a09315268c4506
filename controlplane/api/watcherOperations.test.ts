import { expect } from "chai";
import { ApiError } from "../../contract/errors.js";
import type { WatcherRequest } from "../../contract/model.js";
import { ANONYMOUS, type Caller } from "../auth/Caller.js";
import { mirrored } from "../../test/support/mirroredWebhooks.js";
import { RuleAuth, serviceAccount, testService } from "../../test/support/serviceFixture.js";

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).to.be.instanceOf(ApiError);
  return err as ApiError;
}

const fields = (err: ApiError): string[] => err.violations.map((v) => v.field);

describe("watcher operations", () => {
  const admin: Caller = { ...ANONYMOUS, username: "admin" };
  const auth = new RuleAuth({
    admin: [
      { verb: "create", resource: "webhooks" },
      { verb: "create", resource: "jobdonewatchers" },
      { verb: "get", resource: "jobdonewatchers" },
      { verb: "list", resource: "jobdonewatchers" },
      { verb: "delete", resource: "jobdonewatchers" },
      { verb: "update", resource: "jobdonewatchers" },
    ],
    "system:serviceaccount:team:reader": [
      { verb: "get", resource: "jobdonewatchers", namespace: "team" },
    ],
  });
  let service: ReturnType<typeof testService>;
  let hook: string;

  beforeEach(async () => {
    service = testService(auth, { "worker-abc": "worker" });
    hook = (await service.webhooks.create(admin, { url: " http://127.0.0.1:59999/x " })).id;
  });
  afterEach(() => service.store.close());

  it("fills in the defaults: the caller's namespace, else --default-namespace; SUCCEEDED; trimmed names", async () => {
    const request: WatcherRequest = { jobName: " job ", triggers: [{ webhookId: hook }] };
    const w = await service.watchers.create(admin, request);
    expect(w).to.include({ namespace: "fallback", jobName: "job", timeoutSeconds: 0 });
    expect(w.notifyOn).to.deep.equal(["SUCCEEDED"]);
    expect(w.triggers[0]).to.include({ webhookId: hook, timeoutSeconds: 0 });
    const twice = await service.watchers.create(admin, {
      ...request,
      notifyOn: ["FAILED", "FAILED"],
    });
    expect(twice.notifyOn).to.deep.equal(["FAILED"]);
    const pod = serviceAccount("team", "runner", "worker-abc");
    const own = await service.watchers.create(pod, { jobName: "worker" });
    expect(own.namespace).to.equal("team");
  });

  it("lets a pod watch its own Job by its token alone, and nothing else without RBAC", async () => {
    const pod = serviceAccount("team", "runner", "worker-abc");
    const own = await service.watchers.create(pod, { jobName: "worker" });
    expect(own.jobName).to.equal("worker");
    for (const request of [
      { jobName: "other" },
      { jobName: "worker", namespace: "elsewhere" },
      { cronJobName: "worker" },
    ]) {
      const err = await refusal(service.watchers.create(pod, request));
      expect(err.code, JSON.stringify(request)).to.equal("permission-denied");
    }
    // The same ServiceAccount without a pod binding is no pod.
    const err = await refusal(
      service.watchers.create(serviceAccount("team", "runner"), { jobName: "worker" }),
    );
    expect(err.code).to.equal("permission-denied");
  });

  it("asks RBAC in the watcher's own namespace to read it, and in the filter's to list", async () => {
    const w = await service.watchers.create(admin, { jobName: "j", namespace: "team" });
    const reader = serviceAccount("team", "reader");
    expect((await service.watchers.get(reader, w.id)).id).to.equal(w.id);
    expect((await refusal(service.watchers.cancel(reader, w.id))).code).to.equal(
      "permission-denied",
    );
    expect((await refusal(service.watchers.list(reader, {}, {}))).code).to.equal(
      "permission-denied",
    );
    auth.asked.length = 0;
    await service.watchers.list(admin, { namespace: "team" }, {});
    expect(auth.asked).to.deep.equal([
      { verb: "list", resource: "jobdonewatchers", namespace: "team" },
    ]);
    const other = await service.watchers.create(admin, { jobName: "j", namespace: "other" });
    expect((await refusal(service.watchers.get(reader, other.id))).code).to.equal(
      "permission-denied",
    );
  });

  it("refuses a bad request naming the fields as the domain does", async () => {
    const err = await refusal(
      service.watchers.create(
        admin,
        {
          jobName: "Bad_Name",
          timeoutSeconds: -1,
          triggers: [{ webhookId: "" }, { webhookId: hook, timeoutSeconds: 1.5 }],
          notifyOn: ["NEVER" as "FAILED"],
        },
        "k".repeat(256),
      ),
    );
    expect(err.code).to.equal("invalid-argument");
    expect(fields(err)).to.have.members([
      "jobName",
      "timeoutSeconds",
      "triggers[0].webhookId",
      "triggers[1].timeoutSeconds",
      "notifyOn[0]",
      "idempotencyKey",
    ]);
    const missing = await refusal(
      service.watchers.create(admin, { jobName: "j", triggers: [{ webhookId: "nope" }] }),
    );
    expect(missing.code).to.equal("not-found");
    expect(fields(missing)).to.deep.equal(["triggers[0].webhookId"]);
    const token = await refusal(service.watchers.list(admin, {}, { pageToken: "not-a-token" }));
    expect(fields(token)).to.deep.equal(["pageToken"]);
    const size = await refusal(service.watchers.list(admin, {}, { pageSize: -1 }));
    expect(fields(size)).to.deep.equal(["pageSize"]);
  });

  it("streams a watcher until it ends, and stops when the caller goes away", async () => {
    const w = await service.watchers.create(admin, { jobName: "streamed" });
    const seen: string[] = [];
    const stream = service.watchers.watch(admin, w.id, new AbortController().signal);
    for await (const update of stream) {
      seen.push(update.status);
      if (seen.length === 1) await service.watchers.cancel(admin, w.id);
    }
    expect(seen).to.deep.equal(["PENDING", "CANCELLED"]);

    const open = await service.watchers.create(admin, { jobName: "left" });
    const gone = new AbortController();
    const iterator = service.watchers.watch(admin, open.id, gone.signal)[Symbol.asyncIterator]();
    expect((await iterator.next()).value).to.include({ status: "PENDING" });
    const next = iterator.next();
    gone.abort();
    const err = await next.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.have.property("name", "AbortError");
  });

  describe("triggers naming Webhook and ClusterWebhook objects", () => {
    const chat = mirrored({ kind: "Webhook", namespace: "team", name: "chat" });
    const ops = mirrored({ kind: "ClusterWebhook", namespace: "", name: "ops" });
    const narrow = mirrored(
      { kind: "ClusterWebhook", namespace: "", name: "narrow" },
      { namespaces: ["prod", "staging"] },
    );

    beforeEach(async () => {
      for (const w of [chat, ops, narrow]) await service.store.webhooks.put(w);
    });

    it("resolves each name to the webhook mirroring it, and carries the id from then on", async () => {
      const request: WatcherRequest = {
        jobName: "j",
        namespace: "team",
        triggers: [
          { webhookName: "chat", timeoutSeconds: 5 },
          { clusterWebhookName: "ops" },
          { webhookId: hook },
        ],
      };
      const w = await service.watchers.create(admin, request, "by-name");
      expect(w.triggers.map((t) => [t.webhookId, t.timeoutSeconds])).to.deep.equal([
        [chat.id, 5],
        [ops.id, 0],
        [hook, 0],
      ]);
      expect(await service.watchers.get(admin, w.id)).to.deep.equal(w);
      // The same watcher asked for by ids is the same request.
      const byIds = await service.watchers.create(
        admin,
        {
          ...request,
          triggers: [
            { webhookId: chat.id, timeoutSeconds: 5 },
            { webhookId: ops.id },
            { webhookId: hook },
          ],
        },
        "by-name",
      );
      expect(byIds.id).to.equal(w.id);
    });

    it("answers NOT_FOUND for a name nothing mirrors, a Webhook of another namespace included", async () => {
      const err = await refusal(
        service.watchers.create(admin, {
          jobName: "j",
          namespace: "elsewhere",
          triggers: [{ webhookName: "chat" }, { clusterWebhookName: "nope" }, { webhookId: hook }],
        }),
      );
      expect(err.code).to.equal("not-found");
      expect(err.violations).to.deep.equal([
        {
          field: "triggers[0].webhookName",
          description: "no Webhook elsewhere/chat (does it exist, and is it Ready?)",
        },
        {
          field: "triggers[1].clusterWebhookName",
          description: "no ClusterWebhook nope (does it exist, and is it Ready?)",
        },
      ]);
    });

    it("answers PERMISSION_DENIED where the webhook does not serve the watcher's namespace", async () => {
      const denied = await refusal(
        service.watchers.create(admin, {
          jobName: "j",
          namespace: "team",
          triggers: [{ clusterWebhookName: "narrow" }],
        }),
      );
      expect(denied.code).to.equal("permission-denied");
      expect(denied.message).to.equal(
        "ClusterWebhook narrow serves only Jobs in namespaces prod, staging (its spec.namespaces), not team",
      );
      expect(fields(denied)).to.deep.equal(["triggers[0].clusterWebhookName"]);
      // By id, a Webhook object's webhook serves its own namespace only.
      const byId = await refusal(
        service.watchers.create(admin, {
          jobName: "j",
          namespace: "prod",
          triggers: [{ clusterWebhookName: "narrow" }, { webhookId: chat.id }],
        }),
      );
      expect(byId.message).to.equal(
        "Webhook team/chat serves only Jobs in its own namespace team, not prod",
      );
      expect(fields(byId)).to.deep.equal(["triggers[1].webhookId"]);
    });

    it("refuses more than one name for a trigger, and a name that is no object name", async () => {
      const err = await refusal(
        service.watchers.create(admin, {
          jobName: "Bad_Name",
          triggers: [
            { webhookId: hook, webhookName: "chat" },
            { webhookName: "chat", clusterWebhookName: "ops" },
            { webhookName: "Not A Name" },
            { clusterWebhookName: "x".repeat(254) },
            {},
          ],
        }),
      );
      expect(err.code).to.equal("invalid-argument");
      expect(fields(err)).to.have.members([
        "triggers[0]",
        "triggers[1]",
        "triggers[2].webhookName",
        "triggers[3].clusterWebhookName",
        "triggers[4].webhookId",
        "jobName",
      ]);
    });
  });

  it("redelivers with update on the watcher: not its trigger 404, never sent 409", async () => {
    const w = await service.watchers.create(admin, {
      namespace: "team",
      jobName: "job",
      triggers: [{ webhookId: hook }],
    });
    const trigger = w.triggers[0]?.id ?? "";
    const reader = serviceAccount("team", "reader");
    const denied = await refusal(service.watchers.redeliver(reader, w.id, trigger));
    expect(denied.code).to.equal("permission-denied");
    const other = await refusal(service.watchers.redeliver(admin, w.id, "not-its-trigger"));
    expect(other.code).to.equal("not-found");
    expect((await refusal(service.watchers.redeliver(admin, "nope", trigger))).code).to.equal(
      "not-found",
    );
    // Its Job has not finished: nothing was sent, so nothing is kept to send again.
    const never = await refusal(service.watchers.redeliver(admin, w.id, trigger));
    expect(never.code).to.equal("failed-precondition");
    expect(never.preconditions[0]?.type).to.equal("NO_MESSAGE_KEPT");
    expect(never.message).to.contain("--delivery-retention");
  });
});
