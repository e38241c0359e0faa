import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { isEvent, verifyWebhook, WebhookVerificationError } from "./webhooks";

const secret = `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
const otherSecret = `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
const event = {
  id: "evt_01890a5d-ac96-774b-bcce-b302099a8057",
  type: "tenant.created",
  createdAt: "2026-12-05T10:00:00.000Z",
  tenantId: "tenant_01890a5d-ac96-774b-bcce-b302099a8058",
  actor: { type: "api_key", id: "key_1" },
  data: {
    action: "tenant.created",
    object: { type: "tenant", id: "tenant_01890a5d-ac96-774b-bcce-b302099a8058" },
  },
};
const payload = JSON.stringify(event);

/** Headers as Tenantry's delivery sends them: signed by the standardwebhooks library, one or more secrets. */
function signedHeaders(secrets: string[], at = new Date()) {
  return {
    "webhook-id": event.id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": secrets.map((s) => new Webhook(s).sign(event.id, at, payload)).join(" "),
  };
}

describe("verifyWebhook", () => {
  it("answers the typed event for a good signature, from Fetch Headers or a Node header record", () => {
    const verified = verifyWebhook(payload, new Headers(signedHeaders([secret])), secret);
    expect(verified).toEqual(event);
    expect(isEvent(verified, "tenant.created") && verified.data.object.id).toBe(event.tenantId);
    expect(verifyWebhook(payload, { ...signedHeaders([secret]), host: "x" }, secret).id).toBe(event.id);
  });

  it("accepts either secret during a rotation, and a message signed by both", () => {
    expect(verifyWebhook(payload, signedHeaders([secret, otherSecret]), secret).id).toBe(event.id);
    expect(verifyWebhook(payload, signedHeaders([otherSecret]), [secret, otherSecret]).id).toBe(event.id);
  });

  it("refuses a wrong secret, a changed body, a missing header and an old timestamp", () => {
    expect(() => verifyWebhook(payload, signedHeaders([otherSecret]), secret)).toThrow(
      WebhookVerificationError,
    );
    expect(() =>
      verifyWebhook(payload.replace("tenant.created", "tenant.deleted"), signedHeaders([secret]), secret),
    ).toThrow(WebhookVerificationError);
    const { "webhook-signature": _dropped, ...unsigned } = signedHeaders([secret]);
    expect(() => verifyWebhook(payload, unsigned, secret)).toThrow(WebhookVerificationError);
    const old = new Date(Date.now() - 10 * 60_000);
    expect(() => verifyWebhook(payload, signedHeaders([secret], old), secret)).toThrow(/too old/);
    expect(() => verifyWebhook(payload, signedHeaders([secret]), [])).toThrow(WebhookVerificationError);
  });
});
