import { expect } from "chai";
import {
  T0,
  at,
  counter,
  finished,
  job,
  spec,
  watcher,
  webhook,
  withStatus,
} from "../../test/support/watcherFixtures.js";
import type { JobSummary } from "../jobwatch/jobSummary.js";
import {
  decideRemove,
  decideUpsert,
  goneJob,
  type DecisionContext,
  type JobView,
} from "./decideJobEvent.js";
import { Outcome, TriggerStatus, WatcherStatus, type Watcher } from "./model.js";

const NOW = at(10_000);
const ctx = (): DecisionContext => ({
  now: NOW,
  defaultDeliveryTimeoutMs: 60_000,
  newId: counter("new"),
});

function view(j: JobSummary, watchers: Watcher[], families: Watcher[] = []): JobView {
  return { job: j, watchers, families, webhooks: new Map([["hook", webhook("hook")]]) };
}

describe("decideUpsert", () => {
  it("binds an unbound watcher to a running Job, and only tells its listeners", () => {
    const w = watcher("w1");
    const d = decideUpsert(view(job(), [w]), ctx());
    expect(d.changes).to.deep.equal([{ kind: "bind", id: "w1", jobUid: "uid-1" }]);
    expect(d.touched).to.deep.equal(["w1"]);
    expect(d.labels).to.deep.equal([]);
    expect(d.spawn).to.deep.equal([]);
  });

  it("a finished Job: binds and owes one delivery per trigger, due now, PROCESSING", () => {
    const w = watcher("w1", spec({ triggers: [{ webhookId: "hook", timeoutSeconds: 30 }] }));
    const d = decideUpsert(view(finished("SUCCEEDED"), [w]), ctx());
    expect(d.changes.map((c) => c.kind)).to.deep.equal(["bind", "notify"]);
    const notify = d.changes[1];
    if (notify?.kind !== "notify") throw new Error("no notify");
    expect(notify.status).to.equal(WatcherStatus.PROCESSING);
    expect(notify.outcome).to.equal(Outcome.SUCCEEDED);
    expect(notify.deliveries).to.have.length(1);
    const delivery = notify.deliveries[0];
    expect(delivery?.triggerId).to.equal("w1.t1");
    expect(delivery?.nextAttemptAt).to.deep.equal(NOW);
    expect(delivery?.deadlineAt).to.deep.equal(new Date(NOW.getTime() + 30_000));
    expect(JSON.parse(delivery?.body ?? "")).to.include({
      type: "job.succeeded",
      timestamp: at(5000).toISOString(),
    });
    expect(d.labels).to.deep.equal([]);
  });

  it("a watcher with no triggers completes at once, and its Job is owed the label", () => {
    const w = watcher("w1", spec({ triggers: [] }), { jobUid: "uid-1" });
    const d = decideUpsert(view(finished("SUCCEEDED"), [w]), ctx());
    expect(d.changes).to.deep.equal([
      {
        kind: "notify",
        id: "w1",
        outcome: Outcome.SUCCEEDED,
        status: WatcherStatus.COMPLETED,
        deliveries: [],
      },
    ]);
    expect(d.labels).to.deep.equal([{ uid: "uid-1", namespace: "ns", name: "job" }]);
  });

  it("an outcome the watcher does not notify on ends it FAILED, triggers CANCELLED", () => {
    const w = watcher("w1", spec(), { jobUid: "uid-1" });
    const d = decideUpsert(view(finished("FAILED"), [w]), ctx());
    expect(d.changes).to.deep.equal([
      {
        kind: "end",
        id: "w1",
        ending: {
          status: WatcherStatus.FAILED,
          reason: "JobFailed",
          message: "the Job failed; this watcher notifies only on SUCCEEDED",
          outcome: Outcome.FAILED,
          triggerStatus: TriggerStatus.CANCELLED,
        },
      },
    ]);
    expect(d.labels).to.have.length(1);
  });

  it("owes no label while another watcher of the Job is still open", () => {
    const ended = watcher("w1", spec({ triggers: [] }), { jobUid: "uid-1" });
    const delivering = withStatus(watcher("w2"), WatcherStatus.PROCESSING, "uid-1");
    const d = decideUpsert(view(finished("SUCCEEDED"), [ended, delivering]), ctx());
    expect(d.changes.map((c) => c.id)).to.deep.equal(["w1"]);
    expect(d.labels).to.deep.equal([]);
  });

  it("owes the label once, when the last two watchers of a Job end together", () => {
    const a = watcher("w1", spec({ triggers: [] }), { jobUid: "uid-1" });
    const b = watcher("w2", spec({ notifyOn: [Outcome.FAILED] }));
    const d = decideUpsert(view(finished("SUCCEEDED"), [a, b]), ctx());
    expect(d.changes.map((c) => c.kind)).to.deep.equal(["notify", "bind", "end"]);
    expect(d.labels).to.deep.equal([{ uid: "uid-1", namespace: "ns", name: "job" }]);
  });

  it("leaves a watcher bound to another Job of the same name alone", () => {
    const w = watcher("w1", spec(), { jobUid: "uid-old" });
    const d = decideUpsert(view(finished("SUCCEEDED"), [w]), ctx());
    expect(d.changes).to.deep.equal([]);
    expect(d.touched).to.deep.equal([]);
  });

  it("uses the time of the decision when the Job has no finish time", () => {
    const w = watcher("w1", spec(), { jobUid: "uid-1" });
    const d = decideUpsert(view(finished("SUCCEEDED", { finishedAt: undefined }), [w]), ctx());
    const notify = d.changes[0];
    if (notify?.kind !== "notify") throw new Error("no notify");
    expect(JSON.parse(notify.deliveries[0]?.body ?? "")).to.include({
      timestamp: NOW.toISOString(),
    });
  });
});

