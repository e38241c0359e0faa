CREATE TABLE "connection_refresh_attempts" (
	"workspace_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"attempt_id" text NOT NULL,
	"owner" text NOT NULL,
	"base_version" integer NOT NULL,
	"interrupted" integer DEFAULT 0 NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"lease_until" timestamp with time zone NOT NULL,
	CONSTRAINT "connection_refresh_attempts_workspace_id_connection_id_pk" PRIMARY KEY("workspace_id","connection_id")
);
--> statement-breakpoint
ALTER TABLE "connection_refresh_attempts" ADD CONSTRAINT "connection_refresh_attempts_workspace_id_connection_id_connections_workspace_id_id_fk" FOREIGN KEY ("workspace_id","connection_id") REFERENCES "public"."connections"("workspace_id","id") ON DELETE cascade ON UPDATE no action;