CREATE TABLE "activity_log" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"tenant_id" text,
	"actor_type" text NOT NULL,
	"actor_id" text NOT NULL,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text NOT NULL,
	"changes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"request_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "activity_log_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_workspace_id_id_pk" PRIMARY KEY("workspace_id","id"),
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("workspace_id","key_hash")
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"workspace_id" text NOT NULL,
	"operation" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"resource_id" text,
	"response" jsonb,
	"status_code" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_workspace_id_operation_key_pk" PRIMARY KEY("workspace_id","operation","key")
);
--> statement-breakpoint
CREATE TABLE "scopes" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"kind" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "scopes_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"internal_id" text NOT NULL,
	"external_id" text,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"kind" text DEFAULT 'standard' NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"plan_key" text,
	"trial" boolean DEFAULT false NOT NULL,
	"trial_ends_at" timestamp with time zone,
	"payment_status" text DEFAULT 'none' NOT NULL,
	"mfa" text DEFAULT 'optional' NOT NULL,
	"locale" text,
	"logo" text,
	"onboarded" boolean DEFAULT false NOT NULL,
	"federation_connection" text,
	"billing_email" text,
	"technical_contact_email" text,
	"owner_user_id" text,
	"max_users" integer,
	"max_workspaces" integer,
	"max_projects" integer,
	"max_environments" integer,
	"ai_credits_rolling30_day_limit" bigint,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"fields" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"scope_id" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenants_workspace_id_id_pk" PRIMARY KEY("workspace_id","id"),
	CONSTRAINT "tenants_slug_unique" UNIQUE("workspace_id","slug"),
	CONSTRAINT "tenants_internal_id_unique" UNIQUE("workspace_id","internal_id"),
	CONSTRAINT "tenants_kind_check" CHECK ("tenants"."kind" in ('standard', 'enterprise', 'trial')),
	CONSTRAINT "tenants_status_check" CHECK ("tenants"."status" in ('active', 'suspended', 'archived')),
	CONSTRAINT "tenants_payment_status_check" CHECK ("tenants"."payment_status" in ('none', 'trialing', 'current', 'past_due', 'unpaid', 'canceled')),
	CONSTRAINT "tenants_mfa_check" CHECK ("tenants"."mfa" in ('off', 'optional', 'required')),
	CONSTRAINT "tenants_version_check" CHECK ("tenants"."version" >= 1)
);
--> statement-breakpoint
CREATE TABLE "workspaces" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "activity_log" ADD CONSTRAINT "activity_log_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scopes" ADD CONSTRAINT "scopes_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_workspace_id_scope_id_scopes_workspace_id_id_fk" FOREIGN KEY ("workspace_id","scope_id") REFERENCES "public"."scopes"("workspace_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "activity_log_workspace_id_tenant_id_id_index" ON "activity_log" USING btree ("workspace_id","tenant_id","id");--> statement-breakpoint
CREATE INDEX "api_keys_key_hash_index" ON "api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "tenants_workspace_id_external_id_index" ON "tenants" USING btree ("workspace_id","external_id");--> statement-breakpoint
CREATE INDEX "tenants_workspace_id_status_id_index" ON "tenants" USING btree ("workspace_id","status","id");