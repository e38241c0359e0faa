/** What `/` shows until the console is served there. */
export function landingPage(version: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tenantry</title><link rel="stylesheet" href="/api/v1/reference.css"></head>
<body>
<header><h1>Tenantry <small>${version}</small></h1></header>
<main>
<p>Tenantry is running. The API is at <code>/api/v1</code> (REST) and <code>/trpc</code> (tRPC).</p>
<ul>
<li><a href="/api/v1/reference">API reference</a></li>
<li><a href="/api/v1/openapi.json">OpenAPI document</a></li>
<li><a href="/healthz">Health</a></li>
</ul>
</main>
</body>
</html>`;
}
