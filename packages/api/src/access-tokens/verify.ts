import type { AccessTokenActor } from "../actor";
import type { Context } from "../context";

/** Verifies a widget's access token. (Signing keys and verification land with the tokens domain.) */
export async function verifyAccessToken(_ctx: Context, _token: string): Promise<AccessTokenActor | null> {
  return null;
}
