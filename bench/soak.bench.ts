import { runSoak } from "@tenantry/server/testing/soak";

/**
 * `pnpm bench soak`: ten minutes of mixed traffic on two server processes sharing one PostgreSQL
 * database (SOAK_SECONDS to change it), at the knee of the throughput curve; see
 * apps/server/src/testing/soak.ts. Prints each window and exits non-zero when an invariant breaks.
 */
const seconds = Number(process.env.SOAK_SECONDS ?? 600);
const report = await runSoak({
  serverUrl: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
  seconds,
  windows: Math.max(5, Math.round(seconds / 30)),
  ...(process.env.SOAK_CONCURRENCY ? { concurrency: Number(process.env.SOAK_CONCURRENCY) } : {}),
  log: (line) => console.log(line),
});

console.log(`\nsoak: ${seconds} s at ${report.concurrency} callers on two processes (PostgreSQL)`);
console.log("| second | req/s | errors | p50 ms | p99 ms | RSS MB (A / B) | db connections |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const w of report.windows) {
  console.log(
    `| ${w.second} | ${w.perSecond} | ${w.errors} | ${w.p50} | ${w.p99} | ${w.rssMb.join(" / ")} | ${w.dbConnections} |`,
  );
}
const rate = report.requests ? (report.errors / report.requests) * 100 : 0;
console.log(
  `\nrequests ${report.requests}, errors ${report.errors} (${rate.toFixed(3)} %), OAuth refreshes ${report.refreshGrants}`,
);
console.log(`drain: ${JSON.stringify(report.drain)}`);
console.log(`invariants: ${JSON.stringify(report.invariants)}`);
if (report.errorSamples.length) console.log(`error samples:\n${report.errorSamples.join("\n")}`);
const ok =
  Object.values(report.invariants).every(Boolean) && report.drain.reset === 0 && report.drain.exitCode === 0;
process.exit(ok ? 0 : 1);
