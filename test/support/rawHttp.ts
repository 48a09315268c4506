import { connect } from "node:net";

/** What came back on a raw connection. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds from connecting to the first byte of the answer. */
  firstByteMs: number;
  /** Whether the server closed the connection within the wait. */
  closed: boolean;
}

/**
 * Writes `head` (request line and headers, CRLF-separated, ending in an empty line) and then
 * `body` on a fresh TCP connection, and does not send anything more: a body that promises more
 * bytes than it has is left unfinished, as a slow or hostile client would leave it. Resolves with
 * the server's answer once the connection closes or `waitMs` has passed; fails when no answer
 * came at all.
 */
export async function rawRequest(
  url: string,
  head: string,
  body: Buffer | string = "",
  waitMs = 3000,
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname.replace(/^\[|\]$/g, ""), port: Number(port) });
  const started = Date.now();
  let firstByteMs = -1;
  const chunks: Buffer[] = [];
  socket.on("data", (d: Buffer) => {
    if (firstByteMs < 0) firstByteMs = Date.now() - started;
    chunks.push(d);
  });
  socket.on("connect", () => {
    socket.write(head);
    socket.write(body);
  });
  const closed = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), waitMs);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(true);
    });
    // A reset after the answer still counts as the server closing.
    socket.on("error", () => {});
  });
  socket.destroy();
  return { ...parse(Buffer.concat(chunks).toString("latin1"), url), firstByteMs, closed };
}

function parse(text: string, url: string): Pick<RawAnswer, "status" | "headers" | "body"> {
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) throw new Error(`no HTTP answer from ${url}: ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine = "", ...lines] = text.slice(0, end).split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(" ")[1]), headers, body: text.slice(end + 4) };
}
