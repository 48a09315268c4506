import type { Receiver } from "../test/support/receiver.js";

/**
 * When the first delivery for each Job reached `path`, by Job name (delivery is at-least-once,
 * so a Job may be delivered twice; the first one counts).
 */
export function firstReceipts(receiver: Receiver, path: string): Map<string, number> {
  const first = new Map<string, number>();
  for (const request of receiver.on(path)) {
    const event = JSON.parse(request.body) as { data?: { job?: { name?: string } } };
    const name = event.data?.job?.name;
    if (name !== undefined && !first.has(name)) first.set(name, request.at);
  }
  return first;
}

/** Waits until `count` Jobs were delivered to `path`, or `timeoutMs` passed; returns them. */
export async function awaitReceipts(
  receiver: Receiver,
  path: string,
  count: number,
  timeoutMs: number,
): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Counting is cheap; parsing every body on each poll would steal time from the receiver.
    if (receiver.on(path).length >= count || Date.now() > deadline) {
      const receipts = firstReceipts(receiver, path);
      if (receipts.size >= count || Date.now() > deadline) return receipts;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
