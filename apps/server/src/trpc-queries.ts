import type { IncomingMessage, ServerResponse } from "node:http";
import type { AnyTRPCProcedure, AnyTRPCRouter } from "@trpc/server";
// tRPC's own building blocks for its wire format, the ones its fetch adapter uses (pinned version).
import {
  getErrorShape,
  getHTTPStatusCode,
  getTRPCErrorFromUnknown,
  isAsyncIterable,
  isObject,
  isPromise,
  TRPCError,
  transformTRPCResponse,
} from "@trpc/server/unstable-core-do-not-import";

export interface TrpcQueryOptions<TContext> {
  router: AnyTRPCRouter;
  /** What comes before the procedure path, e.g. `/trpc/`. */
  basePath: string;
  createContext: (req: IncomingMessage) => TContext;
  onError: (opts: { error: TRPCError; path: string | undefined; req: IncomingMessage }) => void;
}

type WireAnswer = { result: { data: unknown } } | { error: unknown };

/** Like tRPC's own check: a result it would have to stream, which a plain JSON answer cannot carry. */
function isDataStream(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (isAsyncIterable(value)) return true;
  return Object.values(value).some(isPromise) || Object.values(value).some(isAsyncIterable);
}

/**
 * The lean path for what widgets and hosts send most: `GET /trpc/a.b,c.d?batch=1&input=…` (or one
 * query without `batch`), answered as tRPC's standalone adapter answers it — same body, status
 * (200, an error's status, 207 for a mixed batch), `content-type` and `vary` — without turning the
 * Node request into a Fetch `Request` and the answer back. Anything else — a mutation, a streamed
 * batch (`trpc-accept: application/jsonl`), an unknown procedure, an input that is not JSON, a body
 * type other than JSON, connection params — returns `false` and goes to the adapter, which stays
 * the reference. `trpc-queries.test.ts` compares both answer for answer.
 */
export function createTrpcQueryHandler<TContext>(options: TrpcQueryOptions<TContext>) {
  const { router, basePath } = options;
  const config = router._def._config;
  const procedures = router._def.procedures as Record<string, AnyTRPCProcedure>;
  const deserialize = config.transformer.input.deserialize;

  const procedureAt = (path: string): AnyTRPCProcedure | null => {
    if (!Object.hasOwn(procedures, path)) return null;
    const procedure = procedures[path];
    return typeof procedure === "function" && procedure._def?.type === "query" ? procedure : null;
  };

  /** Parses the request the adapter's way; null when it is one the adapter should answer. */
  function parse(req: IncomingMessage, url: URL) {
    if (req.method !== "GET") return null;
    const headers = req.headers;
    if (headers["trpc-accept"] !== undefined) return null;
    const accept = headers.accept;
    if (accept?.includes("application/jsonl")) return null;
    const contentType = headers["content-type"];
    if (contentType !== undefined && !contentType.startsWith("application/json")) return null;
    const search = url.searchParams;
    if (search.has("connectionParams")) return null;
    let path: string;
    try {
      path = decodeURIComponent(url.pathname.slice(basePath.length));
    } catch {
      return null;
    }
    const isBatch = search.get("batch") === "1";
    const paths = isBatch ? path.split(",") : [path];
    const calls: { path: string; procedure: AnyTRPCProcedure }[] = [];
    for (const each of paths) {
      const procedure = procedureAt(each);
      if (!procedure) return null;
      calls.push({ path: each, procedure });
    }
    let raw: unknown;
    const text = search.get("input");
    if (text) {
      try {
        raw = JSON.parse(text);
      } catch {
        return null;
      }
    }
    const inputs: unknown[] = [];
    if (raw !== undefined) {
      if (!isBatch) inputs[0] = deserialize(raw);
      else {
        if (!isObject(raw)) return null;
        for (let index = 0; index < calls.length; index++) {
          const input = raw[index];
          if (input !== undefined) inputs[index] = deserialize(input);
        }
      }
    }
    return { isBatch, calls, inputs };
  }

  return async function handleTrpcQuery(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<boolean> {
    const info = parse(req, url);
    if (!info) return false;
    let ctx: TContext | undefined;
    let ctxError: TRPCError | undefined;
    try {
      ctx = options.createContext(req);
    } catch (cause) {
      ctxError = getTRPCErrorFromUnknown(cause);
    }

    const results = await Promise.all(
      info.calls.map(async ({ path, procedure }, index): Promise<[TRPCError | undefined, unknown]> => {
        try {
          if (ctxError) throw ctxError;
          const data = await procedure({
            path,
            getRawInput: async () => info.inputs[index],
            ctx,
            type: "query",
            signal: undefined,
            batchIndex: index,
          });
          return [undefined, data];
        } catch (cause) {
          const error = getTRPCErrorFromUnknown(cause);
          options.onError({ error, path, req });
          return [error, undefined];
        }
      }),
    );

    const shape = (error: TRPCError, path: string | undefined, index: number | null) =>
      getErrorShape({
        config,
        ctx,
        error,
        input: index === null ? undefined : info.inputs[index],
        path,
        type: "query",
      });

    let json: WireAnswer | WireAnswer[];
    if (!info.isBatch) {
      const [error, data] = results[0]!;
      if (!error && isDataStream(data)) {
        // As the adapter: refused as a whole, outside any one call.
        const refused = new TRPCError({
          code: "UNSUPPORTED_MEDIA_TYPE",
          message: "Cannot use stream-like response in non-streaming request - use httpBatchStreamLink",
        });
        options.onError({ error: refused, path: undefined, req });
        json = { error: shape(refused, undefined, null) };
      } else {
        json = error ? { error: shape(error, info.calls[0]!.path, 0) } : { result: { data } };
      }
    } else {
      json = results.map(([error, data], index) => {
        const path = info.calls[index]!.path;
        if (error) return { error: shape(error, path, index) };
        if (isDataStream(data)) {
          const refused = new TRPCError({
            code: "UNSUPPORTED_MEDIA_TYPE",
            message: "Cannot use stream-like response in non-streaming request - use httpBatchStreamLink",
          });
          return { error: shape(refused, path, index) };
        }
        return { result: { data } };
      });
    }
    let status: number;
    let body: string;
    try {
      status = getHTTPStatusCode(
        (Array.isArray(json) ? json : [json]) as Parameters<typeof getHTTPStatusCode>[0],
      );
      body = JSON.stringify(
        transformTRPCResponse(config, json as Parameters<typeof transformTRPCResponse>[1]),
      );
    } catch (cause) {
      // What cannot be written as JSON (a BigInt, a cycle) fails the whole answer, as in the adapter.
      const error = getTRPCErrorFromUnknown(cause);
      options.onError({ error, path: undefined, req });
      const failed = { error: shape(error, undefined, null) };
      status = getHTTPStatusCode(failed as Parameters<typeof getHTTPStatusCode>[0]);
      body = JSON.stringify(
        transformTRPCResponse(config, failed as Parameters<typeof transformTRPCResponse>[1]),
      );
    }
    if (res.statusCode === 200) res.statusCode = status;
    res.setHeader("vary", "trpc-accept, accept");
    res.setHeader("content-type", "application/json");
    res.end(body);
    return true;
  };
}
