import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { HEADER, PRINTER_COLUMNS } from "../support/crdPrinterColumns.js";
import { join } from "node:path";
import { stringify } from "yaml";
import type { TestCluster } from "../cluster/TestCluster.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { controlplaneKubeConfig } from "../support/controlplaneAccount.js";
import { runKubectl, type KubectlResult } from "../support/kubectl.js";
import { manifestsDir, readObjects } from "../support/manifests.js";

const CRDS_FILE = join(manifestsDir, "crds.yaml");
const API_VERSION = "jobhooks.dev/v1alpha1";

interface Version {
  name: string;
  served: boolean;
  storage: boolean;
  subresources?: unknown;
  additionalPrinterColumns?: unknown[];
  schema: { openAPIV3Schema: Schema };
}
interface Schema {
  properties?: Record<string, Schema>;
  [keyword: string]: unknown;
}
interface Crd {
  metadata: { name: string };
  spec: { group: string; scope: string; names: Record<string, unknown>; versions: Version[] };
}

const crd = (plural: string): Crd => {
  const found = readObjects(CRDS_FILE).find((o) => o.metadata.name === `${plural}.jobhooks.dev`);
  if (!found) throw new Error(`${CRDS_FILE}: no CRD ${plural}.jobhooks.dev`);
  return found as unknown as Crd;
};
const onlyVersion = (c: Crd): Version => {
  expect(c.spec.versions).to.have.length(1);
  return c.spec.versions[0] as Version;
};
const schemaOf = (plural: string, field: "spec" | "status"): Schema => {
  const s = onlyVersion(crd(plural)).schema.openAPIV3Schema.properties?.[field];
  if (!s) throw new Error(`${plural}: no ${field} schema`);
  return s;
};
/** A schema without its descriptions, which may differ where the two kinds differ. */
const rules = (s: unknown): unknown =>
  Array.isArray(s)
    ? s.map(rules)
    : typeof s === "object" && s !== null
      ? Object.fromEntries(
          Object.entries(s)
            .filter(([k]) => k !== "description")
            .map(([k, v]) => [k, rules(v)]),
        )
      : s;

