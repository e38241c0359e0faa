CREATE TABLE "signing_keys" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"algorithm" text NOT NULL,
	"secret_sealed" text,
	"public_jwk" jsonb,
	"purpose" text DEFAULT 'host' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "signing_keys_workspace_id_id_pk" PRIMARY KEY("workspace_id","id"),
	CONSTRAINT "signing_keys_algorithm_check" CHECK ("signing_keys"."algorithm" in ('HS256', 'ES256', 'EdDSA', 'RS256')),
	CONSTRAINT "signing_keys_material_check" CHECK (("signing_keys"."algorithm" = 'HS256' and "signing_keys"."secret_sealed" is not null) or ("signing_keys"."algorithm" <> 'HS256' and "signing_keys"."public_jwk" is not null))
);
--> statement-breakpoint
CREATE TABLE "tenant_field_schemas" (
	"workspace_id" text PRIMARY KEY NOT NULL,
	"schema" jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "secret_fields" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "credentials_sealed" text;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "credentials_updated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "test_tenant" jsonb;--> statement-breakpoint
ALTER TABLE "signing_keys" ADD CONSTRAINT "signing_keys_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenant_field_schemas" ADD CONSTRAINT "tenant_field_schemas_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "signing_keys_id_index" ON "signing_keys" USING btree ("id");