import { getTRPCErrorFromUnknown } from "@trpc/server/unstable-core-do-not-import";
import { describe, expect, it } from "vitest";
import { databaseInputError, errorForLog, violatedUniqueConstraint } from "./db-errors";
import { describeError, notFound } from "./errors";

const MARKER = "marker-7f3a9c";

/** What drizzle throws over postgres.js: the driver error (snake_case fields) as the cause. */
function postgresJsError(fields: Record<string, unknown>, message: string) {
  const cause = Object.assign(new Error(message), {
    severity: "ERROR",
    routine: "ri_ReportViolation",
    ...fields,
  });
  cause.name = "PostgresError";
  return drizzleWrapped(cause);
}

/** What drizzle throws over PGlite: the driver error (camelCase fields) as the cause. */
function pgliteError(fields: Record<string, unknown>, message: string) {
  const cause = Object.assign(new Error(message), { severity: "ERROR", ...fields });
  cause.name = "DatabaseError";
  return drizzleWrapped(cause);
}

class DrizzleQueryError extends Error {
  constructor(
    readonly query: string,
    readonly params: unknown[],
    override readonly cause: Error,
  ) {
    super(`Failed query: ${query}\nparams: ${params}`);
  }
}

const drizzleWrapped = (cause: Error) =>
  new DrizzleQueryError(
    'insert into "groups" ("name") values ($1)',
    [`${MARKER}\n    at fake (frame.ts:1:1)`],
    cause,
  );

describe("databaseInputError", () => {
  it("maps a missing parent to 404 naming its kind, on both drivers", () => {
    const viaPostgres = postgresJsError(
      {
        code: "23503",
        constraint_name: "groups_workspace_id_tenant_id_tenants_workspace_id_id_fk",
        table_name: "groups",
        detail: `Key (workspace_id, tenant_id)=(ws, ${MARKER}) is not present in table "tenants".`,
      },
      'insert or update on table "groups" violates foreign key constraint "groups_workspace_id_tenant_id_tenants_workspace_id_id_fk"',
    );
    const viaPglite = pgliteError(
      {
        code: "23503",
        constraint: "memberships_workspace_id_user_id_users_workspace_id_id_fk",
        table: "memberships",
      },
      "insert or update on table …",
    );
    for (const [error, kind] of [
      [viaPostgres, "Tenant"],
      [viaPglite, "User"],
    ] as const) {
      const mapped = databaseInputError(getTRPCErrorFromUnknown(error));
      expect(mapped && describeError(mapped)).toEqual({
        status: 404,
        body: { code: "not_found", message: `${kind} not found` },
      });
    }
  });

  it("finds the parent of a name PostgreSQL cut to 63 bytes, and falls back to the detail", () => {
    const cut = "element_instances_workspace_id_template_id_element_templates_workspace_id_id_fk".slice(
      0,
      63,
    );
    const mapped = databaseInputError(pgliteError({ code: "23503", constraint: cut }, "insert or update …"));
    expect(mapped?.message).toBe("Element template not found");
    const unknown = databaseInputError(
      pgliteError(
        { code: "23503", constraint: "some_fk", detail: 'Key (x)=(y) is not present in table "widgets".' },
        "…",
      ),
    );
    expect(unknown?.message).toBe("Widget not found");
  });

  it("maps a parent still referenced (a delete) to 409, and unstorable characters to 400", () => {
    const referenced = databaseInputError(
      postgresJsError(
        {
          code: "23503",
          constraint_name: "connections_workspace_id_app_id_apps_workspace_id_id_fk",
          table_name: "connections",
        },
        'update or delete on table "apps" violates foreign key constraint "…" on table "connections"',
      ),
    );
    expect(referenced && describeError(referenced).status).toBe(409);
    expect(referenced?.message).toBe("The app is still in use by a connection");
    const nul = databaseInputError(
      pgliteError({ code: "22021" }, 'invalid byte sequence for encoding "UTF8": 0x00'),
    );
    expect(nul && describeError(nul).body.code).toBe("invalid_input");
  });

  it("leaves other errors alone: other codes, chosen app errors, and look-alike Node codes", () => {
    expect(databaseInputError(pgliteError({ code: "23505", constraint: "x" }, "duplicate"))).toBeNull();
    expect(databaseInputError(notFound("Tenant", "t"))).toBeNull();
    expect(databaseInputError(Object.assign(new Error("pipe"), { code: "EPIPE" }))).toBeNull();
    expect(databaseInputError(new Error("boom"))).toBeNull();
  });

  it("still names unique constraints for the services", () => {
    expect(
      violatedUniqueConstraint(pgliteError({ code: "23505", constraint: "apps_key_unique" }, "dup")),
    ).toBe("apps_key_unique");
    expect(
      violatedUniqueConstraint(postgresJsError({ code: "23505", constraint_name: "x_unique" }, "dup")),
    ).toBe("x_unique");
    expect(violatedUniqueConstraint(pgliteError({ code: "23503" }, "fk"))).toBeNull();
  });
});

describe("errorForLog", () => {
  it("keeps the SQL shape, code and constraint of a database error, never its values", () => {
    const error = getTRPCErrorFromUnknown(
      postgresJsError(
        {
          code: "23514",
          constraint_name: "tenants_name_check",
          table_name: "tenants",
          detail: `Failing row contains (${MARKER}).`,
          where: `JSON data, line 1: ${MARKER}`,
        },
        `new row for relation "tenants" violates check constraint "tenants_name_check": "${MARKER}"`,
      ),
    );
    const logged = errorForLog(error) as Record<string, unknown>;
    const text = JSON.stringify(logged);
    expect(text).not.toContain(MARKER);
    expect(text).not.toContain("params");
    expect(logged).toMatchObject({
      type: "TRPCError",
      message:
        'database error 23514: new row for relation "tenants" violates check constraint "tenants_name_check"',
      code: "INTERNAL_SERVER_ERROR",
      cause: {
        type: "DrizzleQueryError",
        message: "Failed query (parameters not logged)",
        query: 'insert into "groups" ("name") values ($1)',
        cause: {
          type: "DatabaseError",
          code: "23514",
          constraint: "tenants_name_check",
          table: "tenants",
          routine: "ri_ReportViolation",
        },
      },
    });
    expect(String((logged.cause as Record<string, unknown>).stack)).toMatch(/^\s+at /);
  });

  it("masks values PostgreSQL quotes in its message", () => {
    const logged = errorForLog(
      pgliteError({ code: "22003", table: "t" }, `value "${MARKER}" is out of range for type integer`),
    );
    expect(JSON.stringify(logged)).not.toContain(MARKER);
    expect(JSON.stringify(logged)).toContain('value \\"…\\" is out of range');
  });

  it("passes through what is not an error, and keeps ordinary errors readable", () => {
    expect(errorForLog({ already: "plain" })).toEqual({ already: "plain" });
    const logged = errorForLog(new TypeError("x is not a function")) as Record<string, unknown>;
    expect(logged).toMatchObject({ type: "TypeError", message: "x is not a function" });
    expect(logged.stack).toMatch(/^\s+at /);
  });
});
