import type { IncomingMessage } from "node:http";
import { readBody } from "../common/readBody.js";
import { ProblemError, problem } from "./Problem.js";

/**
 * The request's body as JSON; `empty` when there is none. Read whatever the Content-Type: curl
 * users forget the header, and the body must be JSON anyway. Limits, encodings and charsets are
 * common/readBody's, so the gateway and the sidecar refuse alike.
 */
export async function readJson(
  req: IncomingMessage,
  maxBytes: number,
  empty?: unknown,
): Promise<unknown> {
  const text = await readBody(req, maxBytes);
  if (text.trim() === "") return empty;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ProblemError(
      problem(400, "Bad Request", `the request body is not valid JSON: ${reason}`),
    );
  }
}
