import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { checkPage, type HostIdentity, launchChromium, PAGE_CHECKS } from "./browser";
import { checkExpectedErrors, type TscError } from "./expect-errors";
import { packAll, repoRoot } from "./pack";
import {
  type Background,
  freePort,
  limiter,
  type RunResult,
  run,
  startBackground,
  stopAll,
  tail,
  waitForHttp,
} from "./proc";
import { Report } from "./report";
import { type Seed, seed, startTenantry, type Tenantry } from "./tenantry";
import { typecheck } from "./typecheck";

/**
 * The publishable packages as a customer meets them. Packs every publishable package, copies each
 * customer app template (templates/) to a fresh folder outside the repository, points its
 * @tenantry/* dependencies at the tarballs (npm `overrides` too, so nested ones never come from the
 * registry), and runs `npm install`, `tsc --noEmit`, the type tests without their directives and the
 * production build. Then it starts a real Tenantry server on a temporary embedded database, seeds it
 * over the REST API, serves each built web app and checks it in Chromium (screenshots in
 * test-artifacts/customer-apps/), and runs the Node client script against it. One line per check,
 * then `N passed, M failed`; exits 1 on any failure.
 *
 *   pnpm --filter @tenantry/customer-apps check [app…]        (KEEP_CUSTOMER_APPS=1 keeps the folders)
 */
interface AppSpec {
  name: string;
  /** Has pages and a backend: served and opened in Chromium. Else a script run against Tenantry. */
  web: boolean;
  /** Each is checked with `tsc --noEmit -p`; `typegen` runs first (generated types the tsconfig includes). */
  tsconfigs: string[];
  typegen?: string[];
  /** The file with the `@ts-expect-error TSnnnn` type tests, and the tsconfig that compiles it. */
  typeTests: { file: string; tsconfig: string };
}

// The slowest first: its build overlaps the others' installs and checks.
const APPS: AppSpec[] = [
  {
    name: "next-app",
    web: true,
    tsconfigs: ["tsconfig.json"],
    typegen: ["next", "typegen"],
    typeTests: { file: "type-tests/widgets-and-client.tsx", tsconfig: "tsconfig.json" },
  },
  {
    name: "vite-react19",
    web: true,
    tsconfigs: ["tsconfig.json", "tsconfig.server.json"],
    typeTests: { file: "src/type-tests.tsx", tsconfig: "tsconfig.json" },
  },
  {
    name: "vite-react18",
    web: true,
    tsconfigs: ["tsconfig.json", "tsconfig.server.json"],
    typeTests: { file: "src/type-tests.tsx", tsconfig: "tsconfig.json" },
  },
  {
    name: "node-client",
    web: false,
    tsconfigs: ["tsconfig.json"],
    typeTests: { file: "src/type-tests.ts", tsconfig: "tsconfig.json" },
  },
];

const started = Date.now();
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const templatesDir = fileURLToPath(new URL("../templates/", import.meta.url));
const artifacts = join(repoRoot, "test-artifacts", "customer-apps");
const work = mkdtempSync(join(tmpdir(), "tenantry-customer-apps-"));
const keep = process.env.KEEP_CUSTOMER_APPS === "1";
const only = process.argv.slice(2).filter((arg) => arg !== "--");
const report = new Report();
const timings: string[] = [];

// Everything stops by itself: a run that hangs somewhere still ends, failing.
const RUN_LIMIT_MS = 20 * 60_000;
setTimeout(() => {
  report.fail("whole run", `still running after ${seconds(RUN_LIMIT_MS)}; stopped`);
  stopAll();
  if (!keep) rmSync(work, { recursive: true, force: true });
  process.exit(report.finish());
}, RUN_LIMIT_MS).unref();

for (const folder of readdirSync(templatesDir)) {
  if (!APPS.some((app) => app.name === folder)) {
    report.fail(`template ${folder}`, "a template folder that src/check.ts does not know (add it to APPS)");
  }
}
const apps = APPS.filter((app) => only.length === 0 || only.includes(app.name));
if (apps.length === 0) report.fail("apps", `no template named ${only.join(", ")}`);
mkdirSync(artifacts, { recursive: true });

