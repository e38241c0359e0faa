import type { z } from "zod";

/**
 * One procedure of the API as its callers see it: query or mutation, the input it accepts and the
 * output it answers. The server's router is built from these (its `.input()`/`.output()` are these
 * very schemas), and the published router type is derived from them alone, so a host's types never
 * reach the server's code.
 */
export interface ProcedureContract<
  TType extends "query" | "mutation" = "query" | "mutation",
  TInput extends z.ZodType | undefined = z.ZodType | undefined,
  TOutput extends z.ZodType = z.ZodType,
> {
  type: TType;
  input: TInput;
  output: TOutput;
}

export function query<TOutput extends z.ZodType, TInput extends z.ZodType | undefined = undefined>(def: {
  input?: TInput;
  output: TOutput;
}): ProcedureContract<"query", TInput, TOutput> {
  return { type: "query", input: def.input as TInput, output: def.output };
}

export function mutation<TOutput extends z.ZodType, TInput extends z.ZodType | undefined = undefined>(def: {
  input?: TInput;
  output: TOutput;
}): ProcedureContract<"mutation", TInput, TOutput> {
  return { type: "mutation", input: def.input as TInput, output: def.output };
}
