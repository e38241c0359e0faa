CREATE TABLE "data_migrations" (
	"name" text PRIMARY KEY NOT NULL,
	"completed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "oauth_states" ADD COLUMN "browser_binding_hash" text;--> statement-breakpoint
ALTER TABLE "oauth_states" ADD COLUMN "started_by_type" text;--> statement-breakpoint
ALTER TABLE "oauth_states" ADD COLUMN "started_by_id" text;