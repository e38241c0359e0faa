-- The tenant list's `q` search: trigram indexes on name and slug. pg_trgm is a trusted extension
-- (PostgreSQL 13+): the database owner may create it; PGlite loads it in openPglite.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "tenants_name_trgm_idx" ON "tenants" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "tenants_slug_trgm_idx" ON "tenants" USING gin ("slug" gin_trgm_ops);
