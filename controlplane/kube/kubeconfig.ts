import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { accessOfKubeConfig, type KubeAccess, type KubeTls } from "./KubeAccess.js";
import {
  KubeConfigError,
  readKubeconfigs,
  type Entry,
  type Kubeconfig,
  type RawCluster,
  type RawUser,
} from "./kubeconfigFiles.js";

export { KubeConfigError } from "./kubeconfigFiles.js";

export interface KubeAccessOptions {
  kubeconfig?: string;
  context?: string;
}

/** Where the process looks; the defaults are the real ones, tests point them elsewhere. */
export interface KubeEnvironment {
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** Where a pod finds its ServiceAccount's token and the cluster's CA. */
  serviceAccountDir?: string;
}

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
/** A token file (a projected ServiceAccount token, a kubeconfig's tokenFile) is read again after this. */
export const TOKEN_FILE_TTL_MS = 10_000;

/**
 * Kubernetes access as kubectl finds it: --kubeconfig, then KUBECONFIG (a list, merged), then
 * ~/.kube/config, then the pod's ServiceAccount. Certificates, tokens, token files and basic auth
 * are read here; a user with an exec plugin or an auth provider is handed to client-node, loaded
 * only then.
 */
export function loadKubeAccess(o: KubeAccessOptions, where: KubeEnvironment = {}): KubeAccess {
  const env = where.env ?? process.env;
  const paths = kubeconfigPaths(o.kubeconfig, env, where.home ?? homedir());
  if (paths.length === 0) return inCluster(env, where.serviceAccountDir ?? SERVICE_ACCOUNT_DIR);
  const config = readKubeconfigs(paths);
  const { name, cluster, user } = chosenContext(config, o.context);
  if (user && (user.value.exec !== undefined || user.value["auth-provider"] !== undefined))
    return viaClientNode(cluster, o.kubeconfig, name);
  return fromEntries(cluster, user);
}

function chosenContext(
  config: Kubeconfig,
  asked: string | undefined,
): { name: string; cluster: Entry<RawCluster>; user: Entry<RawUser> | undefined } {
  const name = asked || config.currentContext;
  if (!name)
    throw new KubeConfigError(
      "no Kubernetes cluster configured: pass --kubeconfig, set KUBECONFIG, or run in a cluster",
    );
  const context = config.contexts.get(name);
  if (!context) {
    const known = [...config.contexts.keys()].join(", ") || "none";
    throw new KubeConfigError(`context "${name}" not found (known: ${known})`);
  }
  const { cluster, user } = context.value;
  return {
    name,
    cluster: named(config, "clusters", cluster, name),
    user: user ? named(config, "users", user, name) : undefined,
  };
}

function kubeconfigPaths(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv,
  home: string,
): string[] {
  if (explicit !== undefined && explicit !== "") {
    if (!existsSync(explicit)) throw new KubeConfigError(`kubeconfig ${explicit} does not exist`);
    return [explicit];
  }
  const listed = (env.KUBECONFIG ?? "").split(delimiter).filter((p) => p !== "");
  if (listed.length > 0) {
    const present = listed.filter((p) => existsSync(p));
    if (present.length === 0)
      throw new KubeConfigError(`none of KUBECONFIG's files exists (${listed.join(delimiter)})`);
    return present;
  }
  const own = join(home, ".kube", "config");
  return existsSync(own) ? [own] : [];
}

function named<K extends "clusters" | "users">(
  config: Kubeconfig,
  kind: K,
  name: string | undefined,
  context: string,
): NonNullable<ReturnType<Kubeconfig[K]["get"]>> {
  const entry = name === undefined ? undefined : config[kind].get(name);
  if (!entry) {
    const what = kind === "clusters" ? "cluster" : "user";
    throw new KubeConfigError(
      name === undefined
        ? `context "${context}" names no ${what}`
        : `context "${context}" names ${what} "${name}", which the kubeconfig does not define`,
    );
  }
  return entry as NonNullable<ReturnType<Kubeconfig[K]["get"]>>;
}

