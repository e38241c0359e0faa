/** One line per check as it finishes (details indented below it), and the tally at the end. */
export class Report {
  passed = 0;
  failed = 0;

  pass(name: string, details = ""): void {
    this.passed++;
    console.log(`PASS ${name}`);
    if (details.trim()) console.log(indent(details));
  }

  fail(name: string, details: string): void {
    this.failed++;
    console.log(`FAIL ${name}`);
    if (details.trim()) console.log(indent(details));
  }

  /** Prints exactly `N passed, M failed` and answers the exit code. */
  finish(): number {
    console.log(`${this.passed} passed, ${this.failed} failed`);
    return this.failed > 0 || this.passed === 0 ? 1 : 0;
  }
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}
