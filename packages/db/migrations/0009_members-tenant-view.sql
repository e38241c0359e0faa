ALTER TABLE "memberships" ADD COLUMN "first_name" text;--> statement-breakpoint
ALTER TABLE "memberships" ADD COLUMN "last_name" text;--> statement-breakpoint
-- Each tenant's view of a name starts as what it saw until now.
UPDATE "memberships" m SET "first_name" = u."first_name", "last_name" = u."last_name"
  FROM "users" u WHERE u."workspace_id" = m."workspace_id" AND u."id" = m."user_id";--> statement-breakpoint
-- One member per host id in a tenant: a duplicate (never resolvable by a token) keeps the oldest.
UPDATE "memberships" SET "external_id" = NULL
  WHERE "external_id" IS NOT NULL AND "id" NOT IN (
    SELECT min("id") FROM "memberships" WHERE "external_id" IS NOT NULL
    GROUP BY "workspace_id", "tenant_id", "external_id");--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_external_id_unique" UNIQUE("workspace_id","tenant_id","external_id");