describe("decideUpsert: CronJob watchers", () => {
  const family = watcher("fam", spec({ jobName: "", cronJobName: "nightly", namespace: "" }));

  it("makes a watcher for a Job of the CronJob, bound to it, and fires it when finished", () => {
    const j = finished("SUCCEEDED", { cronJobName: "nightly", name: "nightly-1" });
    const d = decideUpsert(view(j, [], [family]), ctx());
    expect(d.spawn).to.have.length(1);
    const child = d.spawn[0]?.watcher;
    expect(child).to.include({
      id: "new1",
      parentId: "fam",
      jobUid: "uid-1",
      namespace: "ns",
      jobName: "nightly-1",
      cronJobName: "",
      status: WatcherStatus.PENDING,
    });
    expect(child?.triggers.map((t) => t.id)).to.deep.equal(["new2"]);
    expect(d.changes).to.have.length(1);
    expect(d.changes[0]).to.include({ kind: "notify", id: "new1" });
    expect(d.touched).to.deep.equal(["new1", "fam", "new1"]);
  });

  it("makes none for a Job older than the CronJob watcher (its second counts)", () => {
    const young = watcher("fam", spec({ jobName: "", cronJobName: "nightly" }), {
      createdAt: new Date(T0.getTime() + 1500),
    });
    const before = job({ cronJobName: "nightly", createdAt: at(999) });
    const within = job({ cronJobName: "nightly", createdAt: at(1000) });
    expect(decideUpsert(view(before, [], [young]), ctx()).spawn).to.have.length(0);
    expect(decideUpsert(view(within, [], [young]), ctx()).spawn).to.have.length(1);
  });

  it("a running Job's child stays PENDING: no change besides its insert", () => {
    const j = job({ cronJobName: "nightly" });
    const d = decideUpsert(view(j, [], [family]), ctx());
    expect(d.spawn).to.have.length(1);
    expect(d.changes).to.deep.equal([]);
  });
});

describe("decideRemove", () => {
  it("ends the Job's bound watchers JobDeleted and owes no label (the Job is gone)", () => {
    const bound = watcher("w1", spec(), { jobUid: "uid-1" });
    const unbound = watcher("w2");
    const d = decideRemove(view(job(), [bound, unbound]), ctx());
    expect(d.changes).to.have.length(1);
    expect(d.changes[0]).to.deep.include({ kind: "end", id: "w1" });
    const end = d.changes[0];
    if (end?.kind !== "end") throw new Error("no end");
    expect(end.ending).to.include({ status: WatcherStatus.FAILED, reason: "JobDeleted" });
    expect(d.labels).to.deep.equal([]);
  });

  it("a watcher that notifies on DELETED gets its webhooks called", () => {
    const w = watcher("w1", spec({ notifyOn: [Outcome.DELETED] }), { jobUid: "uid-1" });
    const d = decideRemove(view(job(), [w]), ctx());
    expect(d.changes[0]).to.include({ kind: "notify", status: WatcherStatus.PROCESSING });
  });

  it("a Job found gone is known only by what its watcher recorded", () => {
    const w = watcher("w1", spec(), { jobUid: "uid-9" });
    expect(goneJob(w)).to.include({ uid: "uid-9", namespace: "ns", name: "job" });
  });
});
