import { measureWidgets, WIDGET_SIZE_BUDGET } from "../packages/widgets/scripts/measure-size";

/**
 * The widgets' size budget as a host's bundler sees it (packages/widgets/scripts/measure-size.ts);
 * `packages/widgets/src/size-budget.unit.test.ts` fails CI when it is over.
 */
const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const { cssGzipBytes, entries } = await measureWidgets();
console.log(`stylesheet: ${kb(cssGzipBytes)} KB gzip`);
for (const size of entries) {
  const lazy = size.lazyChunksGzipBytes;
  console.log(
    `${size.entry.padEnd(26)} ${kb(size.upFrontMinBytes).padStart(6)} KB min  ${kb(size.upFrontGzipBytes).padStart(5)} KB gzip  ` +
      `${kb(size.upFrontWithCssGzipBytes).padStart(5)} KB gzip with CSS   + ${kb(lazy.reduce((a, b) => a + b, 0)).padStart(4)} KB gzip on first use (${lazy.length} chunks, largest ${kb(Math.max(0, ...lazy))} KB)`,
  );
}
const all = entries.find((size) => size.entry === "all widgets (root entry)")!;
console.log(
  `all together, up front: ${kb(all.upFrontWithCssGzipBytes)} KB gzip (budget ${WIDGET_SIZE_BUDGET.upFrontKb} KB); ` +
    `largest lazy chunk ${kb(Math.max(0, ...entries.flatMap((size) => size.lazyChunksGzipBytes)))} KB (budget ${WIDGET_SIZE_BUDGET.lazyChunkKb} KB)`,
);
