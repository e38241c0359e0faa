CREATE TABLE "element_instances" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"tenant_id" text NOT NULL,
	"template_id" text,
	"connection_id" text,
	"instance_key" text DEFAULT '' NOT NULL,
	"type" text NOT NULL,
	"key" text NOT NULL,
	"name" text,
	"app_id" text,
	"definition" jsonb,
	"config_schema" jsonb,
	"data_source_key" text,
	"direction" text,
	"overrides" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"override_bases" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"merged_revision" integer DEFAULT 0 NOT NULL,
	"revision" integer DEFAULT 1 NOT NULL,
	"setup_state" text NOT NULL,
	"setup_errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "element_instances_workspace_id_id_pk" PRIMARY KEY("workspace_id","id"),
	CONSTRAINT "element_instances_identity_unique" UNIQUE NULLS NOT DISTINCT("workspace_id","tenant_id","template_id","type","key","connection_id","instance_key"),
	CONSTRAINT "element_instances_owner_check" CHECK (("element_instances"."template_id" is null) = ("element_instances"."definition" is not null)),
	CONSTRAINT "element_instances_state_check" CHECK ("element_instances"."setup_state" in ('setting_up', 'ready', 'setup_failed'))
);
--> statement-breakpoint
CREATE TABLE "element_templates" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"type" text NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"app_id" text,
	"definition" jsonb NOT NULL,
	"config_schema" jsonb NOT NULL,
	"data_source_key" text,
	"direction" text,
	"revision" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "element_templates_workspace_id_id_pk" PRIMARY KEY("workspace_id","id"),
	CONSTRAINT "element_templates_key_unique" UNIQUE NULLS NOT DISTINCT("workspace_id","type","app_id","key"),
	CONSTRAINT "element_templates_type_check" CHECK ("element_templates"."type" in ('action', 'flow', 'data_source', 'field_mapping')),
	CONSTRAINT "element_templates_revision_check" CHECK ("element_templates"."revision" >= 1)
);
--> statement-breakpoint
ALTER TABLE "element_instances" ADD CONSTRAINT "element_instances_workspace_id_tenant_id_tenants_workspace_id_id_fk" FOREIGN KEY ("workspace_id","tenant_id") REFERENCES "public"."tenants"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "element_instances" ADD CONSTRAINT "element_instances_workspace_id_template_id_element_templates_workspace_id_id_fk" FOREIGN KEY ("workspace_id","template_id") REFERENCES "public"."element_templates"("workspace_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "element_instances" ADD CONSTRAINT "element_instances_workspace_id_connection_id_connections_workspace_id_id_fk" FOREIGN KEY ("workspace_id","connection_id") REFERENCES "public"."connections"("workspace_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "element_templates" ADD CONSTRAINT "element_templates_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "element_templates" ADD CONSTRAINT "element_templates_workspace_id_app_id_apps_workspace_id_id_fk" FOREIGN KEY ("workspace_id","app_id") REFERENCES "public"."apps"("workspace_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "element_instances_workspace_id_tenant_id_id_index" ON "element_instances" USING btree ("workspace_id","tenant_id","id");--> statement-breakpoint
CREATE INDEX "element_instances_workspace_id_connection_id_index" ON "element_instances" USING btree ("workspace_id","connection_id");--> statement-breakpoint
CREATE INDEX "element_instances_workspace_id_template_id_index" ON "element_instances" USING btree ("workspace_id","template_id");