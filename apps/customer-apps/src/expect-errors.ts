import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type RunResult, run, tail } from "./proc";

const DIRECTIVE = /\/\/ @ts-expect-error(?: (TS\d+))?/;

export interface ExpectedError {
  line: number;
  code: string;
}

/** The `// @ts-expect-error TSnnnn …` lines of a file: the error each stands for, on the line below it. */
export function expectedErrors(source: string): { expected: ExpectedError[]; unnamed: number[] } {
  const expected: ExpectedError[] = [];
  const unnamed: number[] = [];
  source.split("\n").forEach((text, index) => {
    const match = DIRECTIVE.exec(text);
    if (!match) return;
    if (match[1]) expected.push({ line: index + 2, code: match[1] });
    else unnamed.push(index + 1);
  });
  return { expected, unnamed };
}

export interface TscError {
  /** Absolute path. */
  file: string;
  /** As tsc printed it (relative to the app). */
  relative: string;
  line: number;
  code: string;
  message: string;
}

/** `file(line,col): error TSnnnn: message` (also tsc's `file:line:col - error TSnnnn:` pretty form). */
export function parseTscErrors(output: string, cwd: string): TscError[] {
  const errors: TscError[] = [];
  for (const text of output.split("\n")) {
    const match =
      /^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/.exec(text.trim()) ??
      /^(.+?):(\d+):\d+ - error (TS\d+): (.*)$/.exec(text.trim());
    if (match) {
      errors.push({
        file: resolve(cwd, match[1]!),
        relative: match[1]!,
        line: Number(match[2]),
        code: match[3]!,
        message: match[4]!,
      });
    }
  }
  return errors;
}

/**
 * Proves each `@ts-expect-error` stands for the error it names: compiles the project once more with
 * the directives taken out (line numbers kept) and expects exactly those errors, on exactly those
 * lines of the type-test file. A directive alone would also be satisfied by an unrelated error, such
 * as a type that collapsed to something else; this is not. `baseline` is the same tsconfig's errors
 * with the directives in place: the file must have none there (an unused directive is one). Errors
 * in other files are the typecheck's business, not this check's. The file is restored afterwards.
 */
export async function checkExpectedErrors(
  appDir: string,
  spec: { file: string; tsconfig: string },
  baseline: TscError[] | undefined,
): Promise<{ ok: boolean; details: string }> {
  const file = join(appDir, spec.file);
  const original = readFileSync(file, "utf8");
  const { expected, unnamed } = expectedErrors(original);
  if (unnamed.length > 0) {
    return {
      ok: false,
      details: `${spec.file}: @ts-expect-error without an error code on line(s) ${unnamed.join(", ")}`,
    };
  }
  if (expected.length < 2) {
    return { ok: false, details: `${spec.file}: expected at least two @ts-expect-error directives` };
  }
  const problems: string[] = [];
  if (!baseline) problems.push(`no baseline: ${spec.tsconfig} was not type-checked`);
  for (const error of baseline?.filter((e) => e.file === file) ?? []) {
    problems.push(`with the directives: ${spec.file}:${error.line} ${error.code} ${error.message}`);
  }
  // The same project, minus checking the packages' .d.ts files (the baseline did that): faster.
  const tsconfig = `${spec.tsconfig.replace(/\.json$/, "")}.without-directives.json`;
  writeFileSync(
    join(appDir, tsconfig),
    JSON.stringify({
      extends: `./${spec.tsconfig}`,
      compilerOptions: { skipLibCheck: true, incremental: false },
    }),
  );
  writeFileSync(file, original.replace(new RegExp(DIRECTIVE.source, "g"), "// (directive removed)"));
  let result: RunResult;
  try {
    const tsc = join(appDir, "node_modules", ".bin", "tsc");
    result = await run(tsc, ["--noEmit", "--pretty", "false", "-p", tsconfig], {
      cwd: appDir,
      timeoutMs: 300_000,
    });
  } finally {
    writeFileSync(file, original);
    rmSync(join(appDir, tsconfig), { force: true });
  }
  const errors = parseTscErrors(result.output, appDir).filter((e) => e.file === file);
  for (const want of expected) {
    if (!errors.some((e) => e.line === want.line && e.code === want.code)) {
      const got = errors.filter((e) => e.line === want.line);
      problems.push(
        `without the directives: ${spec.file}:${want.line}: expected ${want.code}, got ${got.length ? got.map((e) => `${e.code} ${e.message}`).join("; ") : "no error"}`,
      );
    }
  }
  for (const error of errors) {
    if (!expected.some((want) => want.line === error.line && want.code === error.code)) {
      problems.push(
        `without the directives, unexpected: ${spec.file}:${error.line} ${error.code} ${error.message}`,
      );
    }
  }
  if (result.timedOut) problems.push(tail(result.output));
  const summary = expected.map((e) => `${spec.file}:${e.line} ${e.code}`).join(", ");
  return problems.length === 0
    ? { ok: true, details: `without the directives, exactly: ${summary}` }
    : { ok: false, details: problems.join("\n") };
}
