import { expect } from "chai";
import type { TestCluster } from "../cluster/TestCluster.js";
import {
  AttemptErrorClass,
  AttemptOutcome,
  WatcherStatus,
} from "../../proto/gen/jobhooks/v1/watchers.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { createJob, jobFinished } from "../support/jobs.js";
import { LAYOUTS, startLayout, type RunningLayout } from "../support/layouts.js";
import { Receiver } from "../support/receiver.js";
import { restCaller } from "../support/restCall.js";
import { watcherWhen } from "../support/watchers.js";

// The attempt log of one delivery whose receiver answers 500, then 503, then nothing for longer
// than the attempt's limit, then 200: read through REST and gRPC, in both layouts.

interface AttemptJson {
  startedAt: string;
  durationMs: number;
  host: string;
  statusCode?: number;
  errorClass?: string;
  responseBody?: string;
  outcome: string;
  nextAttemptAt?: string;
  deliveryId: string;
  webhookId: string;
}

const ATTEMPT_TIMEOUT_MS = 600;

for (const { layout, name } of LAYOUTS) {
  describe(`attempt log: ${name} @cluster`, function () {
    this.timeout(120_000);
    let cluster: TestCluster;
    let receiver: Receiver;
    let running: RunningLayout | undefined;
    const call = restCaller(() => running?.gw.restUrl ?? "");

    before(async () => {
      cluster = await sharedCluster();
      receiver = await Receiver.start();
      running = await startLayout(cluster, layout, {
        args: [
          `--attempt-timeout=${ATTEMPT_TIMEOUT_MS}ms`,
          "--retry-base=50ms",
          "--retry-max=100ms",
        ],
      });
    });
    after(async () => {
      await running?.stop();
      await receiver.stop();
    });

    it("shows four attempts with their classes, statuses, times and response prefixes", async () => {
      const cp = running!.cp;
      const ns = await createTestNamespace(cluster, "attempt-log");
      const path = `/${ns}/hook`;
      receiver.script(path, [
        { status: 500, body: "first: internal error" },
        { status: 503, headers: { "content-type": "text/plain" }, body: "second: try later" },
        "hang",
        { status: 200, headers: { "content-type": "application/json" }, body: '{"ok":true}' },
      ]);
      const webhook = await cp.webhooks.createWebhook({ url: receiver.url + path });
      await createJob(cluster, ns, "done");
      await jobFinished(cluster, ns, "done");
      // Registered after its Job finished: it fires at once.
      const watcher = await cp.watchers.createWatcher({
        namespace: ns,
        jobName: "done",
        triggers: [{ webhookId: webhook.id, timeoutSeconds: 0 }],
      });
      await watcherWhen(cp, watcher.id, (w) => w.status === WatcherStatus.COMPLETED, 30_000);
      expect(await receiver.waitFor(path, 4)).to.have.length(4);

      const rest = await call(
        "GET",
        `/job-done-watchers/${watcher.id}/deliveries`,
        "/job-done-watchers/{id}/deliveries",
      );
      expect(rest.status).to.equal(200);
      const attempts = rest.body as AttemptJson[];
      expect(attempts.map((a) => a.errorClass)).to.deep.equal([
        "http",
        "http",
        "timeout",
        undefined,
      ]);
      expect(attempts.map((a) => a.statusCode)).to.deep.equal([500, 503, undefined, 200]);
      expect(attempts.map((a) => a.outcome)).to.deep.equal([
        "retry",
        "retry",
        "retry",
        "delivered",
      ]);
      expect(attempts.map((a) => a.responseBody)).to.deep.equal([
        "first: internal error",
        "second: try later",
        undefined,
        '{"ok":true}',
      ]);
      const starts = attempts.map((a) => Date.parse(a.startedAt));
      expect(starts).to.deep.equal([...starts].sort((a, b) => a - b));
      expect(new Set(starts).size).to.equal(4);
      expect(attempts[2]?.durationMs).to.be.within(
        ATTEMPT_TIMEOUT_MS - 50,
        ATTEMPT_TIMEOUT_MS + 2000,
      );
      for (const a of attempts) {
        expect(a.host).to.equal(new URL(receiver.url).host);
        expect(a.deliveryId).to.match(/^msg_/);
        expect(a.webhookId).to.equal(webhook.id);
        expect(a.durationMs).to.be.at.least(0);
      }
      // Each retry says when the next attempt was due: at or before it started.
      for (const [i, a] of attempts.slice(0, 3).entries()) {
        const next = Date.parse(a.nextAttemptAt ?? "");
        expect(next, `attempt ${i + 1}`).to.be.greaterThan(starts[i] ?? 0);
        expect(next, `attempt ${i + 1}`).to.be.at.most((starts[i + 1] ?? 0) + 5);
      }
      expect(attempts[3]?.nextAttemptAt).to.equal(undefined);

      // The same log over gRPC.
      const grpc = await cp.watchers.listDeliveryAttempts({
        id: watcher.id,
        pageSize: 0,
        pageToken: "",
      });
      expect(grpc.attempts.map((a) => a.errorClass)).to.deep.equal([
        AttemptErrorClass.HTTP,
        AttemptErrorClass.HTTP,
        AttemptErrorClass.TIMEOUT,
        AttemptErrorClass.UNSPECIFIED,
      ]);
      expect(grpc.attempts.map((a) => a.statusCode)).to.deep.equal([500, 503, undefined, 200]);
      expect(grpc.attempts.map((a) => a.outcome)).to.deep.equal([
        AttemptOutcome.RETRY,
        AttemptOutcome.RETRY,
        AttemptOutcome.RETRY,
        AttemptOutcome.DELIVERED,
      ]);
      expect(grpc.attempts.map((a) => a.startedAt?.getTime())).to.deep.equal(starts);
      expect(grpc.attempts.map((a) => a.responseBody)).to.deep.equal(
        attempts.map((a) => a.responseBody ?? ""),
      );
      expect(grpc.attempts[1]?.responseHeaders).to.include({ "content-type": "text/plain" });
      expect(grpc.nextPageToken).to.equal("");

      // A page boundary, both ways: 3 and a token, then the last one and none.
      const first = await call(
        "GET",
        `/job-done-watchers/${watcher.id}/deliveries?limit=3`,
        "/job-done-watchers/{id}/deliveries",
      );
      expect(first.body).to.have.length(3);
      const token = first.headers.get("continue-token") ?? "";
      expect(token).not.to.equal("");
      const second = await call(
        "GET",
        `/job-done-watchers/${watcher.id}/deliveries?limit=3&continue=${encodeURIComponent(token)}`,
        "/job-done-watchers/{id}/deliveries",
      );
      expect((second.body as AttemptJson[]).map((a) => a.statusCode)).to.deep.equal([200]);
      expect(second.headers.get("continue-token")).to.equal(null);
      const page1 = await cp.watchers.listDeliveryAttempts({
        id: watcher.id,
        pageSize: 3,
        pageToken: "",
      });
      expect(page1.attempts).to.have.length(3);
      expect(page1.nextPageToken).not.to.equal("");
      const page2 = await cp.watchers.listDeliveryAttempts({
        id: watcher.id,
        pageSize: 3,
        pageToken: page1.nextPageToken,
      });
      expect(page2.attempts.map((a) => a.statusCode)).to.deep.equal([200]);
      expect(page2.nextPageToken).to.equal("");
    });

    it("answers 404 for an unknown watcher, and 400 for a token it did not issue", async () => {
      const template = "/job-done-watchers/{id}/deliveries";
      expect((await call("GET", "/job-done-watchers/nope/deliveries", template)).status).to.equal(
        404,
      );
      const bad = await call("GET", "/job-done-watchers/nope/deliveries?continue=xyz", template);
      expect(bad.status).to.be.oneOf([400, 404]);
    });
  });
}
