import { createMembershipInput } from "@tenantry/contracts/members";
import { createTenantInput } from "@tenantry/contracts/tenants";
import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeError } from "./errors";
import { installPlainErrorMessages } from "./zod-messages";

installPlainErrorMessages();

/** What a client sees for `input` refused by `schema`: tRPC wraps zod's error as the cause. */
function answerFor(schema: z.ZodType, input: unknown) {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error("the input was accepted");
  return describeError(new TRPCError({ code: "BAD_REQUEST", cause: parsed.error }));
}

const TENANT_ID = "tenant_0190a5b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b";

describe("input problems in plain words", () => {
  it("a missing value is required, and the message names it", () => {
    const { status, body } = answerFor(createTenantInput, {});
    expect(status).toBe(400);
    expect(body).toEqual({
      code: "invalid_input",
      message: "name is required",
      issues: [{ path: "name", message: "is required" }],
    });
  });

  it("a value of the wrong type says which type it must be", () => {
    expect(answerFor(createTenantInput, { name: 42 }).body).toMatchObject({
      message: "name must be a string",
      issues: [{ path: "name", message: "must be a string" }],
    });
    expect(answerFor(createTenantInput, { name: "A", maxUsers: "5" }).body.issues).toEqual([
      { path: "maxUsers", message: "must be a number" },
    ]);
  });

  it("an enum failure names the allowed values", () => {
    const { body } = answerFor(createMembershipInput, {
      tenantId: TENANT_ID,
      email: "ada@example.com",
      type: "boss",
    });
    expect(body.message).toBe(
      "type must be one of owner, admin, member, contractor, service_operator, readonly_auditor",
    );
  });

  it("too long, too short and out of range say the bound", () => {
    expect(answerFor(createTenantInput, { name: "x".repeat(201) }).body.issues).toEqual([
      { path: "name", message: "must be at most 200 characters" },
    ]);
    expect(answerFor(createTenantInput, { name: "" }).body.issues).toEqual([
      { path: "name", message: "must not be empty" },
    ]);
    expect(
      answerFor(z.object({ tags: z.array(z.string()).max(1) }), { tags: ["a", "b"] }).body.issues,
    ).toEqual([{ path: "tags", message: "must have at most 1 item" }]);
    expect(answerFor(z.object({ days: z.number().int().min(1) }), { days: 0 }).body.message).toBe(
      "days must be at least 1",
    );
    expect(answerFor(z.object({ days: z.number().int() }), { days: 1.5 }).body.message).toBe(
      "days must be a whole number",
    );
  });

  it("a malformed email, URL or date says what it must be", () => {
    expect(answerFor(createTenantInput, { name: "A", billingEmail: "not-an-email" }).body.issues).toEqual([
      { path: "billingEmail", message: "must be a valid email address" },
    ]);
    expect(answerFor(z.object({ logo: z.url() }), { logo: "nope" }).body.message).toBe(
      "logo must be a valid URL",
    );
    expect(answerFor(z.object({ at: z.iso.datetime() }), { at: "yesterday" }).body.message).toBe(
      "at must be a date and time (e.g. 2026-01-31T12:00:00Z)",
    );
  });

  it("names each unknown key at its own path", () => {
    const { body } = answerFor(createTenantInput, {
      name: "A",
      colour: "red",
      owner: { email: "a@b.co", x: 1 },
    });
    expect(body.issues).toEqual(
      expect.arrayContaining([
        { path: "colour", message: "is not a known field" },
        { path: "owner.x", message: "is not a known field" },
      ]),
    );
    expect(body.message).toMatch(/^(colour|owner\.x) is not a known field \(and 1 more problem\)$/);
  });

  it("counts the further problems in the summary, and a problem at the root reads as a sentence", () => {
    expect(answerFor(createTenantInput, { name: 1, kind: "huge", mfa: "maybe" }).body.message).toBe(
      "name must be a string (and 2 more problems)",
    );
    expect(answerFor(z.object({ a: z.string() }), "text").body).toMatchObject({
      message: "Must be an object",
      issues: [{ path: "", message: "must be an object" }],
    });
  });

  it("keeps a schema's own message", () => {
    expect(answerFor(createMembershipInput, { tenantId: TENANT_ID }).body.issues).toEqual([
      { path: "email", message: "give either email or userId" },
    ]);
  });
});
