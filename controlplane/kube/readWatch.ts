import type { IncomingMessage } from "node:http";
import { createInterface } from "node:readline";
import { KubeApiError } from "./KubeApiError.js";

export interface WatchHandlers {
  /** The server accepted the watch (HTTP 200): events follow. */
  onOpen?: () => void;
  /** One event: ADDED, MODIFIED, DELETED, BOOKMARK or ERROR, with its object. */
  onEvent: (type: string, object: unknown) => void;
}

/**
 * Reads a watch response, one JSON event per line, until the server ends it; rejects when it is
 * refused (a KubeApiError with its status) or the connection fails.
 */
export async function readWatch(
  res: IncomingMessage,
  what: string,
  handlers: WatchHandlers,
): Promise<void> {
  if (res.statusCode !== 200) {
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8").slice(0, 300);
    throw new KubeApiError(res.statusCode ?? 0, `${what}: HTTP ${res.statusCode}: ${body}`);
  }
  handlers.onOpen?.();
  const lines = createInterface({ input: res, crlfDelay: Infinity });
  // readline ends quietly when its input fails: the response's own error rejects instead.
  const failed = new Promise<never>((_, reject) => {
    res.once("error", reject);
    res.once("aborted", () => reject(new Error(`${what}: the connection was closed mid-watch`)));
  });
  failed.catch(() => undefined);
  const read = (async (): Promise<void> => {
    for await (const line of lines) {
      if (line.trim() === "") continue;
      const event = JSON.parse(line) as { type: string; object: unknown };
      handlers.onEvent(event.type, event.object);
    }
  })();
  await Promise.race([read, failed]);
  // A response cut short ends readline as a clean end would; the socket's state tells them apart.
  if (!res.complete) throw new Error(`${what}: the connection was closed mid-watch`);
}
