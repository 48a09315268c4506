/** A position in a list ordered by (created_at, id): the last item of the page before. */
export interface Cursor {
  createdAt: number;
  id: string;
}

export function cursorOf(item: { createdAt: Date; id: string }): Cursor {
  return { createdAt: item.createdAt.getTime(), id: item.id };
}

/**
 * The items after `after`, read `chunk` rows at a time in (created_at, id) order: a reader that
 * stops early (a page that is full) has read at most one chunk more than it used, whatever the
 * size of the table.
 */
export function* keysetScan<T extends { createdAt: Date; id: string }>(
  read: (after: Cursor | undefined, limit: number) => T[],
  after: Cursor | undefined,
  chunk: number,
): Generator<T, void, undefined> {
  let cursor = after;
  for (;;) {
    const rows = read(cursor, chunk);
    yield* rows;
    const last = rows.at(-1);
    if (rows.length < chunk || !last) return;
    cursor = cursorOf(last);
  }
}
