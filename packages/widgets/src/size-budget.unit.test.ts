import { describe, expect, it } from "vitest";
import { measureWidgets, WIDGET_SIZE_BUDGET } from "../scripts/measure-size.js";

/** The size budget fails CI instead of being printed (`pnpm bench widgets-size` shows the figures). */
describe("the widgets' size, as a host's bundler builds them", () => {
  it(`fits ${WIDGET_SIZE_BUDGET.upFrontKb} KB gzip up front for all widgets, ${WIDGET_SIZE_BUDGET.lazyChunkKb} KB per lazy chunk`, async () => {
    const { entries } = await measureWidgets();
    const all = entries.find((size) => size.entry === "all widgets (root entry)")!;
    expect(all.upFrontWithCssGzipBytes).toBeGreaterThan(10 * 1024);
    expect(all.upFrontWithCssGzipBytes).toBeLessThanOrEqual(WIDGET_SIZE_BUDGET.upFrontKb * 1024);
    for (const size of entries) {
      expect(size.upFrontWithCssGzipBytes, size.entry).toBeLessThanOrEqual(all.upFrontWithCssGzipBytes);
      for (const chunk of size.lazyChunksGzipBytes) {
        expect(chunk, `${size.entry}: a lazy chunk`).toBeLessThanOrEqual(
          WIDGET_SIZE_BUDGET.lazyChunkKb * 1024,
        );
      }
    }
  }, 60_000);
});
