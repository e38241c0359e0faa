import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Page } from "playwright-core";

/**
 * Opens every story of the static Storybook (`pnpm build-storybook` first) in Chromium, served as
 * plain files with no Tenantry server: waits for the story's play function, runs axe (WCAG 2.2 AA,
 * contrast included) on it and saves a screenshot to test-artifacts/stories/. Exits 1 on any failure.
 *
 *   pnpm test:stories [story-id-substring…]
 */
const repo = fileURLToPath(new URL("../../../", import.meta.url));
const staticDir = join(repo, "storybook-static");
const artifacts = join(repo, "test-artifacts", "stories");
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const filters = process.argv.slice(2).filter((arg) => arg !== "--");

if (!existsSync(executablePath)) {
  // CI installs Debian's Chromium (.ci/run); a machine without it skips, saying so.
  const message = `story checks skipped: no Chromium at ${executablePath} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  console.warn(message);
  process.exit(process.env.CI ? 1 : 0);
}
if (!existsSync(join(staticDir, "index.json"))) {
  console.error("storybook-static/ is missing: run `pnpm build-storybook` first");
  process.exit(1);
}
mkdirSync(artifacts, { recursive: true });

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".woff2": "font/woff2",
  ".data": "application/octet-stream",
};

const server = createServer((request, response) => {
  const path = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
  let file = normalize(join(staticDir, path));
  if (!file.startsWith(staticDir)) {
    response.writeHead(403).end();
    return;
  }
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
  if (!existsSync(file)) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
  createReadStream(file).pipe(response);
});
await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
const address = server.address();
const port = typeof address === "object" && address ? address.port : 0;
// localhost (not 127.0.0.1): Web Crypto needs a secure context, and localhost is one.
const origin = `http://localhost:${port}`;

const index = JSON.parse(readFileSync(join(staticDir, "index.json"), "utf8")) as {
  entries: Record<string, { id: string; type: string; title: string; name: string }>;
};
const stories = Object.values(index.entries)
  .filter((entry) => entry.type === "story")
  .filter((entry) => filters.length === 0 || filters.some((f) => entry.id.includes(f)));

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const browser = await chromium.launch({
  executablePath,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});

/*
 * Page scripts are plain strings: tsx compiles this file with helpers (`__name`) that do not exist
 * in the page. The listener is installed before the preview starts, so a fast story is not missed.
 */
const LISTEN_FOR_STORY_END = `
  window.__storyOutcome = null;
  (function attach() {
    const channel = window.__STORYBOOK_ADDONS_CHANNEL__;
    if (!channel) return setTimeout(attach, 10);
    channel.on("storyFinished", (payload) => {
      window.__storyOutcome ??= { status: payload.status === "success" ? "passed" : "failed", detail: payload.status };
    });
    channel.on("playFunctionThrewException", (error) => {
      window.__storyOutcome = { status: "failed", detail: "play: " + error.message };
    });
    channel.on("storyThrewException", (error) => {
      window.__storyOutcome = { status: "failed", detail: "render: " + error.message };
    });
    channel.on("storyErrored", (error) => {
      window.__storyOutcome = { status: "failed", detail: "story: " + JSON.stringify(error) };
    });
  })();
`;

// axe on the rendered widget: WCAG 2.0–2.2 A and AA, colour contrast included (real layout here).
// The a11y addon runs its own axe after each story on the same global; axe refuses a second run
// while one is going, so this one waits its turn (a busy machine makes the overlap likely).
const RUN_AXE = `
  (async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await window.axe.run(document.querySelector("#storybook-root") || document.body, {
          runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
        });
        return result.violations.map(
          (v) => v.id + " (" + v.impact + "): " + v.nodes.map((n) => n.target.join(" ")).join(", "),
        );
      } catch (error) {
        if (!String(error && error.message).includes("already running") || attempt >= 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  })()
`;

interface Outcome {
  status: "passed" | "failed";
  detail?: string;
}

let failed = 0;
/**
 * One page for all stories, switched as Storybook's manager switches them (`setCurrentStory`), so
 * the in-browser database starts once; after a failure the next story gets a fresh page.
 */
let page: Page | null = null;
let pageErrors: string[] = [];
try {
  for (const story of stories) {
    const started = Date.now();
    if (!page) {
      page = await browser.newPage({ viewport: { width: 900, height: 1400 } });
      page.on("pageerror", (error) => pageErrors.push(error.message));
      await page.addInitScript({ content: LISTEN_FOR_STORY_END });
      await page.goto(`${origin}/iframe.html?id=${story.id}&viewMode=story`);
    } else {
      await page.evaluate(
        `window.__storyOutcome = null; window.__STORYBOOK_ADDONS_CHANNEL__.emit("setCurrentStory", { storyId: ${JSON.stringify(story.id)}, viewMode: "story" })`,
      );
    }
    pageErrors = [];
    let outcome: Outcome;
    try {
      await page.waitForFunction("window.__storyOutcome", null, { timeout: 60_000 });
      outcome = (await page.evaluate("window.__storyOutcome")) as Outcome;
    } catch {
      outcome = { status: "failed", detail: "the story did not finish within 60 s" };
    }
    if (!(await page.evaluate("typeof window.axe === 'object'")))
      await page.addScriptTag({ content: axeSource });
    const violations = (await page.evaluate(RUN_AXE)) as string[];
    await page.screenshot({
      path: join(artifacts, `${story.id}.png`),
      fullPage: true,
      animations: "disabled",
    });
    const problems = [
      ...(outcome.status === "failed" ? [outcome.detail ?? "failed"] : []),
      ...violations.map((v) => `axe: ${v}`),
      ...pageErrors.map((e) => `page error: ${e}`),
    ];
    const ms = Date.now() - started;
    if (problems.length > 0) {
      failed++;
      console.log(`✗ ${story.id} (${ms} ms)\n    ${problems.join("\n    ")}`);
      await page.close();
      page = null;
    } else {
      console.log(`✓ ${story.id} (${ms} ms)`);
    }
  }
} finally {
  await browser.close();
  server.close();
}
console.log(`\n${stories.length - failed} passed, ${failed} failed`);
console.log(`screenshots: ${resolve(artifacts)}`);
process.exit(failed > 0 ? 1 : 0);