function fromEntries(cluster: Entry<RawCluster>, user: Entry<RawUser> | undefined): KubeAccess {
  const c = cluster.value;
  if (typeof c.server !== "string" || c.server === "")
    throw new KubeConfigError(`cluster "${cluster.name}" has no server`);
  const u = user?.value ?? {};
  const dir = user?.dir ?? cluster.dir;
  const tls = once(async () => ({
    ...(await material(
      c["certificate-authority-data"],
      c["certificate-authority"],
      cluster.dir,
      "ca",
    )),
    ...(await material(u["client-certificate-data"], u["client-certificate"], dir, "cert")),
    ...(await material(u["client-key-data"], u["client-key"], dir, "key")),
  }));
  return {
    server: c.server,
    skipTLSVerify: c["insecure-skip-tls-verify"] === true,
    ...(c["tls-server-name"] && { tlsServerName: c["tls-server-name"] }),
    tls,
    headers: userHeaders(u, dir),
  };
}

function userHeaders(u: RawUser, dir: string): () => Promise<Record<string, string>> {
  if (u.token) {
    const token = u.token;
    return () => Promise.resolve({ authorization: `Bearer ${token}` });
  }
  if (u.tokenFile) return bearerFromFile(resolve(dir, u.tokenFile));
  if (u.username !== undefined && u.password !== undefined) {
    const basic = Buffer.from(`${u.username}:${u.password}`).toString("base64");
    return () => Promise.resolve({ authorization: `Basic ${basic}` });
  }
  return () => Promise.resolve({});
}

async function material(
  data: string | undefined,
  file: string | undefined,
  dir: string,
  key: keyof KubeTls,
): Promise<KubeTls> {
  if (data) return { [key]: Buffer.from(data, "base64") };
  if (file) return { [key]: await readFile(resolve(dir, file)) };
  return {};
}

/** The pod's own ServiceAccount: its token (re-read, the kubelet rotates it) and the cluster's CA. */
function inCluster(env: NodeJS.ProcessEnv, dir: string): KubeAccess {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port || !existsSync(join(dir, "token")))
    throw new KubeConfigError(
      "no kubeconfig found (KUBECONFIG, ~/.kube/config) and not running in a cluster: pass --kubeconfig",
    );
  const server = host.includes(":") ? `https://[${host}]:${port}` : `https://${host}:${port}`;
  return {
    server,
    skipTLSVerify: false,
    tls: once(async () => ({ ca: await readFile(join(dir, "ca.crt")) })),
    headers: bearerFromFile(join(dir, "token")),
  };
}

function bearerFromFile(path: string): () => Promise<Record<string, string>> {
  let cached: { token: string; readAt: number } | undefined;
  return async () => {
    if (!cached || Date.now() - cached.readAt > TOKEN_FILE_TTL_MS)
      cached = { token: (await readFile(path, "utf8")).trim(), readAt: Date.now() };
    return { authorization: `Bearer ${cached.token}` };
  };
}

/** Exec plugins and auth providers, as client-node runs them; it is loaded on the first call. */
function viaClientNode(
  cluster: Entry<RawCluster>,
  explicit: string | undefined,
  context: string,
): KubeAccess {
  const loaded = once(async () => {
    const { KubeConfig } = await import("@kubernetes/client-node");
    const kc = new KubeConfig();
    if (explicit) kc.loadFromFile(explicit);
    else kc.loadFromDefault();
    kc.setCurrentContext(context);
    return accessOfKubeConfig(kc);
  });
  const c = cluster.value;
  return {
    server: c.server ?? "",
    skipTLSVerify: c["insecure-skip-tls-verify"] === true,
    ...(c["tls-server-name"] && { tlsServerName: c["tls-server-name"] }),
    tls: async () => (await loaded()).tls(),
    headers: async () => (await loaded()).headers(),
  };
}

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}