/** npm and the apps run as on a customer's machine: without the pnpm script environment around this one. */
const customerEnv: Record<string, string | undefined> = {
  ...Object.fromEntries(
    Object.keys(process.env)
      .filter((k) => /^(npm_|pnpm_)/i.test(k))
      .map((k) => [k, undefined]),
  ),
  NEXT_TELEMETRY_DISABLED: "1",
  NODE_ENV: undefined,
};

// One port per web app, chosen now: the allowed origins are seeded once, for all of them.
const ports = new Map<string, number>();
for (const app of apps.filter((a) => a.web)) {
  let port = await freePort();
  while ([...ports.values()].includes(port)) port = await freePort();
  ports.set(app.name, port);
}
const origins = [...ports.values()].map((port) => `http://127.0.0.1:${port}`);
// Each app's signed-in user and organization (its own tenant, created by its first token).
const hostOf = (app: string): HostIdentity => ({
  organization: { id: `customer-${app}`, name: `Acme (${app})` },
  user: { id: `ada-${app}`, email: `ada@${app}.example` },
});

const cpu = limiter(2); // a 2-core machine: two CPU-heavy steps at once
const browserTurn = limiter(1);

// Tenantry starts once the packages are built (the server may import what they build).
let tenantryStarted: (value: Promise<Tenantry>) => void = () => {};
const tenantry = new Promise<Tenantry>((resolve) => {
  tenantryStarted = resolve;
});
const packStarted = Date.now();
const packed = packAll(join(work, "tarballs"), {
  log: (line) => console.log(`  ${line}`),
  onBuilt: () => {
    timings.push(`build packages ${seconds(Date.now() - packStarted)}`);
    const tenantryStart = Date.now();
    tenantryStarted(
      startTenantry(repoRoot, join(work, "tenantry-data")).then((t) => {
        timings.push(`Tenantry up ${seconds(Date.now() - tenantryStart)}`);
        return t;
      }),
    );
  },
}).then(
  (result) => {
    timings.push(`build + pack ${seconds(Date.now() - packStarted)}`);
    if (result.packages.length === 0) report.fail("publishable packages", "none found under packages/*");
    for (const failure of result.failures) {
      report.fail(`${failure.step} ${failure.name}`, `${failure.command}\n${failure.output}`);
    }
    for (const [name, file] of Object.entries(result.tarballs)) report.pass(`pack ${name}`, file);
    return result;
  },
  (error: unknown) => {
    tenantryStarted(Promise.reject(new Error("the packages were not built")));
    throw error;
  },
);

const tenantryUp = tenantry.then(
  (t) => {
    report.pass(`Tenantry server up at ${t.url} (/healthz)`);
    return t;
  },
  (error: unknown) => {
    report.fail("Tenantry server up (/healthz)", (error as Error).message);
    return null;
  },
);
const seeded: Promise<{ tenantry: Tenantry; seed: Seed } | null> = tenantryUp.then(async (t) => {
  if (!t || !apps.some((a) => a.web)) return null;
  try {
    const result = { tenantry: t, seed: await seed(t, origins) };
    report.pass("seed over /api/v1 (signing key, allowed origins, field schema, app catalog)");
    return result;
  } catch (error) {
    report.fail("seed over /api/v1", (error as Error).message);
    return null;
  }
});

// Launched once, when the first app is ready for it.
const chromium: { launched?: Promise<Browser | null> } = {};
const getBrowser = () => {
  chromium.launched ??= launchChromium().then(
    (b) => {
      report.pass(`Chromium launches (${b.version()})`);
      return b;
    },
    (error: unknown) => {
      report.fail("Chromium launches", (error as Error).message);
      return null;
    },
  );
  return chromium.launched;
};

type Step = (
  name: string,
  body: () => Promise<{ ok: boolean; details?: string }>,
  /** `blocks: false`: a failure does not stop the later steps. `cpu`: waits for a CPU slot (not timed). */
  options?: { blocks?: boolean; cpu?: boolean },
) => Promise<boolean>;

/**
 * One app's checks in order. After a failed install or build the rest are reported as failed, "not
 * run"; failed type checks stop nothing (the build and the browser answer other questions).
 */
