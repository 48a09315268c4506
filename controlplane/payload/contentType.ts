/**
 * The Content-Type of a body that names none: JSON when it parses as JSON (a chat message, an
 * API's request), else UTF-8 text.
 */
export function contentTypeOf(body: string): string {
  try {
    JSON.parse(body);
    return "application/json";
  } catch {
    return "text/plain; charset=utf-8";
  }
}

/** A request body and how it is labelled. */
export interface HttpBody {
  body: string;
  contentType: string;
}
