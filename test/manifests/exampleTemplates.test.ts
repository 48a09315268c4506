import { expect } from "chai";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { checkPayload, compilePayload, payloadRequest } from "../../controlplane/payload/index.js";
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
