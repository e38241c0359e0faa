ALTER TABLE "signing_keys" DROP CONSTRAINT "signing_keys_material_check";--> statement-breakpoint
ALTER TABLE "signing_keys" ALTER COLUMN "algorithm" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "signing_keys" ADD COLUMN "issuer" text;--> statement-breakpoint
ALTER TABLE "signing_keys" ADD COLUMN "jwks_url" text;--> statement-breakpoint
ALTER TABLE "signing_keys" ADD COLUMN "audience" text;--> statement-breakpoint
ALTER TABLE "signing_keys" ADD COLUMN "claims" jsonb;--> statement-breakpoint
CREATE INDEX "signing_keys_issuer_index" ON "signing_keys" USING btree ("issuer");--> statement-breakpoint
ALTER TABLE "signing_keys" ADD CONSTRAINT "signing_keys_material_check" CHECK (("signing_keys"."algorithm" = 'HS256' and "signing_keys"."secret_sealed" is not null) or ("signing_keys"."algorithm" <> 'HS256' and "signing_keys"."public_jwk" is not null) or ("signing_keys"."algorithm" is null and "signing_keys"."issuer" is not null and "signing_keys"."jwks_url" is not null and "signing_keys"."audience" is not null and "signing_keys"."claims" is not null));