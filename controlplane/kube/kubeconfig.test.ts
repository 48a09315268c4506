import { expect } from "chai";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { KubeConfigError, loadKubeAccess, type KubeEnvironment } from "./kubeconfig.js";

const b64 = (s: string): string => Buffer.from(s).toString("base64");

function kubeconfig(o: {
  current?: string;
  clusters?: Record<string, Record<string, unknown>>;
  users?: Record<string, Record<string, unknown>>;
  contexts?: Record<string, Record<string, unknown>>;
}): string {
  const list = (m: Record<string, Record<string, unknown>> | undefined, key: string): unknown[] =>
    Object.entries(m ?? {}).map(([name, value]) => ({ name, [key]: value }));
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    ...(o.current && { "current-context": o.current }),
    clusters: list(o.clusters, "cluster"),
    users: list(o.users, "user"),
    contexts: list(o.contexts, "context"),
  });
}

describe("loadKubeAccess: the kubeconfig as kubectl reads it, without client-node", () => {
  let dir: string;
  let nowhere: KubeEnvironment;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "kubeconfig-"));
    nowhere = { env: {}, home: join(dir, "home"), serviceAccountDir: join(dir, "sa") };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const refusal = (o: Parameters<typeof loadKubeAccess>[0], where = nowhere): string => {
    try {
      loadKubeAccess(o, where);
    } catch (err) {
      expect(err).to.be.instanceOf(KubeConfigError);
      return (err as Error).message;
    }
    throw new Error("loaded");
  };

  it("reads inline certificates and a token, for the current context", async () => {
    const path = file(
      "config",
      kubeconfig({
        current: "x",
        clusters: {
          c: { server: "https://127.0.0.1:6443", "certificate-authority-data": b64("CA") },
        },
        users: {
          u: {
            "client-certificate-data": b64("CERT"),
            "client-key-data": b64("KEY"),
            token: "t0k",
          },
        },
        contexts: { x: { cluster: "c", user: "u" } },
      }),
    );
    const access = loadKubeAccess({ kubeconfig: path }, nowhere);
    expect(access.server).to.equal("https://127.0.0.1:6443");
    expect(access.skipTLSVerify).to.equal(false);
    const tls = await access.tls();
    expect([tls.ca, tls.cert, tls.key].map(String)).to.deep.equal(["CA", "CERT", "KEY"]);
    expect(await access.headers()).to.deep.equal({ authorization: "Bearer t0k" });
  });

  it("reads certificate files relative to the kubeconfig, and a token file again as it rotates", async () => {
    file("ca.pem", "CA-FILE");
    file("token", "first\n");
    const path = file(
      "config",
      kubeconfig({
        current: "x",
        clusters: {
          c: {
            server: "https://k:1",
            "certificate-authority": "ca.pem",
            "insecure-skip-tls-verify": true,
            "tls-server-name": "kubernetes",
          },
        },
        users: { u: { tokenFile: "token" } },
        contexts: { x: { cluster: "c", user: "u" } },
      }),
    );
    const access = loadKubeAccess({ kubeconfig: path }, nowhere);
    expect(String((await access.tls()).ca)).to.equal("CA-FILE");
    expect(access.skipTLSVerify).to.equal(true);
    expect(access.tlsServerName).to.equal("kubernetes");
    expect(await access.headers()).to.deep.equal({ authorization: "Bearer first" });
    const headers = await access.headers();
    headers.accept = "application/json";
    expect(await access.headers(), "each call gets its own object").to.deep.equal({
      authorization: "Bearer first",
    });
  });

  it("takes --context over current-context, and names the known ones when it is missing", () => {
    const path = file(
      "config",
      kubeconfig({
        current: "a",
        clusters: { one: { server: "https://one:1" }, two: { server: "https://two:2" } },
        contexts: { a: { cluster: "one" }, b: { cluster: "two" } },
      }),
    );
    expect(loadKubeAccess({ kubeconfig: path, context: "b" }, nowhere).server).to.equal(
      "https://two:2",
    );
    expect(refusal({ kubeconfig: path, context: "c" })).to.equal(
      'context "c" not found (known: a, b)',
    );
  });

  it("merges KUBECONFIG's files, the first to name a thing winning", async () => {
    const first = file(
      "first",
      kubeconfig({
        current: "x",
        clusters: { c: { server: "https://first:1" } },
        contexts: { x: { cluster: "c", user: "u" } },
      }),
    );
    const second = file(
      "second",
      kubeconfig({
        current: "y",
        clusters: { c: { server: "https://second:2" } },
        users: { u: { username: "ann", password: "pw" } },
      }),
    );
    const env = { KUBECONFIG: [join(dir, "absent"), first, second].join(":") };
    const access = loadKubeAccess({}, { ...nowhere, env });
    expect(access.server).to.equal("https://first:1");
    expect(await access.headers()).to.deep.equal({ authorization: `Basic ${b64("ann:pw")}` });
  });

  it("uses ~/.kube/config when nothing else is named", () => {
    const home = join(dir, "home");
    const path = join(home, ".kube", "config");
    mkdirSync(join(home, ".kube"), { recursive: true });
    writeFileSync(
      path,
      kubeconfig({
        current: "x",
        clusters: { c: { server: "https://home:1" } },
        contexts: { x: { cluster: "c" } },
      }),
    );
    expect(loadKubeAccess({}, nowhere).server).to.equal("https://home:1");
  });

  it("runs in a pod on its ServiceAccount: the service's address, its CA, its token re-read", async () => {
    const sa = join(dir, "sa");
    mkdirSync(sa);
    writeFileSync(join(sa, "token"), "pod-token");
    writeFileSync(join(sa, "ca.crt"), "POD-CA");
    const env = { KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "443" };
    const access = loadKubeAccess({}, { ...nowhere, env });
    expect(access.server).to.equal("https://[fd00::1]:443");
    expect(String((await access.tls()).ca)).to.equal("POD-CA");
    expect(await access.headers()).to.deep.equal({ authorization: "Bearer pod-token" });
  });

  it("refuses, with one line each, what it cannot use", () => {
    expect(refusal({ kubeconfig: join(dir, "absent") })).to.equal(
      `kubeconfig ${join(dir, "absent")} does not exist`,
    );
    expect(refusal({})).to.equal(
      "no kubeconfig found (KUBECONFIG, ~/.kube/config) and not running in a cluster: pass --kubeconfig",
    );
    const broken = file("broken", "clusters: [unclosed");
    expect(refusal({ kubeconfig: broken })).to.match(/^kubeconfig .*broken could not be read: /);
    const noCurrent = file("none", kubeconfig({ clusters: { c: { server: "https://c:1" } } }));
    expect(refusal({ kubeconfig: noCurrent })).to.match(/^no Kubernetes cluster configured/);
    const dangling = file(
      "dangling",
      kubeconfig({ current: "x", contexts: { x: { cluster: "gone" } } }),
    );
    expect(refusal({ kubeconfig: dangling })).to.equal(
      'context "x" names cluster "gone", which the kubeconfig does not define',
    );
    const noServer = file(
      "noserver",
      kubeconfig({ current: "x", clusters: { c: {} }, contexts: { x: { cluster: "c" } } }),
    );
    expect(refusal({ kubeconfig: noServer })).to.equal('cluster "c" has no server');
  });

  it("hands a user with an exec plugin to client-node, which runs it", async () => {
    const plugin = file(
      "plugin.sh",
      `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-exec"}}'\n`,
    );
    chmodSync(plugin, 0o755);
    const path = file(
      "config",
      kubeconfig({
        current: "x",
        clusters: { c: { server: "https://exec:1" } },
        users: {
          u: {
            exec: {
              apiVersion: "client.authentication.k8s.io/v1",
              command: plugin,
              interactiveMode: "Never",
            },
          },
        },
        contexts: { x: { cluster: "c", user: "u" } },
      }),
    );
    const access = loadKubeAccess({ kubeconfig: path }, nowhere);
    expect(access.server).to.equal("https://exec:1");
    expect(await access.headers()).to.deep.equal({ authorization: "Bearer from-exec" });
  });
});
