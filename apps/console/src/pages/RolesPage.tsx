import { useState } from "react";
import { useForm } from "react-hook-form";
import { issuesOf, type Outputs, trpc } from "../api";
import { Badge, Banner, ConfirmDialog, Dialog, ErrorState, Loading, PageHeader } from "../components/ui";
import { usePrefs } from "../prefs";

type Role = Outputs["roles"]["list"]["items"][number];
interface RoleValues {
  key: string;
  name: string;
  description: string;
  permissions: string[];
}

/** Settings → Roles: each role's permissions; built-in roles can change permissions, not be deleted. */
export function RolesPage() {
  const { t } = usePrefs();
  const roles = trpc.roles.list.useQuery();
  const remove = trpc.roles.delete.useMutation();
  const utils = trpc.useUtils();
  const [editing, setEditing] = useState<Role | "new" | null>(null);
  const [deleting, setDeleting] = useState<Role | null>(null);
  // The owner role holds the whole catalog, so the catalog is read from the roles themselves.
  const catalog = [...new Set((roles.data?.items ?? []).flatMap((role) => role.permissions))].sort();

  return (
    <>
      <PageHeader
        title={t("nav.roles")}
        description={t("roles.description")}
        actions={
          <button type="button" className="button button-primary" onClick={() => setEditing("new")}>
            {t("roles.create")}
          </button>
        }
      />
      {roles.isPending && <Loading rows={4} />}
      {roles.isError && <ErrorState error={roles.error} onRetry={() => roles.refetch()} />}
      {roles.data && (
        <div className="stack">
          {roles.data.items.map((role) => (
            <section key={role.id} className="card" aria-labelledby={`role-${role.id}`}>
              <div className="section-head">
                <div>
                  <h2 id={`role-${role.id}`} className="card-title">
                    {role.name} {role.builtIn && <Badge>{t("roles.builtIn")}</Badge>}
                  </h2>
                  <p className="muted small">
                    <code>{role.key}</code> {role.description ? `· ${role.description}` : ""}
                  </p>
                </div>
                <div className="row">
                  <button type="button" className="button button-small" onClick={() => setEditing(role)}>
                    {t("action.edit")} <span className="visually-hidden">{role.name}</span>
                  </button>
                  {!role.builtIn && (
                    <button
                      type="button"
                      className="button button-small button-danger"
                      onClick={() => setDeleting(role)}
                    >
                      {t("action.delete")} <span className="visually-hidden">{role.name}</span>
                    </button>
                  )}
                </div>
              </div>
              <div className="row">
                {role.permissions.map((permission) => (
                  <Badge key={permission}>{permission}</Badge>
                ))}
              </div>
            </section>
          ))}
        </div>
      )}
      {editing && (
        <RoleDialog
          role={editing === "new" ? null : editing}
          catalog={catalog}
          onClose={() => setEditing(null)}
        />
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={t("roles.deleteTitle", { name: deleting?.name ?? "" })}
        body={t("roles.deleteBody")}
        confirmLabel={t("action.delete")}
        danger
        busy={remove.isPending}
        error={remove.error}
        onConfirm={async () => {
          if (!deleting) return;
          await remove.mutateAsync({ id: deleting.id });
          setDeleting(null);
          await utils.roles.list.invalidate();
        }}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}

function RoleDialog(props: { role: Role | null; catalog: string[]; onClose: () => void }) {
  const { t } = usePrefs();
  const utils = trpc.useUtils();
  const create = trpc.roles.create.useMutation();
  const update = trpc.roles.update.useMutation();
  const [problem, setProblem] = useState<string | null>(null);
  const form = useForm<RoleValues>({
    defaultValues: {
      key: props.role?.key ?? "",
      name: props.role?.name ?? "",
      description: props.role?.description ?? "",
      permissions: props.role?.permissions ?? [],
    },
  });
  const submit = form.handleSubmit(async (values) => {
    setProblem(null);
    const permissions = values.permissions as never;
    try {
      if (props.role) {
        await update.mutateAsync({
          id: props.role.id,
          name: values.name,
          description: values.description || null,
          permissions,
        });
      } else {
        await create.mutateAsync({
          key: values.key,
          name: values.name,
          description: values.description || undefined,
          permissions,
        });
      }
      await utils.roles.list.invalidate();
      props.onClose();
    } catch (error) {
      setProblem(
        issuesOf(error)
          .map((issue) => `${issue.path}: ${issue.message}`)
          .join("; ") || (error as Error).message,
      );
    }
  });
  return (
    <Dialog
      open
      wide
      title={props.role ? t("roles.edit", { name: props.role.name }) : t("roles.create")}
      onClose={props.onClose}
      footer={
        <>
          <button type="button" className="button" onClick={props.onClose}>
            {t("action.cancel")}
          </button>
          <button type="submit" form="role-form" className="button button-primary">
            {t("action.save")}
          </button>
        </>
      }
    >
      <form id="role-form" noValidate onSubmit={submit}>
        {problem && <Banner tone="error">{problem}</Banner>}
        <div className="grid-2">
          <div className="field">
            <label htmlFor="role-key">{t("roles.key")}</label>
            <input
              id="role-key"
              disabled={Boolean(props.role)}
              {...form.register("key", { required: !props.role })}
            />
          </div>
          <div className="field">
            <label htmlFor="role-name">{t("tenant.name")}</label>
            <input id="role-name" {...form.register("name", { required: true })} />
          </div>
          <div className="field field-wide">
            <label htmlFor="role-description">{t("schema.fieldDescription")}</label>
            <input id="role-description" {...form.register("description")} />
          </div>
        </div>
        <fieldset className="permissions">
          <legend className="field-label">{t("roles.permissions")}</legend>
          <div className="grid-2">
            {props.catalog.map((permission) => (
              <div key={permission} className="field field-check">
                <input
                  type="checkbox"
                  id={`perm-${permission}`}
                  value={permission}
                  {...form.register("permissions")}
                />
                <label htmlFor={`perm-${permission}`}>
                  <code>{permission}</code>
                </label>
              </div>
            ))}
          </div>
        </fieldset>
      </form>
    </Dialog>
  );
}
