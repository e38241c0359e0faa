import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { signAccessToken } from "@tenantry/client";
import { withDatabase } from "@tenantry/db/test-database";
import { appSettingsFor, type ProviderProcess, startProviderProcess } from "@tenantry/oauth-provider/process";
import postgres from "postgres";
import { oauthBrowser } from "./oauth-browser";
import { apiCaller, type ServerRun, startServerProcess } from "./server-process";

/**
 * Sustained mixed traffic on two real server processes sharing one PostgreSQL database (issue 18):
 * tenant reads and updates, keyed usage records, access-token checks and connection credential
 * reads whose OAuth tokens expire and refresh during the run — at the knee of the throughput curve.
 * Reports each window's rate, error count and latency, each process's memory and the database's
 * connections, then drains one process with SIGTERM under load and checks the invariants.
 * `pnpm bench soak` runs it for ten minutes; `soak.process.test.ts` for about one.
 */

type Server = ServerRun & { url: string };

export interface SoakOptions {
  /** PostgreSQL server URL; a fresh database is created there and dropped after. */
  serverUrl: string;
  seconds: number;
  /** Callers in flight; unset: found by a short ramp (the knee of the throughput curve). */
  concurrency?: number;
  /** Report windows over the run. */
  windows?: number;
  log?: (line: string) => void;
}

export interface SoakWindow {
  second: number;
  requests: number;
  perSecond: number;
  errors: number;
  p50: number;
  p99: number;
  rssMb: [number, number];
  dbConnections: number;
}

export interface DrainResult {
  /** Answered requests sent to the draining process after SIGTERM. */
  answered: number;
  /** Refused before the server accepted them (its listener had closed). */
  refused: number;
  /** Connections reset or closed under a request the process had accepted. */
  reset: number;
  exitCode: number | null;
}

export interface SoakReport {
  concurrency: number;
  ramp: { concurrency: number; perSecond: number }[];
  windows: SoakWindow[];
  requests: number;
  errors: number;
  errorSamples: string[];
  refreshGrants: number;
  drain: DrainResult;
  invariants: { usageExact: boolean; countersEqualBuckets: boolean; everyTenantOwned: boolean };
}

const KEY = `tnt_sk_${"s".repeat(40)}`;
const ENCRYPTION_KEY = Buffer.alloc(32, 5).toString("base64");
const TENANTS = 40;
const CONNECTIONS = 8;
const TOKENS = 40;

interface Target {
  tenants: { id: string; internalId: string }[];
  connections: string[];
  tokens: string[];
}

/** What one request did: its time, and how it failed if it did. */
type Outcome = { ms: number; failure?: string; network?: "refused" | "reset" };

async function request(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  bearer = KEY,
): Promise<{ status: number; text: string }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, text: await response.text() };
}

const must = <T>(url: string, method: string, path: string, body?: unknown): Promise<T> =>
  apiCaller(url, KEY).api<T>(method, path, body);

function networkKind(error: unknown): "refused" | "reset" {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code === "ECONNREFUSED" ? "refused" : "reset";
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function rssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Math.round(Number(match[1]) / 1024) : 0;
  } catch {
    return 0; // not Linux, or the process has gone
  }
}

/** The traffic: each caller picks an operation by weight. Usage records are tallied to check exactness. */
class Mix {
  readonly recorded = new Map<string, number>();
  private sequence = 0;
  constructor(private readonly target: Target) {}

