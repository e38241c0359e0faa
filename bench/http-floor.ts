import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import postgres from "postgres";

/**
 * The floor of `pnpm bench http`: plain `node:http` and postgres.js doing the database work of the
 * reads and the usage record and nothing else (no authentication, no validation, no logging). Started
 * as its own process by http.bench.ts; prints its port on stdout.
 *
 * GET  /tenants/{id}          one primary-key query on tenants
 * GET  /tenants/{id}/members  the member list page's query (members, users, direct role keys)
 * POST /tenants/{id}/usage    one upsert on one row (the hot counter)
 */
const workspaceId = process.env.FLOOR_WORKSPACE_ID!;
const sql = postgres(process.env.DATABASE_URL!, { max: 10, onnotice: () => {} });

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of req) text += chunk;
  return text;
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const parts = (req.url ?? "/").split("?")[0]!.split("/");
  // ["", "tenants", id, rest?]
  if (parts[1] !== "tenants" || !parts[2]) return sendJson(res, 404, { code: "not_found" });
  const tenantId = parts[2];
  if (req.method === "GET" && parts.length === 3) {
    const [row] = await sql`select * from tenants where workspace_id = ${workspaceId} and id = ${tenantId}`;
    return row ? sendJson(res, 200, row) : sendJson(res, 404, { code: "not_found" });
  }
  if (req.method === "GET" && parts[3] === "members") {
    const rows = await sql`
      select m.*, row_to_json(u) as user,
        (select array_agg(r.key) from role_bindings b
          join roles r on r.workspace_id = b.workspace_id and r.id = b.role_id
          where b.workspace_id = m.workspace_id and b.tenant_id = m.tenant_id
            and b.subject_type = 'user' and b.subject_id = m.user_id) as role_keys
      from memberships m
      join users u on u.workspace_id = m.workspace_id and u.id = m.user_id
      where m.workspace_id = ${workspaceId} and m.tenant_id = ${tenantId}
      order by m.id desc limit 21`;
    return sendJson(res, 200, { items: rows.slice(0, 20), nextCursor: rows.length > 20 ? "more" : null });
  }
  if (req.method === "POST" && parts[3] === "usage") {
    const { amount } = JSON.parse(await readBody(req)) as { amount: number };
    const [row] = await sql`
      insert into floor_usage (tenant_id, total) values (${tenantId}, ${amount})
      on conflict (tenant_id) do update set total = floor_usage.total + excluded.total
      returning total`;
    return sendJson(res, 200, { total: Number(row!.total) });
  }
  return sendJson(res, 404, { code: "not_found" });
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    process.stderr.write(`floor: ${(error as Error).message}\n`);
    if (!res.headersSent) sendJson(res, 500, { code: "internal_error" });
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => {
  server.close();
  void sql.end({ timeout: 1 }).then(() => process.exit(0));
});
