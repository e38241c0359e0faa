/** A plain HTML API reference rendered from the OpenAPI document: no scripts, no inline styles. */

type Schema = Record<string, unknown>;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function inlineCode(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, "<code>$1</code>");
}

function renderSchema(schema: unknown): string {
  return `<pre class="schema">${escapeHtml(JSON.stringify(schema, null, 2))}</pre>`;
}

export function renderReferencePage(document: Schema, stylesheetHref: string): string {
  const info = document.info as { title: string; version: string; description: string };
  const paths = document.paths as Record<string, Record<string, Schema>>;
  const sections: string[] = [];
  const toc: string[] = [];
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const anchor = String(op.operationId).replace(/[^a-zA-Z0-9]+/g, "-");
      toc.push(
        `<li><a href="#${anchor}"><span class="method ${method}">${method.toUpperCase()}</span> ${escapeHtml(path)}</a></li>`,
      );
      const parameters = (op.parameters as Schema[]) ?? [];
      const rows = parameters
        .map(
          (p) =>
            `<tr><td><code>${escapeHtml(String(p.name))}</code></td><td>${escapeHtml(String(p.in))}</td><td>${p.required ? "yes" : "no"}</td><td>${inlineCode(String(p.description ?? (p.schema as Schema)?.description ?? ""))}</td></tr>`,
        )
        .join("");
      const body = (op.requestBody as { content: Record<string, { schema: unknown }> } | undefined)?.content[
        "application/json"
      ]?.schema;
      const responses = Object.entries(op.responses as Record<string, Schema>)
        .filter(([status]) => Number(status) < 300)
        .map(([status, r]) => {
          const schema = (r.content as Record<string, { schema: unknown }> | undefined)?.["application/json"]
            ?.schema;
          return `<h4>Response ${status}</h4>${schema ? renderSchema(schema) : "<p>No body.</p>"}`;
        })
        .join("");
      const errorStatuses = Object.keys(op.responses as Record<string, Schema>).filter(
        (status) => Number(status) >= 400,
      );
      sections.push(`<section id="${anchor}">
  <h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>
  <p>${inlineCode(String(op.summary))}</p>
  <p class="callers">${inlineCode(String(op.description ?? ""))}</p>
  ${rows ? `<table><thead><tr><th>Parameter</th><th>In</th><th>Required</th><th>About</th></tr></thead><tbody>${rows}</tbody></table>` : ""}
  ${body ? `<h4>Request body</h4>${renderSchema(body)}` : ""}
  ${responses}
  ${errorStatuses.length ? `<p class="errors">Errors: ${errorStatuses.join(", ")}</p>` : ""}
</section>`);
    }
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(info.title)} reference</title>
<link rel="stylesheet" href="${escapeHtml(stylesheetHref)}">
</head>
<body>
<header><h1>${escapeHtml(info.title)} <small>${escapeHtml(info.version)}</small></h1>
<p>${inlineCode(info.description)} Machine-readable: <a href="openapi.json">openapi.json</a>.</p>
<p>Errors are JSON: <code>{ "code", "message", "issues"?: [{ "path", "message" }], "requestId" }</code> (a few codes add documented members) with the matching HTTP status; every code is listed in the <code>Error</code> schema of openapi.json.</p></header>
<nav aria-label="Operations"><ul>${toc.join("")}</ul></nav>
<main>${sections.join("\n")}</main>
</body>
</html>`;
}

export const REFERENCE_STYLESHEET = `
:root { color-scheme: light dark; --fg: #1b1f24; --muted: #57606a; --bg: #fff; --line: #d0d7de; --code: #f6f8fa; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9da7b3; --bg: #0d1117; --line: #30363d; --code: #161b22; } }
body { font: 15px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 0 auto; max-width: 980px; padding: 24px; }
h1 small { color: var(--muted); font-weight: 400; font-size: 0.6em; }
nav ul { columns: 2; padding: 0; list-style: none; }
nav a { color: inherit; text-decoration: none; } nav a:hover { text-decoration: underline; }
section { border-top: 1px solid var(--line); padding: 8px 0 16px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
pre.schema { background: var(--code); padding: 12px; border-radius: 6px; overflow: auto; max-height: 320px; }
table { border-collapse: collapse; width: 100%; } td, th { border: 1px solid var(--line); padding: 4px 8px; text-align: left; }
.method { display: inline-block; min-width: 56px; font-size: 12px; font-weight: 700; border-radius: 4px; padding: 1px 6px; color: #fff; text-align: center; }
.get { background: #0969da; } .post { background: #1a7f37; } .patch { background: #9a6700; } .put { background: #8250df; } .delete { background: #cf222e; }
.callers { color: var(--muted); }
`;
