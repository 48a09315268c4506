import { expect } from "chai";
import type { FieldViolation } from "../../contract/errors.js";
import { DEFAULT_DENY, EgressPolicy } from "../egress/EgressPolicy.js";
import {
  mirroredId,
  mirrorOf,
  statusPath,
  usableFrom,
  type WebhookObject,
} from "./webhookObject.js";

const NOW = new Date("2026-01-01T00:00:00Z");
const accept = (): FieldViolation[] => [];
const policy = new EgressPolicy(DEFAULT_DENY, []);
const context = {
  ownNamespace: "jobhooks-system",
  checkPayload: accept,
  checkUrl: (url: string) => policy.urlProblem(url),
  now: NOW,
};

function object(spec: Partial<WebhookObject["spec"]> = {}, namespace?: string): WebhookObject {
  return {
    metadata: {
      name: "chat",
      ...(namespace !== undefined && { namespace }),
      uid: "u1",
      generation: 3,
      creationTimestamp: "2025-12-31T00:00:00Z",
    },
    spec: { url: "https://chat.example/hook", ...spec },
  };
}

describe("webhook objects (Webhook, ClusterWebhook)", () => {
  it("give each object one id, the same every time, different per kind, namespace and name", () => {
    const a = mirroredId({ kind: "Webhook", namespace: "team-a", name: "chat" });
    expect(a).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(mirroredId({ kind: "Webhook", namespace: "team-a", name: "chat" })).to.equal(a);
    for (const other of [
      { kind: "Webhook" as const, namespace: "team-b", name: "chat" },
      { kind: "ClusterWebhook" as const, namespace: "", name: "chat" },
      { kind: "Webhook" as const, namespace: "team-a", name: "chat2" },
    ]) {
      expect(mirroredId(other)).to.not.equal(a);
    }
  });

  it("mirror a Webhook: its Secret in its own namespace, its payload options", () => {
    const m = mirrorOf(
      "Webhook",
      object(
        {
          description: "team chat",
          signingSecretRef: { name: "signing" },
          body: '{"text": {{ job.name | json }}}',
          headers: { "X-Team": "a" },
          cloudEvents: { mode: "Structured" },
          timeoutSeconds: 60,
          namespaces: ["ignored-on-a-Webhook"],
        },
        "team-a",
      ),
      context,
    );
    expect(m).to.deep.equal({
      webhook: {
        id: mirroredId({ kind: "Webhook", namespace: "team-a", name: "chat" }),
        url: "https://chat.example/hook",
        requestBody: undefined,
        description: "team chat",
        secret: undefined,
        createdAt: new Date("2025-12-31T00:00:00Z"),
        source: { kind: "Webhook", namespace: "team-a", name: "chat" },
        options: {
          bodyTemplate: '{"text": {{ job.name | json }}}',
          headers: { "X-Team": "a" },
          cloudEvents: { mode: "Structured" },
          secretRef: { namespace: "team-a", name: "signing", key: "secret" },
          timeoutSeconds: 60,
        },
      },
    });
  });

  it("read a ClusterWebhook's Secret in the controlplane's namespace, and keep its namespaces", () => {
    const m = mirrorOf(
      "ClusterWebhook",
      object({ signingSecretRef: { name: "s", key: "k" }, namespaces: ["team-a"] }),
      context,
    );
    if (!("webhook" in m)) throw new Error("refused");
    expect(m.webhook.source).to.deep.equal({ kind: "ClusterWebhook", namespace: "", name: "chat" });
    expect(m.webhook.options?.secretRef).to.deep.equal({
      namespace: "jobhooks-system",
      name: "s",
      key: "k",
    });
    expect(usableFrom(m.webhook, "team-a")).to.equal(true);
    expect(usableFrom(m.webhook, "team-b")).to.equal(false);
  });

  it("refuse a spec whose payload does not check, naming the object's fields", () => {
    const m = mirrorOf("Webhook", object({ body: "{{" }, "team-a"), {
      ...context,
      checkPayload: () => [{ field: "body", description: "does not parse" }],
    });
    expect(m).to.deep.equal({
      violations: [{ field: "spec.body", description: "does not parse" }],
    });
  });

  it("refuse a spec whose url is a denied address (--deny-destinations); host names are not resolved", () => {
    const m = mirrorOf(
      "Webhook",
      object({ url: "http://169.254.169.254/latest" }, "team-a"),
      context,
    );
    expect(m).to.deep.equal({
      violations: [
        {
          field: "spec.url",
          description: "169.254.169.254 is in --deny-destinations: deliveries may not go there",
        },
      ],
    });
    const named = mirrorOf(
      "Webhook",
      object({ url: "http://metadata.internal/" }, "team-a"),
      context,
    );
    expect(named).to.have.property("webhook");
  });

  it("let a Webhook be used from its own namespace only, a ClusterWebhook from all by default", () => {
    const own = mirrorOf("Webhook", object({}, "team-a"), context);
    const cluster = mirrorOf("ClusterWebhook", object(), context);
    if (!("webhook" in own) || !("webhook" in cluster)) throw new Error("refused");
    expect(usableFrom(own.webhook, "team-a")).to.equal(true);
    expect(usableFrom(own.webhook, "team-b")).to.equal(false);
    expect(usableFrom(cluster.webhook, "anywhere")).to.equal(true);
  });

  it("write status through the status subresource", () => {
    expect(statusPath({ kind: "Webhook", namespace: "team-a", name: "chat" })).to.equal(
      "/apis/jobhooks.dev/v1alpha1/namespaces/team-a/webhooks/chat/status",
    );
    expect(statusPath({ kind: "ClusterWebhook", namespace: "", name: "chat" })).to.equal(
      "/apis/jobhooks.dev/v1alpha1/clusterwebhooks/chat/status",
    );
  });
});