async function checkApp(app: AppSpec): Promise<void> {
  const dir = join(work, app.name);
  let blockedBy: string | null = null;
  const step: Step = async (name, body, options = {}) => {
    const label = `${app.name}: ${name}`;
    if (blockedBy) {
      report.fail(label, `not run: ${blockedBy}`);
      return false;
    }
    let t0 = Date.now();
    let outcome: { ok: boolean; details?: string };
    const timed = () => {
      t0 = Date.now();
      return body();
    };
    try {
      outcome = await (options.cpu ? cpu(timed) : timed());
    } catch (error) {
      outcome = { ok: false, details: (error as Error).stack ?? String(error) };
    }
    const took = seconds(Date.now() - t0);
    timings.push(`${label} ${took}`);
    if (outcome.ok) report.pass(`${label} (${took})`, outcome.details);
    else {
      report.fail(`${label} (${took})`, outcome.details ?? "");
      if (options.blocks !== false) blockedBy = `${name} failed`;
    }
    return outcome.ok;
  };

  await step("npm install (tarballs for @tenantry/*)", async () => {
    const { tarballs } = await packed;
    return install(app, dir, tarballs);
  });
  let baseline: Map<string, TscError[]> | undefined;
  await step(
    `tsc --noEmit (${app.tsconfigs.join(", ")})`,
    async () => {
      if (app.typegen) {
        const [bin, ...args] = app.typegen;
        const generated = await run(join(dir, "node_modules", ".bin", bin!), args, {
          cwd: dir,
          env: customerEnv,
          timeoutMs: 120_000,
        });
        if (!generated.ok)
          return { ok: false, details: `${app.typegen.join(" ")}:\n${tail(generated.output)}` };
      }
      const result = await typecheck(dir, app.tsconfigs);
      baseline = result.errors;
      return result;
    },
    { blocks: false, cpu: true },
  );
  await step(
    "type tests fail without @ts-expect-error, with the named errors",
    () => checkExpectedErrors(dir, app.typeTests, baseline?.get(app.typeTests.tsconfig)),
    { blocks: false, cpu: true },
  );
  await step(
    "production build (npm run build)",
    async () => {
      const result = await npm(dir, ["run", "build"], 600_000);
      return { ok: result.ok, details: result.ok ? "" : tail(result.output, 60) };
    },
    { cpu: true },
  );
  if (app.web) await checkWebApp(app, dir, step);
  else {
    await step("script against Tenantry", async () => {
      const t = await tenantryUp;
      if (!t) return { ok: false, details: "not run: Tenantry is not up" };
      const result = await run("npm", ["start"], {
        cwd: dir,
        env: { ...customerEnv, TENANTRY_URL: t.url, TENANTRY_API_KEY: t.apiKey },
        timeoutMs: 120_000,
      });
      return { ok: result.ok, details: result.ok ? result.output.trim() : tail(result.output, 60) };
    });
  }
}

async function checkWebApp(app: AppSpec, dir: string, step: Step): Promise<void> {
  const port = ports.get(app.name)!;
  const url = `http://127.0.0.1:${port}`;
  const host = hostOf(app.name);
  const started: { server?: Background } = {};
  try {
    const serving = await step("serves its production build", async () => {
      const ready = await seeded;
      if (!ready) return { ok: false, details: "not run: Tenantry is not up and seeded" };
      const server = startBackground("npm", ["start"], {
        cwd: dir,
        env: {
          ...customerEnv,
          PORT: String(port),
          HOST: "127.0.0.1",
          TENANTRY_URL: ready.tenantry.url,
          TENANTRY_SIGNING_KEY_ID: ready.seed.signingKey.id,
          TENANTRY_SIGNING_SECRET: ready.seed.signingKey.secret,
          HOST_ORG_ID: host.organization.id,
          HOST_ORG_NAME: host.organization.name,
          HOST_USER_ID: host.user.id,
          HOST_USER_EMAIL: host.user.email,
        },
      });
      started.server = server;
      try {
        await waitForHttp(`${url}/`, { timeoutMs: 60_000, process: server });
      } catch (error) {
        return { ok: false, details: `${(error as Error).message}\n${tail(server.output())}` };
      }
      return { ok: true, details: url };
    });
    if (!serving) {
      for (const name of PAGE_CHECKS) await step(`browser: ${name}`, async () => ({ ok: false }));
      return;
    }
    const ready = (await seeded)!;
    const results = await browserTurn(async () => {
      const b = await getBrowser();
      if (!b) return null;
      return checkPage({
        browser: b,
        url,
        tenantry: ready.tenantry,
        host,
        newValue: `Acme ${app.name} ${Date.now().toString(36)}`,
        screenshot: join(artifacts, `${app.name}.png`),
      });
    });
    for (const name of PAGE_CHECKS) {
      const result = results?.find((r) => r.name === name);
      const label = `${app.name}: browser: ${name}`;
      if (result?.ok) report.pass(label, result.details);
      else {
        const output = started.server?.output().trim();
        const serverLog = output ? `\n--- the app's server said:\n${tail(output, 20)}` : "";
        report.fail(label, result ? `${result.details}${serverLog}` : "not run: no Chromium");
      }
    }
  } finally {
    await started.server?.stop();
  }
}

