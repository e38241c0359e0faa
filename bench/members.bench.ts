import { createCaller, createContext } from "@tenantry/api";
import { bootstrapDefaultWorkspace, createApiKey, randomKeyring } from "@tenantry/api/server-runtime";
import { authenticateAccessToken } from "@tenantry/api/testing";
import { PERMISSIONS } from "@tenantry/contracts/permissions";
import { newId } from "@tenantry/db/ids";
import { memberships, roleBindings, roles, users } from "@tenantry/db/schema/members";
import { sql } from "drizzle-orm";
import { SignJWT } from "jose";
import { benchDatabase, benchDrivers, type Measurement, measure, report, startBenchServer } from "./lib";

/**
 * Issue 4's targets: authz.check and the per-request membership check of a member token, with
 * 10,000 members in one tenant and 100 roles: p99 under 1 ms in process, under 3 ms over HTTP.
 */
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10_000);
const ROLES = 100;
const BATCH = 1_000;

for (const driver of benchDrivers()) {
  const handle = await benchDatabase(driver);
  const keyring = await randomKeyring();
  const { workspaceId } = await bootstrapDefaultWorkspace(handle.db);
  const { key } = await createApiKey(handle.db, { workspaceId, name: "bench" });
  const api = createCaller(
    createContext({ db: handle.db, keyring, header: (n) => (n === "x-api-key" ? key : undefined) }),
  );
  const tenant = await api.tenants.create({
    name: "Big tenant",
    internalId: "big",
    owner: { email: "owner@example.com", externalId: "host-owner" },
  });

  const seedStarted = performance.now();
  const roleIds: string[] = [];
  for (let r = 0; r < ROLES; r++) {
    const id = newId("role");
    roleIds.push(id);
    await handle.db.insert(roles).values({
      workspaceId,
      id,
      key: `role-${r}`,
      name: `Role ${r}`,
      permissions: PERMISSIONS.filter((_, i) => (i + r) % 3 === 0),
    });
  }
  const userIds: string[] = [];
  for (let start = 0; start < MEMBERS; start += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, MEMBERS - start) }, (_, j) => {
      const n = start + j;
      return { id: newId("user"), n };
    });
    await handle.db.insert(users).values(
      batch.map((u) => ({
        workspaceId,
        id: u.id,
        email: `member-${u.n}@example.com`,
        emailNormalized: `member-${u.n}@example.com`,
        firstName: `Member ${u.n}`,
        externalId: `host-${u.n}`,
      })),
    );
    await handle.db.insert(memberships).values(
      batch.map((u) => ({
        workspaceId,
        id: newId("mbr"),
        tenantId: tenant.id,
        userId: u.id,
        status: u.n % 50 === 0 ? ("suspended" as const) : ("active" as const),
        type: "member" as const,
        joinedAt: new Date(),
      })),
    );
    await handle.db.insert(roleBindings).values(
      batch.flatMap((u) =>
        [roleIds[u.n % ROLES]!, roleIds[(u.n * 7) % ROLES]!]
          .filter((id, i, all) => all.indexOf(id) === i)
          .map((roleId) => ({
            workspaceId,
            id: newId("rb"),
            tenantId: tenant.id,
            roleId,
            subjectType: "user" as const,
            subjectId: u.id,
          })),
      ),
    );
    userIds.push(...batch.map((u) => u.id));
  }

  // Fresh statistics, as autovacuum would have them after a bulk load (plans depend on them).
  await handle.db.execute(sql`analyze`);
  console.log(
    `${driver}: seeded ${MEMBERS} members in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
  );
  const signing = await api.signingKeys.create({ algorithm: "HS256" });
  const secret = new TextEncoder().encode(signing.secret!);
  const tokens = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      new SignJWT({ user: { id: `host-${(i * 50 + 1) % MEMBERS}` } })
        .setProtectedHeader({ alg: "HS256", kid: signing.id })
        .setSubject("big")
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(secret),
    ),
  );
  const ctx = createContext({ db: handle.db, keyring, header: () => undefined });
  const permission = (i: number) => PERMISSIONS[i % PERMISSIONS.length]!;
  const user = (i: number) => userIds[(i * 7919) % userIds.length]!;

  const cache = handle.invalidation.cache!;
  const cold =
    <T>(fn: (i: number) => Promise<T>) =>
    (i: number) => {
      cache.invalidate("*");
      return fn(i);
    };
  // Warm: 100 members asked about over and over (the warm-up fills the cache); cold: every call
  // after emptying the cache, so the key, the member's roles and the token's rows are all read.
  const check = (i: number) =>
    api.roles.check({ tenantId: tenant.id, userId: user(i % 100), permission: permission(i) });
  const memberToken = (i: number) => authenticateAccessToken(ctx, tokens[i % tokens.length]!);
  const rows: Measurement[] = [];
  rows.push(await measure(`${driver}: authz.check, cache warm`, check));
  rows.push(
    await measure(`${driver}: authz.check, cold (cache emptied before each call)`, (i) =>
      cold(check)(i * 7 + 1),
    ),
  );
  rows.push(
    await measure(
      `${driver}: member token → actor (verify, tenant, membership, permissions), cache warm`,
      memberToken,
    ),
  );
  rows.push(await measure(`${driver}: member token → actor, cold`, cold(memberToken)));

  const server = await startBenchServer(handle.db, keyring);
  const base = server.base;
  rows.push(
    await measure(`${driver}: HTTP POST /authz/check`, async (i) => {
      const response = await fetch(`${base}/authz/check`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ tenantId: tenant.id, userId: user(i), permission: permission(i) }),
      });
      if (response.status !== 200) throw new Error(`authz/check: ${response.status}`);
      return response.arrayBuffer();
    }),
  );
  rows.push(
    await measure(`${driver}: HTTP GET /tenants/{id}/fields with a member token`, async (i) => {
      const response = await fetch(`${base}/tenants/${tenant.id}/fields`, {
        headers: { authorization: `Bearer ${tokens[i % tokens.length]}` },
      });
      if (response.status !== 200 && response.status !== 403) throw new Error(`fields: ${response.status}`);
      return response.arrayBuffer();
    }),
  );
  await server.close();
  report(`Members: ${MEMBERS.toLocaleString("en")} in one tenant, ${ROLES} roles (${driver})`, rows);
  await handle.close();
}
