/** One answer the test server gave: what was asked and with which status it answered. */
export interface ObservedResponse {
  method: string;
  /** The request's path, without the query. */
  path: string;
  status: number;
}

type Operations = Record<string, { responses?: Record<string, unknown> }>;

/**
 * The REST answers whose status the OpenAPI document does not list for the operation that gave
 * them, as `GET /api/v1/tenants/{id} → 503`. Answers outside `/api/v1`, and those no operation
 * gave (no route: 404; a route without this method: 405), are not an operation's to document.
 */
export function undocumentedStatuses(
  document: { paths: Record<string, Operations> },
  observed: readonly ObservedResponse[],
): string[] {
  const templates = Object.keys(document.paths).map((template) => ({
    template,
    segments: template.split("/").filter(Boolean),
  }));
  const problems = new Set<string>();
  for (const { method, path, status } of observed) {
    if (!path.startsWith("/api/v1/") || status < 400) continue;
    const parts = path.slice("/api/v1".length).split("/").filter(Boolean);
    // The most literal matching template, as the REST handler picks its route.
    const matches = templates
      .filter(({ segments }) => segments.length === parts.length)
      .filter(({ segments }) =>
        segments.every((segment, i) => segment.startsWith("{") || segment === parts[i]),
      )
      .filter(({ template }) => document.paths[template]![method.toLowerCase()])
      .sort((a, b) => params(a.segments) - params(b.segments));
    const match = matches[0];
    if (!match) continue;
    const responses = document.paths[match.template]![method.toLowerCase()]!.responses ?? {};
    if (!(String(status) in responses)) problems.add(`${method} /api/v1${match.template} → ${status}`);
  }
  return [...problems].sort();
}

function params(segments: string[]): number {
  return segments.filter((segment) => segment.startsWith("{")).length;
}
