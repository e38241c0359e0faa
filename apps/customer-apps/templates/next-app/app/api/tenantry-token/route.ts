import { signAccessToken } from "@tenantry/client";

function setting(name: string, fallback?: string): string {
  const value = process.env[name] || fallback;
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/**
 * Signs a short-lived Tenantry access token for the signed-in user and their organization (the
 * tenant), with the workspace's signing key, which never reaches the browser. A real host reads the
 * user from its session and answers 401 without one.
 */
export async function POST(): Promise<Response> {
  const token = await signAccessToken({
    signingKey: { id: setting("TENANTRY_SIGNING_KEY_ID"), secret: setting("TENANTRY_SIGNING_SECRET") },
    tenant: { id: setting("HOST_ORG_ID", "acme-42"), name: setting("HOST_ORG_NAME", "Acme Corp") },
    user: {
      id: setting("HOST_USER_ID", "user-ada"),
      email: setting("HOST_USER_EMAIL", "ada@acme.example"),
      firstName: "Ada",
      lastName: "Lovelace",
    },
    expiresIn: "15m",
  });
  return Response.json({ token }, { headers: { "cache-control": "no-store" } });
}
