import { z } from "zod";
import { appError } from "./errors";

/**
 * Opaque keyset cursors: the last id of a page, versioned so the format can change.
 * Keyset pages cost the same deep in a list as at its start (no OFFSET).
 */
export function encodeCursor(lastId: string): string {
  return btoa(`v1:${lastId}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCursor(cursor: string): string {
  try {
    const text = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    if (text.startsWith("v1:") && text.length > 3 && text.length < 200) return text.slice(3);
  } catch {
    // fall through to the clear error below
  }
  throw appError("BAD_REQUEST", "invalid_input", "cursor is not a cursor this API issued");
}

export const pageInput = {
  limit: z.number().int().min(1).max(100).default(20).describe("Page size, 1 to 100."),
  cursor: z.string().max(300).optional().describe("The `nextCursor` of the previous page."),
};

export function pageOf<T extends { id: string }>(
  rows: T[],
  limit: number,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}

export const pageOutput = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
