import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";

/**
 * REST requests started in one turn of the event loop: the first that many to arrive start at
 * once, the rest wait their turn in order of arrival.
 */
export const REQUESTS_PER_TURN = 2;

/**
 * `listener`, started for at most `perTurn` requests per turn of the event loop.
 *
 * Why: in `jobhooks all` the REST API and the delivery path (watch event, engine, store,
 * dispatcher, the webhook's POST) share one event loop, and an in-process REST request runs from
 * its arrival to its answer in one go. Under a load on 16 connections one turn held up to 16
 * such requests, 10 ms and more of work, and each hop of a delivery waited behind a turn like
 * that. Started a few per turn, a turn's REST work is bounded (the requests waiting are started
 * from setImmediate, after the turn's I/O), so the delivery's hops come round quickly, while the
 * CPU stays busy with requests and the throughput holds.
 *
 * HTTP is unchanged: a waiting request's body stays in its stream until its handler reads it, a
 * keep-alive connection sends its next request only after this one's answer, and a request whose
 * connection has closed meanwhile is dropped unstarted. On shutdown the requests waiting are
 * started like the others and answered within the server's grace.
 */
export function paceRequests(perTurn: number, listener: RequestListener): RequestListener {
  if (!Number.isInteger(perTurn) || perTurn < 1) {
    throw new RangeError(`perTurn must be a whole number ≥ 1, not ${perTurn}`);
  }
  const waiting: [IncomingMessage, ServerResponse][] = [];
  let started = 0;
  let turnScheduled = false;

  const start = (req: IncomingMessage, res: ServerResponse): void => {
    started++;
    listener(req, res);
  };

  // A new turn: the count starts again, and as many requests as it allows leave the queue.
  const nextTurn = (): void => {
    turnScheduled = false;
    started = 0;
    while (started < perTurn && waiting.length > 0) {
      const [req, res] = waiting.shift() as [IncomingMessage, ServerResponse];
      if (!req.socket.destroyed) start(req, res);
    }
    if (waiting.length > 0) scheduleTurn();
  };

  const scheduleTurn = (): void => {
    if (turnScheduled) return;
    turnScheduled = true;
    setImmediate(nextTurn);
  };

  return (req, res) => {
    if (started < perTurn && waiting.length === 0) start(req, res);
    else waiting.push([req, res]);
    scheduleTurn();
  };
}
