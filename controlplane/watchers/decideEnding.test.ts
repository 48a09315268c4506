import { expect } from "chai";
import { at, spec, watcher, withStatus } from "../../test/support/watcherFixtures.js";
import { CANCELLED, decideCancel, decideEndings, decideExpiry, TIMED_OUT } from "./decideEnding.js";
import { Outcome, WatcherStatus } from "./model.js";

const NOW = at(60_000);

describe("decideEndings", () => {
  it("ends open watchers, skips ended ones, and ends a watcher named twice once", () => {
    const open = watcher("w1");
    const done = withStatus(watcher("w2"), WatcherStatus.COMPLETED);
    const d = decideEndings(
      [
        { watcher: open, ending: TIMED_OUT },
        { watcher: done, ending: TIMED_OUT },
        { watcher: open, ending: CANCELLED },
      ],
      [],
      NOW,
    );
    expect(d.changes).to.deep.equal([{ kind: "end", id: "w1", ending: TIMED_OUT }]);
    expect(d.touched).to.deep.equal(["w1"]);
    expect(d.at).to.equal(NOW);
  });

  it("owes a bound watcher's Job the label when it was the last open one", () => {
    const w = watcher("w1", spec(), { jobUid: "u" });
    expect(decideEndings([{ watcher: w, ending: CANCELLED }], [w], NOW).labels).to.deep.equal([
      { uid: "u", namespace: "ns", name: "job" },
    ]);
    const other = withStatus(watcher("w2"), WatcherStatus.PROCESSING, "u");
    expect(
      decideEndings([{ watcher: w, ending: CANCELLED }], [w, other], NOW).labels,
    ).to.deep.equal([]);
  });

  it("owes nothing for an unbound watcher, nor for an ending by the Job's deletion", () => {
    expect(
      decideEndings([{ watcher: watcher("w1"), ending: CANCELLED }], [], NOW).labels,
    ).to.deep.equal([]);
    const w = watcher("w1", spec(), { jobUid: "u" });
    const deleted = { ...CANCELLED, outcome: Outcome.DELETED };
    expect(decideEndings([{ watcher: w, ending: deleted }], [w], NOW).labels).to.deep.equal([]);
  });
});

describe("decideCancel", () => {
  it("cancels a CronJob watcher's children first, then it; labels each child's Job", () => {
    const family = watcher("fam", spec({ jobName: "", cronJobName: "nightly" }));
    const a = watcher("c1", spec({ jobName: "nightly-1" }), { jobUid: "u1", parentId: "fam" });
    const b = withStatus(
      watcher("c2", spec({ jobName: "nightly-2" }), { jobUid: "u2", parentId: "fam" }),
      WatcherStatus.PROCESSING,
    );
    const d = decideCancel(family, [a, b], [a, b], NOW);
    expect(d.changes.map((c) => c.id)).to.deep.equal(["c1", "c2", "fam"]);
    expect(d.changes.every((c) => c.kind === "end" && c.ending === CANCELLED)).to.equal(true);
    expect(d.labels.map((l) => l.uid)).to.deep.equal(["u1", "u2"]);
  });
});

describe("decideExpiry", () => {
  it("ends timed-out watchers TIMEOUT and Job-less ones JobNotFound, naming the wait", () => {
    const late = watcher("w1", spec({ timeoutSeconds: 5 }), { jobUid: "u" });
    const lost = watcher("w2");
    const d = decideExpiry({ timedOut: [late], notFound: [lost] }, [late], {
      now: NOW,
      jobWaitMs: 120_000,
    });
    expect(d.changes).to.deep.equal([
      { kind: "end", id: "w1", ending: TIMED_OUT },
      {
        kind: "end",
        id: "w2",
        ending: {
          status: WatcherStatus.FAILED,
          reason: "JobNotFound",
          message: "no Job of this name appeared within 120 s",
          triggerStatus: "CANCELLED",
        },
      },
    ]);
    expect(d.labels.map((l) => l.uid)).to.deep.equal(["u"]);
  });

  it("a watcher both timed out and not found ends once, TIMEOUT", () => {
    const w = watcher("w1", spec({ timeoutSeconds: 5 }));
    const d = decideExpiry({ timedOut: [w], notFound: [w] }, [], { now: NOW, jobWaitMs: 1000 });
    expect(d.changes).to.deep.equal([{ kind: "end", id: "w1", ending: TIMED_OUT }]);
  });
});
