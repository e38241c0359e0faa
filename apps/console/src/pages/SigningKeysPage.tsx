import { createColumnHelper } from "@tanstack/react-table";
import { useMemo, useState } from "react";
import { useForm } from "react-hook-form";
import { issuesOf, type Outputs, trpc } from "../api";
import { DataTable, type features } from "../components/DataTable";
import {
  Badge,
  Banner,
  ConfirmDialog,
  EmptyState,
  ErrorState,
  formatDateTime,
  Loading,
  PageHeader,
  ShownOnce,
} from "../components/ui";
import { usePrefs } from "../prefs";

type SigningKey = Outputs["signingKeys"]["list"]["items"][number];
type IssuerClaims = NonNullable<SigningKey["claims"]>;

/** The server's default claim paths (DEFAULT_ISSUER_CLAIMS), shown as placeholders. */
const DEFAULT_ISSUER_CLAIMS: IssuerClaims = {
  tenant: "org_id",
  userId: "sub",
  email: "email",
  firstName: "given_name",
  lastName: "family_name",
  tenantName: "org_name",
  permissions: "permissions",
};
const columns = createColumnHelper<typeof features, SigningKey>();

interface NewKey {
  /** `jwks`: the host's identity provider, trusted through its JWKS URL. */
  algorithm: "HS256" | "ES256" | "EdDSA" | "RS256" | "jwks";
  name: string;
  jwk: string;
  issuer: string;
  jwksUrl: string;
  audience: string;
  claims: IssuerClaims;
}

const CLAIM_FIELDS = Object.keys(DEFAULT_ISSUER_CLAIMS) as (keyof IssuerClaims)[];
const NO_CLAIMS = Object.fromEntries(CLAIM_FIELDS.map((claim) => [claim, ""])) as IssuerClaims;

/**
 * Settings → Token signing keys: an HS256 secret (shown once), a host's public JWK, or the host's
 * identity provider (issuer, JWKS URL, audience, claims mapping); revoke.
 */