  async one(url: string, fallback?: string): Promise<Outcome> {
    const roll = Math.random();
    const { tenants, connections, tokens } = this.target;
    const tenant = tenants[Math.floor(Math.random() * tenants.length)]!;
    const started = performance.now();
    try {
      let answer: { status: number; text: string };
      if (roll < 0.35) answer = await request(url, "GET", `/api/v1/tenants/${tenant.id}`);
      else if (roll < 0.45) {
        answer = await request(url, "PATCH", `/api/v1/tenants/${tenant.id}`, {
          name: `Soak ${this.sequence++}`,
        });
      } else if (roll < 0.65) return await this.record(url, tenant.id, started, fallback);
      else if (roll < 0.85) {
        const token = tokens[Math.floor(Math.random() * tokens.length)]!;
        answer = await request(url, "GET", "/api/v1/me", undefined, token);
      } else {
        const id = connections[Math.floor(Math.random() * connections.length)]!;
        answer = await request(url, "GET", `/api/v1/connections/${id}/credentials`);
      }
      const ms = performance.now() - started;
      return answer.status < 300 ? { ms } : { ms, failure: `${answer.status} ${answer.text.slice(0, 200)}` };
    } catch (error) {
      return { ms: performance.now() - started, failure: String(error), network: networkKind(error) };
    }
  }

  /** A keyed usage record, retried with its key (on `fallback` when given) until answered, as a client would. */
  private async record(url: string, tenantId: string, started: number, fallback?: string): Promise<Outcome> {
    const body = {
      metric: "api_calls",
      amount: 1 + (this.sequence % 3),
      idempotencyKey: randomBytes(9).toString("hex"),
    };
    this.sequence++;
    let first: Outcome | undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const answer = await request(
          attempt === 0 ? url : (fallback ?? url),
          "POST",
          `/api/v1/tenants/${tenantId}/usage`,
          body,
        );
        if (answer.status < 300) {
          this.recorded.set(tenantId, (this.recorded.get(tenantId) ?? 0) + body.amount);
          return first ?? { ms: performance.now() - started };
        }
        return { ms: performance.now() - started, failure: `${answer.status} ${answer.text.slice(0, 200)}` };
      } catch (error) {
        first ??= { ms: performance.now() - started, failure: String(error), network: networkKind(error) };
      }
    }
    throw new Error(`a usage record was never answered: ${JSON.stringify(body)}`);
  }
}

async function seed(server: Server, provider: ProviderProcess): Promise<Target> {
  const url = server.url;
  await must(url, "PUT", "/usage-metrics/api_calls", { key: "api_calls", defaultLimit: null });
  const tenants: Target["tenants"] = [];
  for (let i = 0; i < TENANTS; i++) {
    const internalId = `soak-${i}`;
    const tenant = await must<{ id: string }>(url, "POST", "/tenants", {
      name: `Soak ${i}`,
      internalId,
      owner: { email: `owner-${i}@soak.example` },
    });
    tenants.push({ id: tenant.id, internalId });
  }
  // Each token's user is an active member of its tenant, as a host's signed-in users are.
  for (let i = 0; i < TOKENS; i++) {
    await must(url, "POST", `/tenants/${tenants[i % TENANTS]!.id}/memberships`, {
      email: `user-${i}@soak.example`,
      externalId: `user-${i}`,
      status: "active",
      roles: ["member"],
    });
  }
  const signingKey = await must<{ id: string; secret: string }>(url, "POST", "/signing-keys", {
    algorithm: "HS256",
  });
  const tokens = await Promise.all(
    Array.from({ length: TOKENS }, (_, i) =>
      signAccessToken({
        signingKey,
        tenant: { id: tenants[i % TENANTS]!.internalId },
        user: { id: `user-${i}`, email: `user-${i}@soak.example` },
        expiresIn: "2h",
      }),
    ),
  );
  await must(url, "POST", "/apps", {
    key: "loopback",
    name: "Loopback",
    authType: "oauth2",
    oauth2: appSettingsFor(provider, ["read"]),
  });
  // Tokens that expire during the run, so reads and the refresher both refresh them.
  await provider.configure({ accessTokenTtlSeconds: 20 });
  const connections: string[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const created = await must<{ id: string; authorizationUrl: string }>(
      url,
      "POST",
      `/tenants/${tenants[i]!.id}/connections`,
      { appKey: "loopback" },
    );
    const browser = oauthBrowser(url);
    const callback = await browser.visit(await browser.callbackUrl(created.authorizationUrl));
    if (callback.status !== 200) throw new Error(`connecting failed: ${callback.status}`);
    connections.push(created.id);
  }
  return { tenants, connections, tokens };
}

