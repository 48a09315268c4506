import { expect } from "chai";
import {
  INITIAL_STREAM_STATE,
  streamReadiness,
  streamStateAfter,
  type StreamEvent,
  type StreamState,
} from "./streamState.js";

const SCOPE = "Jobs in all namespaces";
const NOW = 1_000_000;

function after(events: StreamEvent[], from: StreamState = INITIAL_STREAM_STATE): StreamState {
  return events.reduce(streamStateAfter, from);
}

function ready(events: StreamEvent[]): true | string {
  return streamReadiness(after(events), SCOPE, NOW);
}

const fail = (reason: string, retryInMs = 2300): StreamEvent => ({
  type: "failed",
  reason,
  gone: false,
  retryAt: NOW + retryInMs,
});
const gone: StreamEvent = {
  type: "failed",
  reason: "watch error 410 Expired",
  gone: true,
  retryAt: NOW,
};
const list: StreamEvent = { type: "list" };
const listed: StreamEvent = { type: "listed" };
const watch: StreamEvent = { type: "watch" };
const opened: StreamEvent = { type: "opened" };
const progress: StreamEvent = { type: "progress" };

describe("streamState: is a Job stream current?", () => {
  const watching = [list, listed, watch, opened, progress];

  it("is not running before its run, and not current until the first list completes", () => {
    expect(ready([])).to.equal(`the watch of ${SCOPE} is not running`);
    expect(ready([list])).to.equal(`the first list of ${SCOPE} has not completed`);
    expect(ready([list, listed])).to.equal(true);
    expect(ready(watching)).to.equal(true);
  });

  it("is not current from a watch failure until a watch is open again, saying why and when", () => {
    const down = [...watching, fail("watch failed: socket hang up")];
    expect(ready(down)).to.equal(
      `the watch of ${SCOPE} is restarting after: watch failed: socket hang up, next try in 2.3 s`,
    );
    expect(ready([...down, watch])).to.equal(
      `the watch of ${SCOPE} is reconnecting after: watch failed: socket hang up`,
    );
    expect(ready([...down, watch, opened])).to.equal(true);
  });

  it("stays not current through failed retries, each with its own reason and wait", () => {
    const events = [...watching, fail("a"), watch, fail("connect ECONNREFUSED", 8000)];
    expect(ready(events)).to.equal(
      `the watch of ${SCOPE} is restarting after: connect ECONNREFUSED, next try in 8.0 s`,
    );
    expect(ready([...events, { type: "rescheduled", retryAt: NOW + 400 }])).to.match(
      /next try in 0\.4 s$/,
    );
    // A next try already due reads 0.0 s, never a negative wait.
    expect(streamReadiness(after(events), SCOPE, NOW + 60_000)).to.match(/next try in 0\.0 s$/);
  });

  it("after a failed list, is current only once a list completes", () => {
    const events = [list, fail("list failed: HTTP 503: Service Unavailable"), list];
    expect(ready(events)).to.equal(
      `listing ${SCOPE} again after: list failed: HTTP 503: Service Unavailable`,
    );
    expect(ready([...events, listed])).to.equal(true);
    expect(ready([...watching, fail("x"), list, fail("y"), list, listed])).to.equal(true);
  });

  it("stays current while relisting after a 410 Gone, unless that relist fails", () => {
    const relisting = [...watching, gone, list];
    expect(ready(relisting)).to.equal(true);
    expect(ready([...relisting, listed, watch])).to.equal(true);
    expect(ready([...relisting, fail("list failed: timeout")])).to.match(/restarting after: list/);
  });

  it("is not current when its reopened watch answers 410 before any event: it relists first", () => {
    const reopened = [...watching, fail("watch failed: ECONNRESET"), watch, opened];
    expect(ready(reopened)).to.equal(true);
    expect(ready([...reopened, gone, list])).to.equal(
      `listing ${SCOPE} again after: watch failed: ECONNRESET`,
    );
    expect(ready([...reopened, gone, list, listed])).to.equal(true);
    // Once the reopened watch delivered an event it has caught up: a later 410 is routine.
    expect(ready([...reopened, progress, gone, list])).to.equal(true);
    // A reconnect refused with HTTP 410 relists, still not current.
    const refused = [...watching, fail("a"), watch, gone, list];
    expect(ready(refused)).to.equal(`listing ${SCOPE} again after: a`);
  });

  it("is not running after its run ends, whatever it was doing, and lists afresh in the next", () => {
    for (const events of [watching, [list], [...watching, fail("a")]]) {
      expect(ready([...events, { type: "stopped" }])).to.equal(
        `the watch of ${SCOPE} is not running`,
      );
    }
    // The aborted request's failure, reported after the stop, changes nothing.
    expect(ready([...watching, { type: "stopped" }, fail("aborted")])).to.match(/not running$/);
    expect(ready([...watching, { type: "stopped" }, list])).to.match(/first list/);
  });

  it("returns the same state object for an event that changes nothing", () => {
    const state = after(watching);
    for (const event of [watch, opened, progress, { type: "rescheduled", retryAt: NOW } as const]) {
      expect(streamStateAfter(state, event)).to.equal(state);
    }
  });
});
