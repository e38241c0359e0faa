import type { IncomingMessage, ServerResponse } from "node:http";
import {
  bindingCookieHeader,
  bindingCookieName,
  type CallbackResult,
  type OAuthBrowserContext,
  startAuthorization,
} from "@tenantry/api/server-runtime";
import type { Logger } from "pino";
import { CALLBACK_PAGE_HEADERS, renderCallbackPage } from "./oauth-callback";

/** The binding cookie's value from a request, if it carries one (the callback and the start read it). */
export function bindingCookieOf(req: IncomingMessage, publicUrl: string): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== "string") return undefined;
  const name = bindingCookieName(publicUrl);
  for (const part of header.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}

/** The callback's page, for an outcome that ends the flow here (the start refused it). */
export function sendCallbackPage(res: ServerResponse, result: CallbackResult): void {
  res.writeHead(result.httpStatus, CALLBACK_PAGE_HEADERS);
  res.end(renderCallbackPage(result));
}

/**
 * `GET /oauth/start?flow=…`, the `authorizationUrl` Tenantry hands out: the popup (or the whole tab)
 * comes here first, at the top level, so the cookie set here is first-party on Tenantry's origin
 * whatever the host page's third-party cookie rules. The first browser binds the attempt to its
 * cookie and is sent on to the provider; any other browser gets the error page (400 `invalid_state`).
 */
export async function handleOAuthStart(
  req: IncomingMessage,
  res: ServerResponse,
  context: OAuthBrowserContext & { logger: Logger },
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  // A page may not bind an attempt to a visitor's browser behind their back (an image, a fetch, a
  // frame): only a navigation of a whole window counts. Browsers that do not say are let through.
  const destination = req.headers["sec-fetch-dest"];
  if (destination !== undefined && destination !== "document") {
    res.writeHead(400, { ...CALLBACK_PAGE_HEADERS, "content-type": "text/plain; charset=utf-8" });
    return void res.end("Open this address in a window.");
  }
  const outcome = await startAuthorization(context, {
    flow: url.searchParams.get("flow") ?? undefined,
    binding: bindingCookieOf(req, context.publicUrl),
  });
  if (outcome.kind === "error") {
    context.logger.warn(
      {
        requestId: context.requestId,
        code: outcome.result.error?.code,
        connectionId: outcome.result.connectionId,
      },
      "OAuth start refused",
    );
    return sendCallbackPage(res, outcome.result);
  }
  res.writeHead(302, {
    location: outcome.location,
    "set-cookie": bindingCookieHeader(context.publicUrl, outcome.nonce),
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
  });
  res.end();
}
