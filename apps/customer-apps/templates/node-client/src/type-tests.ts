/**
 * Type tests, compiled by `npm run typecheck` (never called). Each `@ts-expect-error` names the
 * error it stands for; the customer-apps check also compiles this file without the directives and
 * expects exactly those errors on exactly those lines.
 */
import { createTenantryClient, signAccessToken, TenantryClientError } from "@tenantry/client";

export async function typedCalls(id: string): Promise<string> {
  const client = createTenantryClient({ baseUrl: "https://tenantry.example.com", apiKey: "tnt_sk_example" });
  const name: string = (await client.tenants.get.query({ id })).name;
  // @ts-expect-error TS2339 a misspelt property of a procedure's output
  const misspelt = (await client.tenants.get.query({ id })).nmae;
  // @ts-expect-error TS2339 a procedure the router does not have
  await client.tenants.nope.query();
  // @ts-expect-error TS2322 the output is typed: a name is no number
  const wrongType: number = (await client.tenants.get.query({ id })).name;
  const token: string = await signAccessToken({
    signingKey: { id: "sk_example", secret: "the-secret-exactly-as-shown" },
    tenant: { id: "acme-42", name: "Acme Corp", fields: { region: "eu" } },
    user: { id: "user-ada", email: "ada@acme.example", firstName: "Ada", lastName: "Lovelace" },
    scope: "fields:read",
    expiresIn: 900,
  });
  try {
    await client.tenants.create.mutate({ name: "Acme Corp" });
  } catch (error) {
    if (error instanceof TenantryClientError) {
      const code: string | undefined = error.code; // undefined when no answer came (network)
      const status: number = error.status;
      if (error.code === "slug_taken") return `${code} ${status}`;
      // @ts-expect-error TS2367 codes are a closed set: a misspelt one never matches
      if (error.code === "slug_tkaen") return "never";
    }
  }
  return `${name} ${String(misspelt)} ${wrongType} ${token}`;
}
