/**
 * Whether one ListWatch is current: it has listed since its last failure and its watch is open,
 * so the cache it feeds misses no change the apiserver has made. Pure; ListWatch reports what it
 * does as StreamEvents and readiness reads the state.
 *
 * - `stopped`: not running.
 * - `listing`: a list is under way and the stream is not current: its first list (`after`
 *   undefined), or one after the failure `after`.
 * - `backoff`: the list or watch failed (`after`); the next try is at `retryAt` (epoch ms).
 * - `reconnecting`: a watch request after the failure `after` is under way, not yet accepted.
 * - `current`: listed, and watching (or about to: the watch request that follows a list or a
 *   watch the server ended at its timeout). A 410 Gone relist keeps it current: the server is
 *   up and the relist starts at once. `unconfirmed` names the failure a reopened watch follows
 *   until it delivers its first event; a 410 before that means it never caught up.
 */
export type StreamState =
  | { phase: "stopped" }
  | { phase: "listing"; after: string | undefined }
  | { phase: "backoff"; after: string; retryAt: number }
  | { phase: "reconnecting"; after: string }
  | { phase: "current"; unconfirmed?: string };

/** What a ListWatch does, in order. */
export type StreamEvent =
  /** A list request starts (the first of a run, after a failure, or after 410 Gone). */
  | { type: "list" }
  /** Every page of the list arrived and the cache has it. */
  | { type: "listed" }
  /** A watch request starts. */
  | { type: "watch" }
  /** The server accepted the watch (HTTP 200). */
  | { type: "opened" }
  /** The watch delivered an event or a bookmark. */
  | { type: "progress" }
  /** The list or watch failed; `gone`: 410, relisting at once, else retrying at `retryAt`. */
  | { type: "failed"; reason: string; gone: boolean; retryAt: number }
  /** The backoff was cut short: the next try is at `retryAt`. */
  | { type: "rescheduled"; retryAt: number }
  /** The run ended. */
  | { type: "stopped" };

export const INITIAL_STREAM_STATE: StreamState = { phase: "stopped" };

type Transitions = {
  [T in StreamEvent["type"]]: (
    state: StreamState,
    event: Extract<StreamEvent, { type: T }>,
  ) => StreamState;
};

const TRANSITIONS: Transitions = {
  list: (state) => afterList(state),
  listed: () => ({ phase: "current" }),
  watch: (state) =>
    state.phase === "backoff" ? { phase: "reconnecting", after: state.after } : state,
  opened: (state) =>
    state.phase === "reconnecting" ? { phase: "current", unconfirmed: state.after } : state,
  progress: (state) =>
    state.phase === "current" && state.unconfirmed !== undefined ? { phase: "current" } : state,
  failed: (state, event) => (event.gone ? afterGone(state) : afterFailure(state, event)),
  rescheduled: (state, event) =>
    state.phase === "backoff" ? { ...state, retryAt: event.retryAt } : state,
  stopped: () => ({ phase: "stopped" }),
};

/** The state after `event`; the same object when the event changes nothing. */
export function streamStateAfter(state: StreamState, event: StreamEvent): StreamState {
  const transition = TRANSITIONS[event.type] as (s: StreamState, e: StreamEvent) => StreamState;
  return transition(state, event);
}

function afterList(state: StreamState): StreamState {
  switch (state.phase) {
    case "stopped":
      return { phase: "listing", after: undefined };
    case "backoff":
    case "reconnecting":
      return { phase: "listing", after: state.after };
    default:
      return state;
  }
}

// 410 Gone: the server answers and only our version is lost. A stream that was current stays
// so while it relists; one still recovering from a failure goes on recovering through the list.
function afterGone(state: StreamState): StreamState {
  if (state.phase === "current" && state.unconfirmed !== undefined) {
    return { phase: "listing", after: state.unconfirmed };
  }
  return afterList(state);
}

function afterFailure(
  state: StreamState,
  { reason, retryAt }: { reason: string; retryAt: number },
): StreamState {
  // A run that was stopped reports no failure of its last request as a backoff.
  return state.phase === "stopped" ? state : { phase: "backoff", after: reason, retryAt };
}

/** True when current, else why not, naming `scope` (e.g. "Jobs in all namespaces"). */
export function streamReadiness(state: StreamState, scope: string, now: number): true | string {
  switch (state.phase) {
    case "current":
      return true;
    case "stopped":
      return `the watch of ${scope} is not running`;
    case "listing":
      return state.after === undefined
        ? `the first list of ${scope} has not completed`
        : `listing ${scope} again after: ${state.after}`;
    case "backoff": {
      const seconds = (Math.max(0, state.retryAt - now) / 1000).toFixed(1);
      return `the watch of ${scope} is restarting after: ${state.after}, next try in ${seconds} s`;
    }
    case "reconnecting":
      return `the watch of ${scope} is reconnecting after: ${state.after}`;
  }
}
