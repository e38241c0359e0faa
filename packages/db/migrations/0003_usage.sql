CREATE TABLE "usage_buckets" (
	"workspace_id" text NOT NULL,
	"tenant_id" text NOT NULL,
	"metric" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"amount" bigint NOT NULL,
	CONSTRAINT "usage_buckets_workspace_id_tenant_id_metric_hour_pk" PRIMARY KEY("workspace_id","tenant_id","metric","hour")
);
--> statement-breakpoint
CREATE TABLE "usage_counters" (
	"workspace_id" text NOT NULL,
	"tenant_id" text NOT NULL,
	"metric" text NOT NULL,
	"total" bigint DEFAULT 0 NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	CONSTRAINT "usage_counters_workspace_id_tenant_id_metric_pk" PRIMARY KEY("workspace_id","tenant_id","metric")
);
--> statement-breakpoint
CREATE TABLE "usage_idempotency_keys" (
	"workspace_id" text NOT NULL,
	"tenant_id" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"response" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "usage_idempotency_keys_workspace_id_tenant_id_key_pk" PRIMARY KEY("workspace_id","tenant_id","key")
);
--> statement-breakpoint
CREATE TABLE "usage_limit_overrides" (
	"workspace_id" text NOT NULL,
	"tenant_id" text NOT NULL,
	"metric" text NOT NULL,
	"limit" bigint,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_limit_overrides_workspace_id_tenant_id_metric_pk" PRIMARY KEY("workspace_id","tenant_id","metric")
);
--> statement-breakpoint
CREATE TABLE "usage_metrics" (
	"workspace_id" text NOT NULL,
	"key" text NOT NULL,
	"unit" text DEFAULT 'units' NOT NULL,
	"default_limit" bigint,
	"plan_limits" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_metrics_workspace_id_key_pk" PRIMARY KEY("workspace_id","key")
);
--> statement-breakpoint
CREATE TABLE "usage_refusals" (
	"workspace_id" text NOT NULL,
	"tenant_id" text NOT NULL,
	"metric" text NOT NULL,
	"day" date NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "usage_refusals_workspace_id_tenant_id_metric_day_pk" PRIMARY KEY("workspace_id","tenant_id","metric","day")
);
--> statement-breakpoint
ALTER TABLE "usage_buckets" ADD CONSTRAINT "usage_buckets_workspace_id_tenant_id_tenants_workspace_id_id_fk" FOREIGN KEY ("workspace_id","tenant_id") REFERENCES "public"."tenants"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_counters" ADD CONSTRAINT "usage_counters_workspace_id_tenant_id_tenants_workspace_id_id_fk" FOREIGN KEY ("workspace_id","tenant_id") REFERENCES "public"."tenants"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_idempotency_keys" ADD CONSTRAINT "usage_idempotency_keys_workspace_id_tenant_id_tenants_workspace_id_id_fk" FOREIGN KEY ("workspace_id","tenant_id") REFERENCES "public"."tenants"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_limit_overrides" ADD CONSTRAINT "usage_limit_overrides_workspace_id_tenant_id_tenants_workspace_id_id_fk" FOREIGN KEY ("workspace_id","tenant_id") REFERENCES "public"."tenants"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_metrics" ADD CONSTRAINT "usage_metrics_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_refusals" ADD CONSTRAINT "usage_refusals_workspace_id_tenant_id_tenants_workspace_id_id_fk" FOREIGN KEY ("workspace_id","tenant_id") REFERENCES "public"."tenants"("workspace_id","id") ON DELETE cascade ON UPDATE no action;