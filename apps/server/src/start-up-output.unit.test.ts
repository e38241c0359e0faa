import { describe, expect, it } from "vitest";
import { type StartUpState, startUpBanner } from "./banner";
import { logFormatFor, prettyLogLine } from "./logger";

const base: StartUpState = {
  version: "1.2.3",
  address: "http://127.0.0.1:4000",
  generatedApiKey: null,
  bootstrapKeyGiven: false,
  hasOperators: false,
  consoleBuilt: true,
};

describe("the start-up banner", () => {
  it("on a fresh install shows the generated key once and says the console asks for it", () => {
    const banner = startUpBanner({ ...base, generatedApiKey: `tnt_sk_${"k".repeat(40)}` });
    expect(banner).toContain(`    tnt_sk_${"k".repeat(40)}\n`);
    expect(banner).toContain("Tenantry 1.2.3 is ready at http://127.0.0.1:4000");
    expect(banner).toContain(
      "Open http://127.0.0.1:4000 to set up the console: it asks once for the admin API key above",
    );
  });

  it("names where the key is when it was given, or printed at an earlier start", () => {
    expect(startUpBanner({ ...base, bootstrapKeyGiven: true })).toContain(
      "asks once for the admin API key in TENANTRY_BOOTSTRAP_API_KEY",
    );
    const restarted = startUpBanner(base);
    expect(restarted).toContain("the admin API key printed at first start");
    expect(restarted).not.toMatch(/tnt_sk_/);
  });

  it("once an operator exists, says only to sign in", () => {
    const banner = startUpBanner({ ...base, hasOperators: true, bootstrapKeyGiven: true });
    expect(banner).toContain("Open http://127.0.0.1:4000 to sign in to the console.");
    expect(banner).not.toMatch(/admin API key|set up/);
  });

  it("says when the console is not built, and what to do", () => {
    const banner = startUpBanner({ ...base, consoleBuilt: false, hasOperators: true });
    expect(banner).toContain(
      "The console is not built yet: run pnpm build:console, then open http://127.0.0.1:4000 to sign in to the console.",
    );
  });
});

describe("log lines", () => {
  it("are pretty at a terminal and JSON elsewhere", () => {
    expect(logFormatFor({ isTTY: true })).toBe("pretty");
    expect(logFormatFor({ isTTY: false })).toBe("json");
    expect(logFormatFor({})).toBe("json");
  });

  it("read as a person reads them: time, level, message, then the details", () => {
    const time = new Date(2026, 0, 2, 8, 5, 9).getTime();
    const line = JSON.stringify({
      level: 40,
      time,
      pid: 1,
      hostname: "h",
      service: "tenantry",
      msg: "request failed",
      requestId: "req_1",
      status: 500,
      err: { code: "23505" },
    });
    expect(prettyLogLine(`${line}\n`)).toBe(
      '08:05:09 WARN   request failed  requestId=req_1  status=500  err={"code":"23505"}\n',
    );
    expect(prettyLogLine("not json\n")).toBe("not json\n");
  });
});