/**
 * Runs `concurrency` callers until `until()` is false. Caller i goes to server i mod n while
 * `inRotation(i mod n)` says so, as a load balancer would send it, and to another server otherwise.
 */
async function drive(
  servers: Server[],
  mix: Mix,
  concurrency: number,
  until: () => boolean,
  onOutcome: (outcome: Outcome, server: number) => void,
  inRotation: (server: number) => boolean = () => true,
): Promise<void> {
  await Promise.all(
    Array.from({ length: concurrency }, async (_, caller) => {
      while (until()) {
        const home = caller % servers.length;
        const index = inRotation(home) ? home : (home + 1) % servers.length;
        const other = servers[(index + 1) % servers.length]!.url;
        onOutcome(await mix.one(servers[index]!.url, other), index);
      }
    }),
  );
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => {});
  const name = `tenantry_soak_${randomBytes(5).toString("hex")}`;
  const admin = postgres(options.serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const databaseUrl = withDatabase(options.serverUrl, name);
  const provider = await startProviderProcess({ autoApprove: true });
  const servers: Server[] = [];
  try {
    const env = {
      DATABASE_URL: databaseUrl,
      TENANTRY_BOOTSTRAP_API_KEY: KEY,
      TENANTRY_ENCRYPTION_KEY: ENCRYPTION_KEY,
      TENANTRY_REFRESH_INTERVAL_SECONDS: "5",
      TENANTRY_SHUTDOWN_GRACE_SECONDS: "2",
      NODE_ENV: "production",
    };
    servers.push(...(await Promise.all([startServerProcess(env), startServerProcess(env)])));
    const target = await seed(servers[0]!, provider);
    const mix = new Mix(target);
    const errorSamples: string[] = [];
    const noteFailure = (outcome: Outcome) => {
      if (outcome.failure && errorSamples.length < 10) errorSamples.push(outcome.failure);
    };

    // The knee: the fewest callers whose rate is within 10 % of the best seen in a short ramp.
    const ramp: SoakReport["ramp"] = [];
    let concurrency = options.concurrency;
    if (!concurrency) {
      for (const callers of [2, 4, 8, 16, 32]) {
        let count = 0;
        const end = performance.now() + 3000;
        await drive(
          servers,
          mix,
          callers,
          () => performance.now() < end,
          (outcome) => {
            count++;
            noteFailure(outcome);
          },
        );
        ramp.push({ concurrency: callers, perSecond: Math.round(count / 3) });
        log(`ramp: ${callers} callers, ${Math.round(count / 3)} req/s`);
      }
      const best = Math.max(...ramp.map((step) => step.perSecond));
      concurrency = ramp.find((step) => step.perSecond >= best * 0.9)!.concurrency;
    }

    const windowCount = options.windows ?? 10;
    const windowMs = (options.seconds * 1000) / windowCount;
    const windows: SoakWindow[] = [];
    const started = performance.now();
    const end = started + options.seconds * 1000;
    let times: number[] = [];
    let errors = 0;
    let requests = 0;
    let totalErrors = 0;
    let windowStart = started;
    const closeWindow = async () => {
      const now = performance.now();
      // Take this window's samples first: callers keep adding to the next window meanwhile.
      const sorted = times.sort((a, b) => a - b);
      const windowErrors = errors;
      const since = windowStart;
      times = [];
      errors = 0;
      windowStart = now;
      const [rssA, rssB] = [rssMb(servers[0]!.child.pid), rssMb(servers[1]!.child.pid)];
      const connections =
        await admin`select count(*)::int as n from pg_stat_activity where datname = ${name}`;
      windows.push({
        second: Math.round((now - started) / 1000),
        requests: sorted.length,
        perSecond: Math.round((sorted.length / (now - since)) * 1000),
        errors: windowErrors,
        p50: Number(percentile(sorted, 50).toFixed(2)),
        p99: Number(percentile(sorted, 99).toFixed(2)),
        rssMb: [rssA, rssB],
        dbConnections: connections[0]!.n as number,
      });
      const w = windows.at(-1)!;
      log(
        `${w.second}s: ${w.perSecond} req/s, ${w.errors} errors, p50 ${w.p50} ms, p99 ${w.p99} ms, ` +
          `rss ${w.rssMb.join("/")} MB, ${w.dbConnections} db connections`,
      );
    };
    const sampler = (async () => {
      while (performance.now() < end) {
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(windowMs, Math.max(0, end - performance.now()))),
        );
        await closeWindow();
      }
    })();
    await drive(
      servers,
      mix,
      concurrency,
      () => performance.now() < end,
      (outcome) => {
        requests++;
        times.push(outcome.ms);
        if (outcome.failure) {
          errors++;
          totalErrors++;
          noteFailure(outcome);
        }
      },
    );
    await sampler;

    // Drain: SIGTERM one process under load. The callers route like a load balancer that polls
    // /healthz every 250 ms: what reaches the draining process before it is taken out of rotation
    // must be answered, never reset.
    const drain: DrainResult = { answered: 0, refused: 0, reset: 0, exitCode: null };
    let draining = false;
    let inRotation = true;
    const drainEnd = performance.now() + 6000;
    const healthCheck = (async () => {
      while (inRotation && performance.now() < drainEnd) {
        const health = await fetch(`${servers[0]!.url}/healthz`).catch(() => null);
        if (health?.status !== 200) inRotation = false;
        else await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    const draining$ = drive(
      servers,
      mix,
      concurrency,
      () => performance.now() < drainEnd,
      (outcome, index) => {
        if (index !== 0 || !draining) return;
        if (outcome.network === "refused") drain.refused++;
        else if (outcome.network === "reset") drain.reset++;
        else {
          drain.answered++;
          if (outcome.failure) {
            totalErrors++;
            noteFailure(outcome);
          }
        }
      },
      (server) => server !== 0 || inRotation,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    draining = true;
    servers[0]!.child.kill("SIGTERM");
    await Promise.all([draining$, healthCheck]);
    drain.exitCode = await servers[0]!.exited;

    const refreshGrants = (await provider.stats()).refreshGrants;
    const invariants = await checkInvariants(servers[1]!, databaseUrl, target, mix);
    return {
      concurrency,
      ramp,
      windows,
      requests,
      errors: totalErrors,
      errorSamples,
      refreshGrants,
      drain,
      invariants,
    };
  } finally {
    for (const server of servers) {
      if (server.child.exitCode === null) {
        server.child.kill("SIGTERM");
        await server.exited;
      }
    }
    await provider.stop();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end({ timeout: 5 });
  }
}

async function checkInvariants(
  server: Server,
  databaseUrl: string,
  target: Target,
  mix: Mix,
): Promise<SoakReport["invariants"]> {
  let usageExact = true;
  let everyTenantOwned = true;
  for (const tenant of target.tenants) {
    const usage = await must<{ used: number }>(server.url, "GET", `/tenants/${tenant.id}/usage/api_calls`);
    if (usage.used !== (mix.recorded.get(tenant.id) ?? 0)) usageExact = false;
    const members = await must<{ items: { roles: string[] }[] }>(
      server.url,
      "GET",
      `/tenants/${tenant.id}/memberships?status=active`,
    );
    if (!members.items.some((member) => member.roles.includes("owner"))) everyTenantOwned = false;
  }
  const db = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const drift = await db`
      select c.tenant_id from usage_counters c
      where c.total <> (
        select coalesce(sum(b.amount), 0) from usage_buckets b
        where b.workspace_id = c.workspace_id and b.tenant_id = c.tenant_id
          and b.metric = c.metric and b.hour >= c.window_start
      )`;
    return { usageExact, countersEqualBuckets: drift.length === 0, everyTenantOwned };
  } finally {
    await db.end({ timeout: 5 });
  }
}
