-- Per-process caches of what authentication and authorization resolve (API keys, signing keys, tenants'
-- status, memberships, roles, permissions, element configuration) are invalidated by NOTIFY sent by
-- these triggers in the same transaction as the change: whatever code writes, the notification goes
-- out at its commit, and never without it. The payload is the workspace id (`*` for a TRUNCATE); each
-- process drops what it cached for that workspace (packages/api/src/invalidation). PostgreSQL folds
-- identical notifications of one transaction into one, so a bulk change sends one per workspace.
CREATE FUNCTION "tenantry_notify_invalidation"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		PERFORM pg_notify('tenantry_invalidation', '*');
		RETURN NULL;
	END IF;
	IF TG_OP <> 'INSERT' THEN
		PERFORM pg_notify('tenantry_invalidation', to_jsonb(OLD) ->> TG_ARGV[0]);
	END IF;
	IF TG_OP <> 'DELETE' THEN
		PERFORM pg_notify('tenantry_invalidation', to_jsonb(NEW) ->> TG_ARGV[0]);
	END IF;
	RETURN NULL;
END $$;
--> statement-breakpoint
-- api_keys: not when only last_used_at or the name changes: every key's use writes last_used_at.
CREATE TRIGGER "api_keys_invalidation_write" AFTER INSERT OR DELETE ON "api_keys" FOR EACH ROW EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "api_keys_invalidation_update" AFTER UPDATE ON "api_keys" FOR EACH ROW WHEN ((OLD.workspace_id, OLD.key_hash, OLD.expires_at, OLD.revoked_at) IS DISTINCT FROM (NEW.workspace_id, NEW.key_hash, NEW.expires_at, NEW.revoked_at)) EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "api_keys_invalidation_truncate" AFTER TRUNCATE ON "api_keys" FOR EACH STATEMENT EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "signing_keys_invalidation_write" AFTER INSERT OR DELETE ON "signing_keys" FOR EACH ROW EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "signing_keys_invalidation_update" AFTER UPDATE ON "signing_keys" FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "signing_keys_invalidation_truncate" AFTER TRUNCATE ON "signing_keys" FOR EACH STATEMENT EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
-- workspaces: allowed origins are part of an access token's check.
CREATE TRIGGER "workspaces_invalidation_write" AFTER INSERT OR DELETE ON "workspaces" FOR EACH ROW EXECUTE FUNCTION "tenantry_notify_invalidation"('id');
--> statement-breakpoint
CREATE TRIGGER "workspaces_invalidation_update" AFTER UPDATE ON "workspaces" FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION "tenantry_notify_invalidation"('id');
--> statement-breakpoint
CREATE TRIGGER "workspaces_invalidation_truncate" AFTER TRUNCATE ON "workspaces" FOR EACH STATEMENT EXECUTE FUNCTION "tenantry_notify_invalidation"('id');
--> statement-breakpoint
-- tenants: an access token reads its tenant's status and fields; other columns change often.
CREATE TRIGGER "tenants_invalidation_write" AFTER INSERT OR DELETE ON "tenants" FOR EACH ROW EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "tenants_invalidation_update" AFTER UPDATE ON "tenants" FOR EACH ROW WHEN ((OLD.workspace_id, OLD.internal_id, OLD.status, OLD.fields) IS DISTINCT FROM (NEW.workspace_id, NEW.internal_id, NEW.status, NEW.fields)) EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "tenants_invalidation_truncate" AFTER TRUNCATE ON "tenants" FOR EACH STATEMENT EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "users_invalidation_write" AFTER INSERT OR DELETE ON "users" FOR EACH ROW EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "users_invalidation_update" AFTER UPDATE ON "users" FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "users_invalidation_truncate" AFTER TRUNCATE ON "users" FOR EACH STATEMENT EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "memberships_invalidation_write" AFTER INSERT OR DELETE ON "memberships" FOR EACH ROW EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "memberships_invalidation_update" AFTER UPDATE ON "memberships" FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "memberships_invalidation_truncate" AFTER TRUNCATE ON "memberships" FOR EACH STATEMENT EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "groups_invalidation_write" AFTER INSERT OR DELETE ON "groups" FOR EACH ROW EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "groups_invalidation_update" AFTER UPDATE ON "groups" FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "groups_invalidation_truncate" AFTER TRUNCATE ON "groups" FOR EACH STATEMENT EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "group_members_invalidation_write" AFTER INSERT OR DELETE ON "group_members" FOR EACH ROW EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "group_members_invalidation_update" AFTER UPDATE ON "group_members" FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "group_members_invalidation_truncate" AFTER TRUNCATE ON "group_members" FOR EACH STATEMENT EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "roles_invalidation_write" AFTER INSERT OR DELETE ON "roles" FOR EACH ROW EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "roles_invalidation_update" AFTER UPDATE ON "roles" FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "roles_invalidation_truncate" AFTER TRUNCATE ON "roles" FOR EACH STATEMENT EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "role_bindings_invalidation_write" AFTER INSERT OR DELETE ON "role_bindings" FOR EACH ROW EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "role_bindings_invalidation_update" AFTER UPDATE ON "role_bindings" FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "role_bindings_invalidation_truncate" AFTER TRUNCATE ON "role_bindings" FOR EACH STATEMENT EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "permissions_invalidation_write" AFTER INSERT OR DELETE ON "permissions" FOR EACH ROW EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "permissions_invalidation_update" AFTER UPDATE ON "permissions" FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "permissions_invalidation_truncate" AFTER TRUNCATE ON "permissions" FOR EACH STATEMENT EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "element_templates_invalidation_write" AFTER INSERT OR DELETE ON "element_templates" FOR EACH ROW EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "element_templates_invalidation_update" AFTER UPDATE ON "element_templates" FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "element_templates_invalidation_truncate" AFTER TRUNCATE ON "element_templates" FOR EACH STATEMENT EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "element_instances_invalidation_write" AFTER INSERT OR DELETE ON "element_instances" FOR EACH ROW EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "element_instances_invalidation_update" AFTER UPDATE ON "element_instances" FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
--> statement-breakpoint
CREATE TRIGGER "element_instances_invalidation_truncate" AFTER TRUNCATE ON "element_instances" FOR EACH STATEMENT EXECUTE FUNCTION "tenantry_notify_invalidation"('workspace_id');