describe("the Webhook and ClusterWebhook kinds (manifests/crds.yaml)", () => {
  it("defines Webhook (namespaced) and ClusterWebhook (cluster-scoped) in jobhooks.dev, v1alpha1 only", () => {
    for (const [plural, scope, kind, shortName] of [
      ["webhooks", "Namespaced", "Webhook", "jwh"],
      ["clusterwebhooks", "Cluster", "ClusterWebhook", "cjwh"],
    ] as const) {
      const c = crd(plural);
      expect(c.spec.group).to.equal("jobhooks.dev");
      expect(c.spec.scope).to.equal(scope);
      expect(c.spec.names).to.deep.equal({
        kind,
        listKind: `${kind}List`,
        plural,
        singular: kind.toLowerCase(),
        shortNames: [shortName],
        categories: ["jobhooks"],
      });
      const v = onlyVersion(c);
      expect([v.name, v.served, v.storage]).to.deep.equal(["v1alpha1", true, true]);
      expect(v.subresources).to.deep.equal({ status: {} });
      expect(v.additionalPrinterColumns).to.deep.equal(PRINTER_COLUMNS);
    }
    expect(readObjects(CRDS_FILE)).to.have.length(2);
  });

  it("gives both kinds the same spec, but for the ClusterWebhook's namespaces, and the same status", () => {
    const { namespaces, ...clusterSpec } = schemaOf("clusterwebhooks", "spec").properties ?? {};
    expect(namespaces).to.not.equal(undefined);
    expect(rules(clusterSpec)).to.deep.equal(rules(schemaOf("webhooks", "spec").properties));
    expect(schemaOf("clusterwebhooks", "status")).to.deep.equal(schemaOf("webhooks", "status"));
  });

  describe("as the apiserver applies it @cluster", function () {
    this.timeout(60_000);
    let cluster: TestCluster;
    let ns: string;
    const clusterWebhook = `crds-test-${process.pid}`;

    const kubectl = (args: string[], input?: string): Promise<KubectlResult> =>
      runKubectl(cluster, cluster.kubeconfigPath, args, input);
    const object = (kind: string, spec: unknown): string =>
      stringify({
        apiVersion: API_VERSION,
        kind,
        metadata: { name: kind === "Webhook" ? "under-test" : clusterWebhook },
        spec,
      });
    const dryRun = (kind: string, spec: unknown): Promise<KubectlResult> =>
      kubectl(["apply", "--dry-run=server", "-n", ns, "-o", "json", "-f", "-"], object(kind, spec));
    const refusal = async (kind: string, spec: unknown): Promise<string> => {
      const r = await dryRun(kind, spec);
      expect(r.code, `${kind} ${JSON.stringify(spec)} accepted: ${r.stdout}`).to.equal(1);
      return r.stderr;
    };
    const header = (stdout: string): string[] => (stdout.split("\n")[0] ?? "").split(/\s{2,}/);

    before(async function () {
      this.timeout(5 * 60_000);
      cluster = await sharedCluster();
      // Applies crds.yaml for real and waits for both kinds to be served.
      await controlplaneKubeConfig(cluster);
      ns = await createTestNamespace(cluster, "crds");
    });

    after(async function () {
      this.timeout(60_000);
      await cluster.kubectl(["delete", "namespace", ns, "--wait=false"]);
      await cluster.kubectl(["delete", "clusterwebhook", clusterWebhook, "--ignore-not-found"]);
    });

    it("refuses a Webhook without url", async () => {
      expect(await refusal("Webhook", { description: "no url" })).to.match(
        /spec\.url: Required value/,
      );
    });

    it("refuses a url that is not http or https", async () => {
      expect(await refusal("Webhook", { url: "ftp://x" })).to.match(
        /spec\.url: Invalid value: "ftp:\/\/x": spec\.url in body should match '\^https\?:\/\/'/,
      );
      expect(await refusal("Webhook", { url: "https://" })).to.match(
        /spec\.url: Invalid value: "https:\/\/": must be an absolute http or https URL with a host/,
      );
    });

    it("refuses a cloudEvents.mode other than Binary or Structured", async () => {
      expect(await refusal("Webhook", { url: "https://x", cloudEvents: { mode: "Foo" } })).to.match(
        /spec\.cloudEvents\.mode: Unsupported value: "Foo": supported values: "Binary", "Structured"/,
      );
    });

    it("refuses headers jobhooks sets itself, in any case, and names that are no HTTP token", async () => {
      for (const name of ["Content-Type", "host", "CONTENT-LENGTH", "webhook-id", "Ce-Source"]) {
        const stderr = await refusal("Webhook", { url: "https://x", headers: { [name]: "v" } });
        expect(stderr, name).to.include(
          `spec.headers: Invalid value: header ${name} is set by jobhooks`,
        );
      }
      for (const name of ["X Team", "X-Team:", "é"]) {
        const stderr = await refusal("Webhook", { url: "https://x", headers: { [name]: "v" } });
        expect(stderr, name).to.include(
          "spec.headers: Invalid value: header names must be HTTP tokens",
        );
      }
      const tooMany = Object.fromEntries([...Array(21).keys()].map((i) => [`X-H${i}`, "v"]));
      expect(await refusal("Webhook", { url: "https://x", headers: tooMany })).to.match(
        /spec\.headers: Too many: 21: must have at most 20 items/,
      );
    });

    it("refuses a ClusterWebhook likewise, and namespaces that are no namespace names", async () => {
      expect(await refusal("ClusterWebhook", { namespaces: ["team-a"] })).to.match(
        /spec\.url: Required value/,
      );
      expect(
        await refusal("ClusterWebhook", { url: "https://x", headers: { "Content-Type": "v" } }),
      ).to.include("spec.headers: Invalid value: header Content-Type is set by jobhooks");
      expect(
        await refusal("ClusterWebhook", { url: "https://x", namespaces: ["Team_A"] }),
      ).to.match(/spec\.namespaces\[0\]: Invalid value: "Team_A"/);
    });

    it("fills in the defaults: mode Binary, key secret, timeoutSeconds 0", async () => {
      const accepted = async (spec: unknown): Promise<Record<string, unknown>> => {
        const r = await dryRun("Webhook", spec);
        expect(r.code, r.stderr).to.equal(0);
        return (JSON.parse(r.stdout) as { spec: Record<string, unknown> }).spec;
      };
      expect(
        await accepted({
          url: "https://example.com/hook",
          cloudEvents: {},
          signingSecretRef: { name: "signing" },
          headers: { "X-Team": "{{ job.namespace }}" },
        }),
      ).to.deep.equal({
        url: "https://example.com/hook",
        cloudEvents: { mode: "Binary" },
        signingSecretRef: { name: "signing", key: "secret" },
        headers: { "X-Team": "{{ job.namespace }}" },
        timeoutSeconds: 0,
      });
      // No cloudEvents: not a CloudEvent, and no default makes it one.
      expect(await accepted({ url: "https://example.com/hook" })).to.deep.equal({
        url: "https://example.com/hook",
        timeoutSeconds: 0,
      });
    });

    it("shows URL, Ready, Disabled, Last Delivery, Result, Delivered and Failed in kubectl get, from the status the controlplane patches", async () => {
      for (const kind of ["Webhook", "ClusterWebhook"]) {
        const spec = { url: "https://example.com/hook" };
        const created = await kubectl(["apply", "-n", ns, "-f", "-"], object(kind, spec));
        expect(created.code, created.stderr).to.equal(0);
        const name = kind === "Webhook" ? "under-test" : clusterWebhook;
        const resource = `${kind.toLowerCase()}s.jobhooks.dev`;
        const status = {
          observedGeneration: 1,
          conditions: [
            {
              type: "Ready",
              status: "True",
              reason: "Accepted",
              message: "",
              lastTransitionTime: "2025-01-01T00:00:00Z",
            },
            {
              type: "Disabled",
              status: "False",
              reason: "Enabled",
              message: "deliveries go out",
              lastTransitionTime: "2025-01-01T00:00:00Z",
            },
          ],
          failingSince: "2025-01-01T00:00:00Z",
          webhookId: "0b7d5c43-8d8f-4f4c-9a0e-3f1f0c5f4a11",
          lastDelivery: {
            time: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
            result: "Delivered",
            job: `${ns}/some-job`,
            attempts: 1,
            message: "200 OK",
          },
          delivered: 3,
          failed: 1,
        };
        // As the controlplane: a merge patch of the status subresource (kubectl patch would
        // read the object first, which the controlplane may not).
        const api = (await controlplaneKubeConfig(cluster)).makeApiClient(k8s.CustomObjectsApi);
        const where = {
          group: "jobhooks.dev",
          version: "v1alpha1",
          plural: resource.split(".")[0] ?? "",
          name,
        };
        const merge = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);
        await (kind === "Webhook"
          ? api.patchNamespacedCustomObjectStatus(
              { ...where, namespace: ns, body: { status } },
              merge,
            )
          : api.patchClusterCustomObjectStatus({ ...where, body: { status } }, merge));
        const got = await kubectl(["get", resource, name, "-n", ns]);
        expect(got.code, got.stderr).to.equal(0);
        const [head, row = ""] = got.stdout.trim().split("\n");
        expect(header(head ?? ""), kind).to.deep.equal(HEADER);
        expect(row.split(/\s+/).slice(0, 8), kind).to.deep.equal([
          name,
          spec.url,
          "True",
          "False",
          row.split(/\s+/)[4], // LAST DELIVERY: an age, e.g. 0s
          "Delivered",
          "3",
          "1",
        ]);
        expect(row.split(/\s+/)[4]).to.match(/^\d+s$/);
      }
    });

    it("lists both kinds under the category jobhooks and their short names", async () => {
      const all = await kubectl(["get", "jobhooks", "-n", ns, "-o", "name"]);
      expect(all.code, all.stderr).to.equal(0);
      expect(all.stdout.trim().split("\n")).to.include.members([
        "webhook.jobhooks.dev/under-test",
        `clusterwebhook.jobhooks.dev/${clusterWebhook}`,
      ]);
      for (const [short, id] of [
        ["jwh", "webhook.jobhooks.dev/under-test"],
        ["cjwh", `clusterwebhook.jobhooks.dev/${clusterWebhook}`],
      ] as const) {
        const r = await kubectl(["get", short, "-n", ns, "-o", "name"]);
        expect(r.stdout.trim().split("\n"), short).to.include(id);
      }
    });
  });
});
