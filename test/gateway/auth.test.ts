import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { join } from "node:path";
import { repoRoot } from "../cluster/paths.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import { Receiver } from "../support/receiver.js";

describe("gateway: --auth=tokenreview @cluster", function () {
  this.timeout(20 * 60_000);
  let cluster: TestCluster;
  let gw: ControlplaneProcess;
  let receiver: Receiver;
  let core: k8s.CoreV1Api;
  let rbac: k8s.RbacAuthorizationV1Api;
  let teamA: string;
  let teamB: string;
  const tokens: Record<string, string> = {};

  async function serviceAccountToken(
    namespace: string,
    name: string,
    audience = "jobhooks",
  ): Promise<string> {
    await core
      .createNamespacedServiceAccount({ namespace, body: { metadata: { name } } })
      .catch(() => undefined);
    const req = await core.createNamespacedServiceAccountToken({
      name,
      namespace,
      body: { spec: { audiences: [audience], expirationSeconds: 3600 } },
    });
    return req.status!.token;
  }

  async function bind(
    namespace: string | undefined,
    account: { namespace: string; name: string },
    role: string,
  ): Promise<void> {
    const subjects = [{ kind: "ServiceAccount", name: account.name, namespace: account.namespace }];
    const metadata = { name: `${account.name}-${role}` };
    const roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role };
    if (namespace)
      await rbac.createNamespacedRoleBinding({ namespace, body: { metadata, subjects, roleRef } });
    else
      await rbac.createClusterRoleBinding({
        body: { metadata: { name: `${account.namespace}-${metadata.name}` }, subjects, roleRef },
      });
  }

  async function rest(
    method: string,
    path: string,
    token: string | undefined,
    body?: object,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(gw.restUrl + path, {
      method,
      headers: {
        "content-type": "application/json",
        ...(token !== undefined && { authorization: `Bearer ${token}` }),
      },
      ...(body && { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  before(async function () {
    this.timeout(60_000);
    cluster = await sharedCluster();
    core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
    rbac = cluster.kubeConfig.makeApiClient(k8s.RbacAuthorizationV1Api);
    await cluster.kubectl(["apply", "-f", join(repoRoot, "manifests", "rbac", "user-roles.yaml")]);
    teamA = await createTestNamespace(cluster, "team-a");
    teamB = await createTestNamespace(cluster, "team-b");
    // writer: webhooks cluster-wide, watchers in team A only. nobody: no rights. ownerB: watchers in B.
    await bind(undefined, { namespace: teamA, name: "writer" }, "jobhooks-webhook-editor");
    await bind(teamA, { namespace: teamA, name: "writer" }, "jobhooks-watcher-editor");
    await bind(teamB, { namespace: teamB, name: "owner" }, "jobhooks-watcher-editor");
    tokens.writer = await serviceAccountToken(teamA, "writer");
    tokens.nobody = await serviceAccountToken(teamA, "nobody");
    tokens.ownerB = await serviceAccountToken(teamB, "owner");
    tokens.wrongAudience = await serviceAccountToken(teamA, "writer", "someone-else");
    receiver = await Receiver.start();
    gw = await startControlplane(cluster, { role: "all", auth: "tokenreview" });
  });

  after(async () => {
    await gw.stop();
    await receiver.stop();
  });

  it("answers 401 without a token, with a garbage token, and with a token for another audience", async () => {
    const none = await rest("POST", "/job-done-watchers", undefined, { jobName: "x" });
    expect(none.status).to.equal(401);
    expect(none.body.detail).to.contain("bearer token is required");
    expect((await rest("GET", "/webhooks", "not-a-token")).status).to.equal(401);
    const other = await rest("GET", "/webhooks", tokens.wrongAudience);
    expect(other.status).to.equal(401);
    expect(other.body.detail).to.contain("not accepted");
  });

  it("answers 403 to a ServiceAccount without the RBAC, naming what is missing", async () => {
    const denied = await rest("POST", "/webhooks", tokens.nobody, { url: `${receiver.url}/a` });
    expect(denied.status).to.equal(403);
    expect(denied.body.detail).to.contain(
      `system:serviceaccount:${teamA}:nobody may not create webhooks`,
    );
    expect(
      (await rest("POST", "/job-done-watchers", tokens.nobody, { jobName: "x" })).status,
    ).to.equal(403);
  });

  it("lets a ServiceAccount with the RBAC create, in its own namespace by default (201)", async () => {
    const hook = await rest("POST", "/webhooks", tokens.writer, { url: `${receiver.url}/ok` });
    expect(hook.status).to.equal(201);
    const watcher = await rest("POST", "/job-done-watchers", tokens.writer, {
      jobName: "nightly",
      jobDoneTriggerWebhooks: [{ webhookId: hook.body.id }],
    });
    expect(watcher.status).to.equal(201);
    expect(watcher.body.namespace).to.equal(teamA);
    expect(
      (await rest("GET", `/job-done-watchers/${String(watcher.body.id)}`, tokens.writer)).status,
    ).to.equal(200);
    expect(
      (await rest("GET", `/job-done-watchers?namespace=${teamA}`, tokens.writer)).status,
    ).to.equal(200);
  });

  it("keeps a caller out of namespaces it has no rights in: no create, no read, no list, no cancel", async () => {
    const hook = await rest("POST", "/webhooks", tokens.writer, { url: `${receiver.url}/b` });
    const inB = await rest("POST", "/job-done-watchers", tokens.writer, {
      jobName: "theirs",
      namespace: teamB,
      jobDoneTriggerWebhooks: [{ webhookId: hook.body.id }],
    });
    expect(inB.status).to.equal(403);
    expect(inB.body.detail).to.contain(`may not create jobdonewatchers in namespace ${teamB}`);

    const theirs = await rest("POST", "/job-done-watchers", tokens.ownerB, {
      jobName: "theirs",
      jobDoneTriggerWebhooks: [],
    });
    expect(theirs.status).to.equal(201);
    const id = String(theirs.body.id);
    expect((await rest("GET", `/job-done-watchers/${id}`, tokens.writer)).status).to.equal(403);
    expect((await rest("POST", `/job-done-watchers/${id}/cancel`, tokens.writer)).status).to.equal(
      403,
    );
    expect(
      (await rest("GET", `/job-done-watchers?namespace=${teamB}`, tokens.writer)).status,
    ).to.equal(403);
    expect((await rest("GET", "/job-done-watchers", tokens.writer)).status).to.equal(403);
    expect((await rest("GET", `/job-done-watchers/${id}`, tokens.ownerB)).status).to.equal(200);
  });

  it("lets the webhook editor delete webhooks (204) and not the viewer (403)", async () => {
    await bind(undefined, { namespace: teamA, name: "reader" }, "jobhooks-webhook-viewer");
    const reader = await serviceAccountToken(teamA, "reader");
    const hook = await rest("POST", "/webhooks", tokens.writer, { url: `${receiver.url}/del` });
    const path = `/webhooks/${String(hook.body.id)}`;
    const del = (token: string | undefined): Promise<Response> =>
      fetch(gw.restUrl + path, {
        method: "DELETE",
        headers: { authorization: `Bearer ${token ?? ""}` },
      });
    const denied = await del(reader);
    expect(denied.status).to.equal(403);
    expect(((await denied.json()) as { detail: string }).detail).to.contain(
      `system:serviceaccount:${teamA}:reader may not delete webhooks`,
    );
    expect((await rest("GET", path, reader)).status).to.equal(200);
    expect((await del(tokens.writer)).status).to.equal(204);
    expect((await rest("GET", path, reader)).status).to.equal(404);
  });
});
