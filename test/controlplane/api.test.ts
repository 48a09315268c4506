import { expect } from "chai";
import { createClient, Status } from "nice-grpc";
import type { BadRequest } from "nice-grpc-error-details";
import {
  HealthDefinition,
  HealthCheckResponse_ServingStatus,
} from "nice-grpc-server-health/lib/proto/grpc/health/v1/health.js";
import { ServerReflectionService } from "nice-grpc-server-reflection";
// google-protobuf's generated CommonJS: named exports are not visible to ESM.
import reflectionPb from "nice-grpc-server-reflection/lib/proto/grpc/reflection/v1/reflection_pb.js";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { generateSecret } from "../../controlplane/dispatcher/sign.js";
import { TriggerStatus, WatcherStatus } from "../../proto/gen/jobhooks/v1/watchers.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import { createJob } from "../support/jobs.js";
import { Receiver } from "../support/receiver.js";
import { finalWatcher, webhookTo } from "../support/watchers.js";

const { ServerReflectionRequest } = reflectionPb;

interface GrpcError {
  code: Status;
  details: string;
  /** Decoded google.rpc details (RichClientError). */
  extra?: unknown[];
}

// Duck-typed: nice-grpc-common is loaded both as ESM and as CommonJS here, so its ClientError
// class exists twice and instanceof cannot be trusted.
async function grpcError(p: Promise<unknown>): Promise<GrpcError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (typeof err !== "object" || err === null || !("code" in err) || !("details" in err)) {
    throw new Error(`expected a gRPC error, got ${String(err)}`);
  }
  return err as GrpcError;
}

