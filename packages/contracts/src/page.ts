import { z } from "zod";

/** Keyset pages: `nextCursor` of one page is the `cursor` of the next (opaque, issued by the API). */
export const pageInput = {
  limit: z.number().int().min(1).max(100).default(20).describe("Page size, 1 to 100."),
  cursor: z.string().max(300).optional().describe("The `nextCursor` of the previous page."),
};

export const pageOutput = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
