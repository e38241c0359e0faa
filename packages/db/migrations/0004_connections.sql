CREATE TABLE "apps" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"logo_url" text,
	"auth_type" text NOT NULL,
	"oauth2" jsonb,
	"client_secret_sealed" text,
	"parameters_schema" jsonb,
	"test_request" jsonb,
	"archived_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "apps_workspace_id_id_pk" PRIMARY KEY("workspace_id","id"),
	CONSTRAINT "apps_key_unique" UNIQUE("workspace_id","key"),
	CONSTRAINT "apps_auth_type_check" CHECK ("apps"."auth_type" in ('oauth2', 'api_key', 'basic')),
	CONSTRAINT "apps_oauth2_settings_check" CHECK (("apps"."auth_type" = 'oauth2') = ("apps"."oauth2" is not null))
);
--> statement-breakpoint
CREATE TABLE "connections" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"tenant_id" text NOT NULL,
	"app_id" text NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"credentials_sealed" text,
	"access_token_expires_at" timestamp with time zone,
	"connected_at" timestamp with time zone,
	"last_refresh_at" timestamp with time zone,
	"last_error" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "connections_workspace_id_id_pk" PRIMARY KEY("workspace_id","id"),
	CONSTRAINT "connections_status_check" CHECK ("connections"."status" in ('pending', 'connected', 'needs_reauth', 'error', 'disconnected')),
	CONSTRAINT "connections_version_check" CHECK ("connections"."version" >= 1)
);
--> statement-breakpoint
CREATE TABLE "oauth_states" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"code_verifier_sealed" text NOT NULL,
	"origin" text,
	"return_to" text,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "apps" ADD CONSTRAINT "apps_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connections" ADD CONSTRAINT "connections_workspace_id_tenant_id_tenants_workspace_id_id_fk" FOREIGN KEY ("workspace_id","tenant_id") REFERENCES "public"."tenants"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connections" ADD CONSTRAINT "connections_workspace_id_app_id_apps_workspace_id_id_fk" FOREIGN KEY ("workspace_id","app_id") REFERENCES "public"."apps"("workspace_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_states" ADD CONSTRAINT "oauth_states_workspace_id_connection_id_connections_workspace_id_id_fk" FOREIGN KEY ("workspace_id","connection_id") REFERENCES "public"."connections"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "connections_workspace_id_tenant_id_id_index" ON "connections" USING btree ("workspace_id","tenant_id","id");--> statement-breakpoint
CREATE INDEX "connections_status_access_token_expires_at_index" ON "connections" USING btree ("status","access_token_expires_at");--> statement-breakpoint
CREATE INDEX "oauth_states_expires_at_index" ON "oauth_states" USING btree ("expires_at");