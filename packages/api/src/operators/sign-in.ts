import type { Executor } from "@tenantry/db/database";
import { sha256Hex } from "../shared/crypto";
import { findOperatorsForSignIn, type SignInCandidate } from "./service";
import { constantTimeEqual } from "./sessions";

/**
 * Checks a password with the server's argon2id (this package stays free of native code). Called
 * with null when there is no hash to check, and must then take as long as a real check, so an
 * unknown email or a pending reset cannot be told from a wrong password by timing.
 */
export type VerifyPassword = (passwordHash: string | null, password: string) => Promise<boolean>;

/**
 * What an email and password prove. `change_password`: a reset's temporary password, good only for
 * choosing a new one. `disabled`: the right password of a disabled operator (said only to whoever
 * knows it, so it reveals nothing to a guesser).
 */
export type CredentialCheck =
  | { result: "invalid" }
  | { result: "valid" | "change_password" | "disabled"; operator: SignInCandidate };

/** `(db, …)` with the time passed in: sign-in is how an operator gets to be an actor. */
export async function checkOperatorCredentials(
  db: Executor,
  email: string,
  password: string,
  verifyPassword: VerifyPassword,
  now: Date,
): Promise<CredentialCheck> {
  const candidates = await findOperatorsForSignIn(db, email);
  if (candidates.length === 0) await verifyPassword(null, password);
  // Enabled operators come first: the same email and password in two workspaces signs in to the
  // enabled one.
  for (const operator of candidates) {
    let temporary = false;
    let matches: boolean;
    if (operator.passwordHash) matches = await verifyPassword(operator.passwordHash, password);
    else {
      await verifyPassword(null, password);
      temporary = await isTemporaryPassword(operator, password, now);
      matches = temporary;
    }
    if (!matches) continue;
    if (operator.status === "disabled") return { result: "disabled", operator };
    return { result: temporary ? "change_password" : "valid", operator };
  }
  return { result: "invalid" };
}

async function isTemporaryPassword(operator: SignInCandidate, password: string, now: Date) {
  if (!operator.temporaryPasswordHash || !operator.temporaryPasswordExpiresAt) return false;
  if (operator.temporaryPasswordExpiresAt.getTime() <= now.getTime()) return false;
  return constantTimeEqual(await sha256Hex(password), operator.temporaryPasswordHash);
}
