import { expect } from "chai";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { checkPayload, compilePayload, payloadRequest } from "../../controlplane/payload/index.js";
import { PAYLOAD_LIMITS } from "../../controlplane/payload/limits.js";
import { manifestsDir, readObjects } from "../support/manifests.js";
import { failedContext } from "../support/payloadFixtures.js";

interface WebhookSpec {
  body?: string;
  headers?: Record<string, string>;
}

const examples = readdirSync(join(manifestsDir, "examples"))
  .filter((f) => f.endsWith(".yaml"))
  .flatMap((f) => readObjects(join(manifestsDir, "examples", f)))
  .filter((o) => o.kind === "Webhook" || o.kind === "ClusterWebhook");

describe("the example Webhooks' templates (manifests/examples)", () => {
  it("has examples with a body template", () => {
    expect(examples.filter((o) => (o as { spec?: WebhookSpec }).spec?.body)).to.not.be.empty;
  });

  for (const o of examples) {
    it(`${o.kind} ${o.metadata.name}: parses, and renders a failed Job as the comment says`, () => {
      const spec = (o as unknown as { spec: WebhookSpec }).spec;
      const payload = {
        ...(spec.body !== undefined && { body: spec.body }),
        ...(spec.headers && { headers: spec.headers }),
      };
      expect(checkPayload(payload)).to.deep.equal([]);
      const request = payloadRequest(compilePayload(payload), failedContext(), {
        body: "{}",
        contentType: "application/json",
      });
      if (spec.body === undefined) return;
      expect(request.contentType).to.equal("application/json");
      const text = (JSON.parse(request.body) as { text?: string }).text;
      if (o.metadata.name === "team-chat") {
        expect(text).to.equal(
          "reports/nightly-report failed: BackoffLimitExceeded, exit code 137 (OOMKilled) after 85 s",
        );
      }
    });
  }
});

interface SpecSchema {
  properties: {
    body: { maxLength: number };
    headers: { maxProperties: number; additionalProperties: { maxLength: number } };
  };
}

describe("the CRDs' bounds on templates (manifests/crds.yaml)", () => {
  it("are the controlplane's (PAYLOAD_LIMITS), so apply refuses what it would", () => {
    for (const crd of readObjects(join(manifestsDir, "crds.yaml"))) {
      const [version] = (
        crd as unknown as {
          spec: {
            versions: { schema: { openAPIV3Schema: { properties: { spec: SpecSchema } } } }[];
          };
        }
      ).spec.versions;
      const spec = version?.schema.openAPIV3Schema.properties.spec.properties;
      const name = crd.metadata.name;
      expect(spec?.body.maxLength, name).to.equal(PAYLOAD_LIMITS.bodyLength);
      expect(spec?.headers.maxProperties, name).to.equal(PAYLOAD_LIMITS.headers);
      expect(spec?.headers.additionalProperties.maxLength, name).to.equal(
        PAYLOAD_LIMITS.headerValueLength,
      );
    }
  });
});
