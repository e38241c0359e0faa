import type { DatabaseHandle } from "@tenantry/db/database";
import { createTestDatabase } from "@tenantry/db/test-database";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootstrapDefaultWorkspace } from "../workspaces/bootstrap";
import { createOperator } from "./service";
import { checkOperatorCredentials, type VerifyPassword } from "./sign-in";

/** Sign-in finds operators by the members' email normalization (NFKC, then lower case). */
let handle: DatabaseHandle;
let workspaceId: string;
beforeAll(async () => {
  handle = await createTestDatabase();
  ({ workspaceId } = await bootstrapDefaultWorkspace(handle.db, {}));
});
afterAll(() => handle.close());

// The server checks argon2id hashes; here a "hash" is the password with a prefix, which is enough
// to tell the right password from a wrong one.
const verify: VerifyPassword = async (hash, password) => hash === `hash:${password}`;
const now = new Date();

describe("an operator's email at sign-in", () => {
  it("is found however it is cased, spaced or written in full-width letters", async () => {
    const operator = await createOperator(handle.db, {
      workspaceId,
      email: "Ada.Ops@Host.Example",
      name: "Ada",
      passwordHash: "hash:right",
    });
    expect(operator.email).toBe("ada.ops@host.example");
    for (const typed of [
      "ada.ops@host.example",
      "  ADA.OPS@HOST.EXAMPLE ",
      "ａｄａ.ｏｐｓ@ｈｏｓｔ.ｅｘａｍｐｌｅ",
    ]) {
      const check = await checkOperatorCredentials(handle.db, typed, "right", verify, now);
      expect(check, typed).toMatchObject({ result: "valid", operator: { id: operator.id } });
    }
    expect(await checkOperatorCredentials(handle.db, "ada.ops@host.example", "wrong", verify, now)).toEqual({
      result: "invalid",
    });
  });

  it("is one account per workspace, whichever way it is written", async () => {
    await createOperator(handle.db, {
      workspaceId,
      email: "bob@host.example",
      name: "Bob",
      passwordHash: "x",
    });
    await expect(
      createOperator(handle.db, {
        workspaceId,
        email: "ＢＯＢ@host.example",
        name: "Bob",
        passwordHash: "x",
      }),
    ).rejects.toMatchObject({ cause: { appCode: "email_taken" } });
  });
});
