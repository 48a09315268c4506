import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { repoRoot } from "../cluster/paths.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import { runningPod } from "../support/pods.js";
import { Receiver } from "../support/receiver.js";
import { exampleManifest, initScript, runInitScript } from "../support/seedExample.js";

describe("gateway: --auth=tokenreview --anonymous-auth=true, as installed @cluster", function () {
  this.timeout(5 * 60_000);
  let cluster: TestCluster;
  let ns: string;
  let gw: ControlplaneProcess;
  let receiver: Receiver;
  let core: k8s.CoreV1Api;

  async function rest(
    method: string,
    path: string,
    token?: string,
    body?: object,
  ): Promise<{ status: number; text: string }> {
    const res = await fetch(gw.restUrl + path, {
      method,
      headers: {
        ...(body && { "content-type": "application/json" }),
        ...(token !== undefined && { authorization: `Bearer ${token}` }),
      },
      ...(body && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, text };
  }

  async function token(name: string): Promise<string> {
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name } } });
    const req = await core.createNamespacedServiceAccountToken({
      name,
      namespace: ns,
      body: { spec: { audiences: ["jobhooks"], expirationSeconds: 600 } },
    });
    return req.status!.token;
  }

  before(async function () {
    this.timeout(5 * 60_000);
    cluster = await sharedCluster();
    core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
    ns = await createTestNamespace(cluster, "anon");
    receiver = await Receiver.start();
    await cluster.kubectl(["apply", "-f", join(repoRoot, "manifests", "rbac", "user-roles.yaml")]);
    await runningPod(cluster, ns, "worker-7");
    gw = await startControlplane(cluster, {
      role: "all",
      auth: "tokenreview",
      // The examples name no namespace: an anonymous caller's watchers land in the default one.
      args: ["--anonymous-auth=true", `--default-namespace=${ns}`],
    });
  });

  after(async () => {
    await gw.stop();
    await receiver.stop();
  });

  it("refuses a caller without a token what RBAC does not grant system:unauthenticated (403)", async () => {
    const watcher = await rest("POST", "/job-done-watchers", undefined, { jobName: "x" });
    expect(watcher.status).to.equal(403);
    expect(watcher.text).to.contain("system:anonymous may not create jobdonewatchers");
    const count = await rest("POST", `/increment?pod_name=worker-7&namespace=${ns}`);
    expect(count.status).to.equal(403);
    expect(count.text).to.contain("system:anonymous may not update podcounters");
    // A token that is not accepted is still 401: only its absence makes a caller anonymous.
    expect((await rest("GET", "/webhooks", "not-a-token")).status).to.equal(401);
  });

  it("with examples/seed-access.yaml bound, runs the seed's example Job unchanged and counts pods as pod-webhook-tracker did", async () => {
    const bindings = parseAllDocuments(
      readFileSync(join(repoRoot, "manifests", "examples", "seed-access.yaml"), "utf8"),
    ).map((d) => d.toJS() as k8s.V1RoleBinding);
    const rbac = cluster.kubeConfig.makeApiClient(k8s.RbacAuthorizationV1Api);
    for (const binding of bindings) {
      binding.metadata!.namespace = ns;
      await rbac.createNamespacedRoleBinding({ namespace: ns, body: binding });
    }
    // Webhooks stay for callers with a token and the webhook role.
    expect((await rest("POST", "/webhooks", undefined, { url: receiver.url })).status).to.equal(
      403,
    );
    const editor = await token("hook-admin");
    const binding = `${ns}-hook-admin`;
    await cluster.kubectl([
      ...["create", "clusterrolebinding", binding, "--clusterrole=jobhooks-webhook-editor"],
      `--serviceaccount=${ns}:hook-admin`,
    ]);
    try {
      const hook = await rest("POST", "/webhooks", editor, {
        url: `${receiver.url}/seed`,
        requestBody: '{"done":true}',
      });
      expect(hook.status).to.equal(201);
      const webhookId = (JSON.parse(hook.text) as { id: string }).id;

      const job = exampleManifest("seed-job.yaml") as k8s.V1Job;
      await cluster.kubeConfig
        .makeApiClient(k8s.BatchV1Api)
        .createNamespacedJob({ namespace: ns, body: job });
      // The denial of the test before is remembered up to 10 s (TokenReviewAuth's decision
      // cache), as the apiserver's webhook authorizer remembers its own.
      await waitFor(
        "the init script to succeed",
        () =>
          runInitScript(initScript(job.spec!.template), {
            jobName: "example-job",
            gatewayUrl: gw.restUrl,
            webhookId,
          }),
        { timeoutMs: 20_000, intervalMs: 1000 },
      );
      const [call] = await receiver.waitFor("/seed", 1, 30_000);
      expect(call!.body).to.equal('{"done":true}');

      // The first test's denial of the count, too, is remembered up to 10 s.
      const up = await waitFor(
        "the count to be allowed",
        async () => {
          const r = await rest("POST", `/increment?pod_name=worker-7&namespace=${ns}`);
          return r.status === 403 ? undefined : r;
        },
        { timeoutMs: 20_000, intervalMs: 1000 },
      );
      expect(up).to.deep.equal({ status: 200, text: "1" });
      expect((await rest("POST", `/decrement?pod_name=worker-7&namespace=${ns}`)).text).to.equal(
        "0",
      );
    } finally {
      await cluster.kubectl(["delete", "clusterrolebinding", binding]);
    }
  });
});
