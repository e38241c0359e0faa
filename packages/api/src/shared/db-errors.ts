/**
 * The name of the unique constraint a database error violated, or null. Both drivers are covered:
 * postgres.js (`constraint_name`) and PGlite (`constraint`), possibly wrapped by drizzle (`cause`).
 */
export function violatedUniqueConstraint(error: unknown): string | null {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    if (typeof current !== "object") return null;
    const candidate = current as {
      code?: unknown;
      constraint_name?: unknown;
      constraint?: unknown;
      cause?: unknown;
    };
    if (candidate.code === "23505") {
      const name = candidate.constraint_name ?? candidate.constraint;
      return typeof name === "string" ? name : "";
    }
    current = candidate.cause;
  }
  return null;
}
