import { useState } from "react";
import { useForm } from "react-hook-form";
import { issuesText, type Outputs, trpc } from "../api";
import { Badge, Banner, ConfirmDialog, Dialog, ErrorState, Loading, PageHeader } from "../components/ui";
import { usePrefs } from "../prefs";

type Role = Outputs["roles"]["list"]["items"][number];
type CustomPermission = Outputs["permissions"]["list"]["items"][number];
interface RoleValues {
  key: string;
  name: string;
  description: string;
  permissions: string[];
}

/**
 * Settings → Roles: the workspace's own permissions, and each role's permissions; built-in roles can
 * change permissions, not be deleted.
 */
export function RolesPage() {
  const { t } = usePrefs();
  const roles = trpc.roles.list.useQuery();
  const custom = trpc.permissions.list.useQuery();
  const remove = trpc.roles.delete.useMutation();
  const utils = trpc.useUtils();
  const [editing, setEditing] = useState<Role | "new" | null>(null);
  const [deleting, setDeleting] = useState<Role | null>(null);
  const customKeys = new Set((custom.data?.items ?? []).map((permission) => permission.key));
  // The owner role holds the whole built-in catalog, so it is read from the roles themselves.
  const builtIn = [...new Set((roles.data?.items ?? []).flatMap((role) => role.permissions))]
    .filter((key) => !customKeys.has(key))
    .sort();

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
      <CustomPermissions />
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
          builtIn={builtIn}
          custom={custom.data?.items ?? []}
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

function RoleDialog(props: {
  role: Role | null;
  builtIn: string[];
  custom: CustomPermission[];
  onClose: () => void;
}) {
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
    const permissions = values.permissions;
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
      setProblem(issuesText(error));
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
            {props.builtIn.map((permission) => (
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
        {props.custom.length > 0 && (
          <fieldset className="permissions">
            <legend className="field-label">{t("permissions.title")}</legend>
            <div className="grid-2">
              {props.custom.map((permission) => (
                <div key={permission.id} className="field field-check">
                  <input
                    type="checkbox"
                    id={`perm-${permission.key}`}
                    value={permission.key}
                    {...form.register("permissions")}
                  />
                  <label htmlFor={`perm-${permission.key}`}>
                    <code>{permission.key}</code> {permission.name}
                  </label>
                </div>
              ))}
            </div>
          </fieldset>
        )}
      </form>
    </Dialog>
  );
}

interface PermissionValues {
  key: string;
  name: string;
  description: string;
}

/** The host's own permission keys (`invoices:approve`), which roles mix with the built-in ones. */
function CustomPermissions() {
  const { t } = usePrefs();
  const utils = trpc.useUtils();
  const remove = trpc.permissions.delete.useMutation();
  const [editing, setEditing] = useState<CustomPermission | "new" | null>(null);
  const [deleting, setDeleting] = useState<CustomPermission | null>(null);
  // The same query as the page's, so it is read once.
  const permissions = trpc.permissions.list.useQuery();
  return (
    <section className="card" aria-labelledby="custom-permissions">
      <div className="section-head">
        <div>
          <h2 id="custom-permissions" className="card-title">
            {t("permissions.title")}
          </h2>
          <p className="muted small">{t("permissions.description")}</p>
        </div>
        <button type="button" className="button button-small" onClick={() => setEditing("new")}>
          {t("permissions.create")}
        </button>
      </div>
      {permissions.isPending && <Loading rows={2} />}
      {permissions.isError && <ErrorState error={permissions.error} onRetry={() => permissions.refetch()} />}
      {permissions.data && permissions.data.items.length === 0 && (
        <p className="muted">{t("permissions.none")}</p>
      )}
      {permissions.data && permissions.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("roles.key")}</th>
                <th scope="col">{t("tenant.name")}</th>
                <th scope="col">{t("schema.fieldDescription")}</th>
                <th scope="col">
                  <span className="visually-hidden">{t("permissions.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {permissions.data.items.map((permission) => (
                <tr key={permission.id}>
                  <td>
                    <code>{permission.key}</code>
                  </td>
                  <td>{permission.name}</td>
                  <td>{permission.description}</td>
                  <td>
                    <div className="row">
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => setEditing(permission)}
                      >
                        {t("action.edit")} <span className="visually-hidden">{permission.key}</span>
                      </button>
                      <button
                        type="button"
                        className="button button-small button-danger"
                        onClick={() => setDeleting(permission)}
                      >
                        {t("action.delete")} <span className="visually-hidden">{permission.key}</span>
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && (
        <PermissionDialog permission={editing === "new" ? null : editing} onClose={() => setEditing(null)} />
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={t("permissions.deleteTitle", { key: deleting?.key ?? "" })}
        body={t("permissions.deleteBody")}
        confirmLabel={t("action.delete")}
        danger
        busy={remove.isPending}
        error={remove.error}
        onConfirm={async () => {
          if (!deleting) return;
          await remove.mutateAsync({ id: deleting.id });
          setDeleting(null);
          await Promise.all([utils.permissions.list.invalidate(), utils.roles.list.invalidate()]);
        }}
        onClose={() => setDeleting(null)}
      />
    </section>
  );
}

function PermissionDialog(props: { permission: CustomPermission | null; onClose: () => void }) {
  const { t } = usePrefs();
  const utils = trpc.useUtils();
  const create = trpc.permissions.create.useMutation();
  const update = trpc.permissions.update.useMutation();
  const [problem, setProblem] = useState<string | null>(null);
  const form = useForm<PermissionValues>({
    defaultValues: {
      key: props.permission?.key ?? "",
      name: props.permission?.name ?? "",
      description: props.permission?.description ?? "",
    },
  });
  const submit = form.handleSubmit(async (values) => {
    setProblem(null);
    try {
      if (props.permission) {
        await update.mutateAsync({
          id: props.permission.id,
          name: values.name,
          description: values.description || null,
        });
      } else {
        await create.mutateAsync({
          key: values.key,
          name: values.name,
          description: values.description || undefined,
        });
      }
      await utils.permissions.list.invalidate();
      props.onClose();
    } catch (error) {
      setProblem(issuesText(error));
    }
  });
  return (
    <Dialog
      open
      title={props.permission ? t("roles.edit", { name: props.permission.key }) : t("permissions.create")}
      onClose={props.onClose}
      footer={
        <>
          <button type="button" className="button" onClick={props.onClose}>
            {t("action.cancel")}
          </button>
          <button type="submit" form="permission-form" className="button button-primary">
            {t("action.save")}
          </button>
        </>
      }
    >
      <form id="permission-form" noValidate onSubmit={submit}>
        {problem && <Banner tone="error">{problem}</Banner>}
        <div className="field">
          <label htmlFor="permission-key">{t("roles.key")}</label>
          <input
            id="permission-key"
            aria-describedby="permission-key-hint"
            disabled={Boolean(props.permission)}
            {...form.register("key", { required: !props.permission })}
          />
          <p id="permission-key-hint" className="muted small">
            {t("permissions.keyHint")}
          </p>
        </div>
        <div className="field">
          <label htmlFor="permission-name">{t("tenant.name")}</label>
          <input id="permission-name" {...form.register("name", { required: true })} />
        </div>
        <div className="field">
          <label htmlFor="permission-description">{t("schema.fieldDescription")}</label>
          <input id="permission-description" {...form.register("description")} />
        </div>
      </form>
    </Dialog>
  );
}
