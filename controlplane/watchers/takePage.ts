/** How big a page may be: by count, and by a measure of size such as encoded bytes. */
export interface PageBounds<T> {
  /** At most this many items. */
  limit: number;
  /** The items' sizes add up to at most this, except that a page always takes its first item. */
  maxSize: number;
  sizeOf(item: T): number;
}

/**
 * The first items of `items` that fit `bounds`, and whether any were left. Reads one item past
 * the page, to know; stops reading there.
 */
export function takePage<T>(
  items: Iterable<T>,
  bounds: PageBounds<T>,
): { items: T[]; more: boolean } {
  const page: T[] = [];
  let size = 0;
  for (const item of items) {
    if (page.length >= bounds.limit) return { items: page, more: true };
    const itemSize = bounds.sizeOf(item);
    if (page.length > 0 && size + itemSize > bounds.maxSize) return { items: page, more: true };
    page.push(item);
    size += itemSize;
  }
  return { items: page, more: false };
}