export function SigningKeysPage() {
  const { t, language } = usePrefs();
  const list = trpc.signingKeys.list.useQuery();
  const create = trpc.signingKeys.create.useMutation();
  const revoke = trpc.signingKeys.revoke.useMutation();
  const utils = trpc.useUtils();
  const [secret, setSecret] = useState<{ id: string; secret: string } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<SigningKey | null>(null);
  const form = useForm<NewKey>({
    defaultValues: {
      algorithm: "HS256",
      name: "",
      jwk: "",
      issuer: "",
      jwksUrl: "",
      audience: "",
      claims: NO_CLAIMS,
    },
  });
  const algorithm = form.watch("algorithm");

  const tableColumns = useMemo(
    () =>
      columns.columns([
        columns.accessor("id", {
          header: () => t("signing.col.kid"),
          cell: ({ getValue }) => <code>{getValue()}</code>,
        }),
        columns.accessor("name", { header: () => t("keys.col.name") }),
        columns.accessor("algorithm", {
          header: () => t("signing.algorithm"),
          cell: ({ row, getValue }) =>
            row.original.type === "jwks" ? (
              <>
                <Badge>{t("signing.jwksBadge")}</Badge> <code>{row.original.issuer}</code>
              </>
            ) : (
              <Badge>{getValue()}</Badge>
            ),
        }),
        columns.accessor("createdAt", {
          header: () => t("tenants.col.created"),
          cell: ({ getValue }) => formatDateTime(getValue(), language),
        }),
        columns.display({
          id: "actions",
          header: () => <span className="visually-hidden">{t("col.actions")}</span>,
          cell: ({ row }) =>
            row.original.revokedAt ? (
              <Badge>{t("keys.revoked")}</Badge>
            ) : (
              <button
                type="button"
                className="button button-small button-danger"
                onClick={() => setRevoking(row.original)}
              >
                {t("keys.revokeNamed", { name: row.original.name })}
              </button>
            ),
        }),
      ]),
    [t, language],
  );

  return (
    <>
      <PageHeader title={t("nav.signingKeys")} description={t("signing.description")} />
      <form
        className="card"
        noValidate
        onSubmit={form.handleSubmit(async (values) => {
          setProblem(null);
          try {
            let answer: Outputs["signingKeys"]["create"];
            const name = values.name.trim() || undefined;
            if (values.algorithm === "HS256") answer = await create.mutateAsync({ algorithm: "HS256", name });
            else if (values.algorithm === "jwks") {
              // Empty claim fields keep the defaults shown as their placeholders.
              const claims = Object.fromEntries(
                CLAIM_FIELDS.map((claim) => [claim, values.claims[claim].trim()]).filter(([, path]) => path),
              );
              answer = await create.mutateAsync({
                type: "jwks",
                name,
                issuer: values.issuer.trim(),
                jwksUrl: values.jwksUrl.trim(),
                audience: values.audience.trim(),
                claims,
              });
            } else {
              let publicJwk: Record<string, unknown>;
              try {
                publicJwk = JSON.parse(values.jwk);
              } catch {
                setProblem(t("signing.badJwk"));
                return;
              }
              answer = await create.mutateAsync({ algorithm: values.algorithm, name, publicJwk });
            }
            setSecret(answer.secret ? { id: answer.id, secret: answer.secret } : null);
            form.reset();
            await utils.signingKeys.list.invalidate();
          } catch (error) {
            setProblem(issuesOf(error)[0]?.message ?? (error as Error).message);
          }
        })}
      >
        <h2 className="card-title">{t("signing.create")}</h2>
        {problem && <Banner tone="error">{problem}</Banner>}
        <div className="grid-2">
          <div className="field">
            <label htmlFor="signing-algorithm">{t("signing.algorithm")}</label>
            <select id="signing-algorithm" {...form.register("algorithm")}>
              <option value="HS256">{t("signing.hs256")}</option>
              <option value="ES256">{t("signing.publicJwk", { alg: "ES256" })}</option>
              <option value="EdDSA">{t("signing.publicJwk", { alg: "EdDSA" })}</option>
              <option value="RS256">{t("signing.publicJwk", { alg: "RS256" })}</option>
              <option value="jwks">{t("signing.jwks")}</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="signing-name">{t("keys.name")}</label>
            <input id="signing-name" {...form.register("name")} />
          </div>
          {algorithm === "jwks" && (
            <>
              <p className="muted field-wide">{t("signing.jwksHint")}</p>
              <div className="field">
                <label htmlFor="signing-issuer">{t("signing.issuer")}</label>
                <input
                  id="signing-issuer"
                  placeholder="https://login.example.com/"
                  {...form.register("issuer", { required: true })}
                />
              </div>
              <div className="field">
                <label htmlFor="signing-audience">{t("signing.audience")}</label>
                <input id="signing-audience" {...form.register("audience", { required: true })} />
              </div>
              <div className="field field-wide">
                <label htmlFor="signing-jwks-url">{t("signing.jwksUrl")}</label>
                <input
                  id="signing-jwks-url"
                  type="url"
                  placeholder="https://login.example.com/.well-known/jwks.json"
                  {...form.register("jwksUrl", { required: true })}
                />
              </div>
              <fieldset className="field-wide">
                <legend>{t("signing.claims")}</legend>
                <p className="muted">{t("signing.claimsHint")}</p>
                <div className="grid-2">
                  {CLAIM_FIELDS.map((claim) => (
                    <div className="field" key={claim}>
                      <label htmlFor={`signing-claim-${claim}`}>{t(`signing.claim.${claim}`)}</label>
                      <input
                        id={`signing-claim-${claim}`}
                        className="mono"
                        placeholder={DEFAULT_ISSUER_CLAIMS[claim]}
                        {...form.register(`claims.${claim}`)}
                      />
                    </div>
                  ))}
                </div>
              </fieldset>
            </>
          )}
          {algorithm !== "HS256" && algorithm !== "jwks" && (
            <div className="field field-wide">
              <label htmlFor="signing-jwk">{t("signing.jwk")}</label>
              <textarea
                id="signing-jwk"
                rows={5}
                className="mono"
                {...form.register("jwk", { required: true })}
              />
            </div>
          )}
        </div>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            {t("signing.createButton")}
          </button>
        </div>
      </form>
      {secret && (
        <>
          <ShownOnce label={t("signing.secretOf", { id: secret.id })} value={secret.secret} />
          <p className="muted">{t("signing.secretHint", { id: secret.id })}</p>
        </>
      )}
      {list.isPending && <Loading rows={3} />}
      {list.isError && <ErrorState error={list.error} onRetry={() => list.refetch()} />}
      {list.data && list.data.items.length === 0 && <EmptyState title={t("signing.empty")} />}
      {list.data && list.data.items.length > 0 && (
        <DataTable
          caption={t("nav.signingKeys")}
          rows={list.data.items}
          columns={tableColumns}
          rowId={(key) => key.id}
        />
      )}
      <ConfirmDialog
        open={revoking !== null}
        title={t("keys.revokeTitle", { name: revoking?.name ?? "" })}
        body={t("signing.revokeBody")}
        confirmLabel={t("action.revoke")}
        danger
        busy={revoke.isPending}
        error={revoke.error}
        onConfirm={async () => {
          if (!revoking) return;
          await revoke.mutateAsync({ id: revoking.id });
          setRevoking(null);
          await utils.signingKeys.list.invalidate();
        }}
        onClose={() => setRevoking(null)}
      />
    </>
  );
}