function npm(dir: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return run("npm", args, { cwd: dir, env: customerEnv, timeoutMs });
}

/**
 * Copies the template outside the repository and installs it with plain npm: its @tenantry/*
 * dependencies become `file:` tarballs, and `overrides` send every @tenantry/* package anywhere in
 * the tree to its tarball. No --legacy-peer-deps; the npm cache is reused (--prefer-offline). After
 * installing, package-lock.json must show every @tenantry/* package resolved from a tarball.
 */
async function install(app: AppSpec, dir: string, tarballs: Record<string, string>) {
  const manifest = JSON.parse(readFileSync(join(templatesDir, app.name, "package.json"), "utf8")) as Record<
    string,
    unknown
  >;
  const fields = ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"] as const;
  const wanted = fields.flatMap((field) =>
    Object.keys((manifest[field] as Record<string, string> | undefined) ?? {}).filter((n) =>
      n.startsWith("@tenantry/"),
    ),
  );
  const missing = wanted.filter((name) => !tarballs[name]);
  if (missing.length > 0) {
    // Never let npm look for them on the registry instead.
    return { ok: false, details: `no tarball for ${missing.join(", ")} (see the pack and build lines)` };
  }
  cpSync(join(templatesDir, app.name), dir, {
    recursive: true,
    filter: (source) => !/[\\/](node_modules|dist|dist-server|\.next)$/.test(source),
  });
  for (const field of fields) {
    const deps = manifest[field] as Record<string, string> | undefined;
    for (const name of Object.keys(deps ?? {}))
      if (name.startsWith("@tenantry/")) deps![name] = `file:${tarballs[name]}`;
  }
  manifest.overrides = Object.fromEntries(
    Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`]),
  );
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);

  const result = await npm(
    dir,
    ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=warn"],
    600_000,
  );
  if (!result.ok) return { ok: false, details: tail(result.output, 60) };
  const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8")) as {
    packages: Record<string, { version?: string; resolved?: string }>;
  };
  const ours = Object.entries(lock.packages).filter(([path]) => /node_modules\/@tenantry\/[^/]+$/.test(path));
  const fromRegistry = ours.filter(([, entry]) => !entry.resolved?.startsWith("file:"));
  if (fromRegistry.length > 0) {
    return {
      ok: false,
      details: `not from a tarball: ${fromRegistry.map(([path, entry]) => `${path} ${entry.resolved ?? "(no resolved)"}`).join(", ")}`,
    };
  }
  const warnings = result.output
    .split("\n")
    .filter((line) => /npm (warn|WARN)/.test(line))
    .slice(0, 10);
  return {
    ok: true,
    details: [
      ours
        .map(
          ([path, entry]) => `${path.replace(/^.*node_modules\//, "")}@${entry.version} ← ${entry.resolved}`,
        )
        .join("\n"),
      ...warnings,
    ].join("\n"),
  };
}

try {
  await Promise.all(apps.map((app) => checkApp(app)));
  await packed.catch((error: unknown) =>
    report.fail("build and pack", (error as Error).stack ?? String(error)),
  );
} finally {
  const b = await chromium.launched;
  await b?.close().catch(() => {});
  const t = await tenantryUp.catch(() => null);
  await t?.stop();
  stopAll();
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
console.log(`screenshots: ${existsSync(artifacts) ? artifacts : "(none)"}`);
console.log(`timings: ${timings.join(", ")}`);
console.log(`total ${seconds(Date.now() - started)}`);
process.exit(report.finish());
