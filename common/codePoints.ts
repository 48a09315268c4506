/** A string's length in Unicode code points, as JSON Schema's maxLength (and a CRD's) counts it. */
export function codePoints(value: string): number {
  return value.length - (value.match(/[\ud800-\udbff][\udc00-\udfff]/g)?.length ?? 0);
}
