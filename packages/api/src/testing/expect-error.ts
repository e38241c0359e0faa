import { TRPCError } from "@trpc/server";
import { describeError } from "../shared/errors";

/** Awaits a call that must fail, and answers the status and body a client would see. */
export async function failure(
  call: Promise<unknown>,
): Promise<{ status: number; code: string; message: string }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    const { status, body } = describeError(error);
    return { status, code: body.code, message: body.message };
  }
  throw new Error("expected the call to fail, but it succeeded");
}
