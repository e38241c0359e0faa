ALTER TABLE "operators" ALTER COLUMN "password_hash" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "operator_sign_in_attempts" ADD COLUMN "locked_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "operator_sign_in_attempts" ADD COLUMN "lockouts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "operators" ADD COLUMN "temporary_password_hash" text;--> statement-breakpoint
ALTER TABLE "operators" ADD COLUMN "temporary_password_expires_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "operator_sessions_workspace_id_operator_id_index" ON "operator_sessions" USING btree ("workspace_id","operator_id");