describe("controlplane: gRPC API and delivery @cluster", function () {
  this.timeout(20 * 60_000);
  let cluster: TestCluster;
  let cp: ControlplaneProcess;
  let receiver: Receiver;
  let ns: string;

  before(async () => {
    cluster = await sharedCluster();
    receiver = await Receiver.start();
    cp = await startControlplane(cluster, { args: ["--retry-base=50ms", "--retry-max=100ms"] });
  });

  after(async () => {
    await cp.stop();
    await receiver.stop();
  });

  beforeEach(async function () {
    this.timeout(30_000);
    ns = await createTestNamespace(cluster, "api");
  });

  it("retries 500, 500, 500, then 200: CALLED after exactly 4 attempts, one webhook-id, signatures that verify", async () => {
    const path = `/${ns}/flaky`;
    receiver.script(path, [{ status: 500 }, { status: 500 }, { status: 500 }, { status: 200 }]);
    const secret = generateSecret();
    const webhook = await cp.webhooks.createWebhook({
      url: receiver.url + path,
      description: "signed",
      secret,
    });
    expect(webhook.signed).to.equal(true);
    expect(JSON.stringify(webhook)).to.not.contain(secret.slice(6));
    await createJob(cluster, ns, "retried");
    const created = await cp.watchers.createWatcher({
      namespace: ns,
      jobName: "retried",
      triggers: [{ webhookId: webhook.id, timeoutSeconds: 0 }],
    });
    const done = await finalWatcher(cp, created.id);
    expect(done.status).to.equal(WatcherStatus.COMPLETED);
    expect(done.triggers[0]?.status).to.equal(TriggerStatus.CALLED);
    expect(done.triggers[0]?.attempts).to.equal(4);

    await new Promise((r) => setTimeout(r, 300)); // nothing more may arrive
    const requests = receiver.on(path);
    expect(requests).to.have.length(4);
    const ids = new Set(requests.map((r) => r.headers["webhook-id"]));
    expect(ids.size).to.equal(1);
    const verifier = new StandardWebhook(secret);
    for (const r of requests) {
      const headers = {
        "webhook-id": String(r.headers["webhook-id"]),
        "webhook-timestamp": String(r.headers["webhook-timestamp"]),
        "webhook-signature": String(r.headers["webhook-signature"]),
      };
      expect(() => verifier.verify(r.body, headers)).to.not.throw();
      expect(() => verifier.verify(r.body + " ", headers)).to.throw();
    }
  });

  it("creates one watcher for 20 concurrent requests with one idempotency key", async () => {
    const webhookId = await webhookTo(cp, `${receiver.url}/${ns}/once`);
    const request = {
      namespace: ns,
      jobName: "cron-run-1",
      triggers: [{ webhookId, timeoutSeconds: 0 }],
      idempotencyKey: "cron-run-1",
    };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => cp.watchers.createWatcher(request)),
    );
    expect(new Set(results.map((w) => w.id)).size).to.equal(1);
    const listed = await cp.watchers.listWatchers({ namespace: ns, jobName: "cron-run-1" });
    expect(listed.watchers).to.have.length(1);
  });

  it("refuses an idempotency key reused for a different request with ALREADY_EXISTS", async () => {
    const webhookId = await webhookTo(cp, `${receiver.url}/${ns}/k`);
    await cp.watchers.createWatcher({
      namespace: ns,
      jobName: "a",
      triggers: [{ webhookId, timeoutSeconds: 0 }],
      idempotencyKey: "k",
    });
    const err = await grpcError(
      cp.watchers.createWatcher({
        namespace: ns,
        jobName: "b",
        triggers: [{ webhookId, timeoutSeconds: 0 }],
        idempotencyKey: "k",
      }),
    );
    expect(err.code).to.equal(Status.ALREADY_EXISTS);
    expect(err.details).to.contain('idempotency key "k" was used for a different request');
  });

  it("answers malformed requests with INVALID_ARGUMENT and one field violation per field", async () => {
    const err = await grpcError(
      cp.watchers.createWatcher({
        namespace: "Not_A_Namespace",
        jobName: "UPPER",
        triggers: [{ webhookId: "00000000-0000-0000-0000-000000000000", timeoutSeconds: 0 }],
        idempotencyKey: "x".repeat(256),
      }),
    );
    expect(err.code).to.equal(Status.INVALID_ARGUMENT);
    const badRequest = (err.extra ?? []).find(
      (d): d is BadRequest => typeof d === "object" && d !== null && "fieldViolations" in d,
    );
    const fields = badRequest?.fieldViolations.map((v) => v.field);
    expect(fields).to.have.members(["namespace", "job_name", "idempotency_key"]);
    // Well formed, but naming a webhook that does not exist: NOT_FOUND, naming the field.
    const missing = await grpcError(
      cp.watchers.createWatcher({
        jobName: "fine",
        triggers: [{ webhookId: "00000000-0000-0000-0000-000000000000", timeoutSeconds: 0 }],
      }),
    );
    expect(missing.code).to.equal(Status.NOT_FOUND);
    const violations = (missing.extra ?? []).find(
      (d): d is BadRequest => typeof d === "object" && d !== null && "fieldViolations" in d,
    );
    expect(violations?.fieldViolations.map((v) => v.field)).to.deep.equal([
      "triggers[0].webhook_id",
    ]);

    const url = await grpcError(
      cp.webhooks.createWebhook({ url: "ftp://example.com/x", description: "" }),
    );
    expect(url.code).to.equal(Status.INVALID_ARGUMENT);
    expect(url.details).to.contain("scheme must be http or https");
    const secret = await grpcError(
      cp.webhooks.createWebhook({
        url: "http://127.0.0.1:1234/",
        description: "",
        secret: "hunter2",
      }),
    );
    expect(secret.details).to.contain("secret");
  });

  it("answers NOT_FOUND for unknown ids", async () => {
    expect((await grpcError(cp.watchers.getWatcher({ id: "nope" }))).code).to.equal(
      Status.NOT_FOUND,
    );
    expect((await grpcError(cp.webhooks.getWebhook({ id: "nope" }))).code).to.equal(
      Status.NOT_FOUND,
    );
    expect((await grpcError(cp.watchers.cancelWatcher({ id: "nope" }))).code).to.equal(
      Status.NOT_FOUND,
    );
  });

  it("pages through watchers", async () => {
    const webhookId = await webhookTo(cp, `${receiver.url}/${ns}/p`);
    for (let i = 0; i < 5; i++) {
      await cp.watchers.createWatcher({
        namespace: ns,
        jobName: `page-${i}`,
        triggers: [{ webhookId, timeoutSeconds: 0 }],
      });
    }
    const names: string[] = [];
    let pageToken = "";
    do {
      const page = await cp.watchers.listWatchers({ namespace: ns, pageSize: 2, pageToken });
      expect(page.watchers.length).to.be.at.most(2);
      names.push(...page.watchers.map((w) => w.jobName));
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(names).to.deep.equal(["page-0", "page-1", "page-2", "page-3", "page-4"]);
  });

  it("serves grpc.health.v1, server reflection and Prometheus metrics", async () => {
    const health = createClient(HealthDefinition, cp.channel);
    expect((await health.check({ service: "" })).status).to.equal(
      HealthCheckResponse_ServingStatus.SERVING,
    );

    const reflection = createClient(ServerReflectionService, cp.channel);
    async function* ask(): AsyncIterable<InstanceType<typeof ServerReflectionRequest>> {
      yield await Promise.resolve(new ServerReflectionRequest().setListServices(""));
    }
    const names: string[] = [];
    for await (const res of reflection.serverReflectionInfo(ask())) {
      names.push(
        ...(res
          .getListServicesResponse()
          ?.getServiceList()
          .map((s) => s.getName()) ?? []),
      );
    }
    expect(names).to.include.members([
      "jobhooks.v1.WebhookService",
      "jobhooks.v1.JobDoneWatcherService",
    ]);

    const metrics = await (await fetch(`http://${cp.healthAddress}/metrics`)).text();
    expect(metrics).to.contain("jobhooks_deliveries_total");
    expect(metrics).to.contain("jobhooks_delivery_queue_depth");
    expect(metrics).to.match(/jobhooks_deliveries_total\{outcome="delivered"\} \d+/);
    const ready = await fetch(`http://${cp.healthAddress}/readyz`);
    expect(ready.status).to.equal(200);
  });
});
