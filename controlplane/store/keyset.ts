/** A position in a list ordered by (created_at, id): the last item of the page before. */
export interface Cursor {
  createdAt: number;
  id: string;
}

export function cursorOf(item: { createdAt: Date; id: string }): Cursor {
  return { createdAt: item.createdAt.getTime(), id: item.id };
}
