/**
 * Type tests, compiled by `npm run typecheck` and never bundled (nothing imports this file). Each
 * `@ts-expect-error` names the error it stands for; the customer-apps check also compiles this file
 * without the directives and expects exactly those errors on exactly those lines.
 */
import { createTenantryClient, TenantryClientError } from "@tenantry/client";
import { useMe } from "@tenantry/widgets";

export function TenantName() {
  const me = useMe();
  const name: string | undefined = me.data?.tenant.name;
  // @ts-expect-error TS2339 a misspelt property of the hook's data
  const misspelt = me.data?.tenant.nmae;
  // @ts-expect-error TS2322 the tenant's name is a string, not a number
  const wrongType: number | undefined = me.data?.tenant.name;
  return (
    <p>
      {name} {String(misspelt)} {String(wrongType)}
    </p>
  );
}

export async function tenantName(id: string): Promise<string> {
  const client = createTenantryClient({ baseUrl: "https://tenantry.example.com", apiKey: "tnt_sk_example" });
  const name: string = (await client.tenants.get.query({ id })).name;
  // @ts-expect-error TS2339 a procedure the router does not have
  await client.tenants.nope.query();
  // @ts-expect-error TS2322 the output is typed: a name is no number
  const wrongType: number = (await client.tenants.get.query({ id })).name;
  try {
    await client.tenants.get.query({ id });
  } catch (error) {
    if (error instanceof TenantryClientError) {
      const code: string | undefined = error.code; // undefined when no answer came (network)
      const status: number = error.status;
      if (error.code === "not_found") return `${code} ${status} ${wrongType}`;
      // @ts-expect-error TS2367 codes are a closed set: a misspelt one never matches
      if (error.code === "not_fuond") return "never";
    }
  }
  return name;
}
