import type { CallbackResult } from "@tenantry/api/server-runtime";

/**
 * The page the provider sends the browser back to. Under a strict CSP (no inline script), the result
 * travels as inert JSON and `/oauth/callback.js` acts on it: in a popup it posts the result to the
 * exact origin that started the flow (never `*`) and closes; in a full-page flow it returns the
 * browser to `returnTo` with the outcome in the query.
 */
export const CALLBACK_PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Every answer that is the callback's page: the strict CSP, never cached, no referrer. */
export const CALLBACK_PAGE_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "content-security-policy": CALLBACK_PAGE_CSP,
  "cache-control": "no-store",
  "content-type": "text/html; charset=utf-8",
};

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON inside a script element: `<` escaped so no string can close the element. */
const inertJson = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c");

export function renderCallbackPage(result: CallbackResult): string {
  const heading = result.status === "connected" ? "Connected" : "Could not connect";
  const detail =
    result.status === "connected"
      ? "You can close this window and return to the app."
      : (result.error?.message ?? "Something went wrong.");
  const payload = {
    type: "tenantry:oauth-result",
    connectionId: result.connectionId,
    status: result.status,
    ...(result.error ? { error: result.error } : {}),
    origin: result.origin,
    returnTo: result.returnTo,
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${heading} · Tenantry</title>
<link rel="stylesheet" href="/oauth/callback.css">
</head>
<body>
<main>
<h1>${heading}</h1>
<p role="status">${escapeHtml(detail)}</p>
<button type="button" id="close">Close window</button>
</main>
<script type="application/json" id="tenantry-oauth-result">${inertJson(payload)}</script>
<script src="/oauth/callback.js"></script>
</body>
</html>`;
}

export const CALLBACK_SCRIPT = `(function () {
  var element = document.getElementById("tenantry-oauth-result");
  var result = JSON.parse(element.textContent);
  var message = { type: result.type, connectionId: result.connectionId, status: result.status };
  if (result.error) message.error = result.error;
  document.getElementById("close").addEventListener("click", function () { window.close(); });
  if (window.opener && result.origin) {
    try { window.opener.postMessage(message, result.origin); } catch (e) { /* the opener went away */ }
    window.close();
    return;
  }
  if (result.returnTo) {
    var back = new URL(result.returnTo);
    back.searchParams.set("tenantry_connection", result.connectionId || "");
    back.searchParams.set("tenantry_status", result.status);
    if (result.error) back.searchParams.set("tenantry_error", result.error.code);
    window.location.replace(back.toString());
  }
})();
`;

export const CALLBACK_STYLES = `:root { color-scheme: light dark; font: 16px/1.5 system-ui, sans-serif; }
body { margin: 0; display: grid; place-items: center; min-height: 100vh; }
main { max-width: 28rem; padding: 2rem; text-align: center; }
h1 { font-size: 1.4rem; margin: 0 0 .5rem; }
button { font: inherit; padding: .45rem 1rem; border-radius: .4rem; border: 1px solid currentColor; background: transparent; color: inherit; cursor: pointer; }
`;
