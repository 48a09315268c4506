/** One media range of an Accept header with its weight. */
interface MediaRange {
  type: string;
  q: number;
}

function mediaRanges(accept: string): MediaRange[] {
  return accept.split(",").map((part) => {
    const [type = "", ...params] = part.split(";").map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith("q="));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    return { type, q: Number.isFinite(weight) ? weight : 0 };
  });
}

/** The weight the client gives `type` (type/subtype): the most specific range that matches. */
function weightOf(ranges: MediaRange[], type: string): number {
  const [major = ""] = type.split("/");
  const specificity = (r: MediaRange): number =>
    r.type === type ? 3 : r.type === `${major}/*` ? 2 : r.type === "*/*" ? 1 : 0;
  const best = ranges
    .filter((r) => specificity(r) > 0)
    .sort((a, b) => specificity(b) - specificity(a))[0];
  return best?.q ?? 0;
}

/**
 * Whether a counter answer should be the bare integer as text/plain rather than JSON: only when
 * the client prefers text/plain outright, as pod-webhook-tracker's callers do with
 * `Accept: text/plain`. No header, `*\/*`, and ties answer JSON.
 */
export function acceptsPlainText(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === "") return false;
  const ranges = mediaRanges(accept);
  return weightOf(ranges, "text/plain") > weightOf(ranges, "application/json");
}
