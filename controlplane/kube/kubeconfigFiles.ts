import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { parse } from "yaml";

export class KubeConfigError extends Error {}

/** One named entry of a kubeconfig, with the folder its relative file paths start from. */
export interface Entry<T> {
  name: string;
  value: T;
  dir: string;
}

export interface RawCluster {
  server?: string;
  "certificate-authority"?: string;
  "certificate-authority-data"?: string;
  "insecure-skip-tls-verify"?: boolean;
  "tls-server-name"?: string;
}

export interface RawUser {
  "client-certificate"?: string;
  "client-certificate-data"?: string;
  "client-key"?: string;
  "client-key-data"?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  exec?: unknown;
  "auth-provider"?: unknown;
}

export interface RawContext {
  cluster?: string;
  user?: string;
}

/** Kubeconfig files merged as kubectl merges KUBECONFIG's list: the first to name a thing wins. */
export interface Kubeconfig {
  clusters: Map<string, Entry<RawCluster>>;
  users: Map<string, Entry<RawUser>>;
  contexts: Map<string, Entry<RawContext>>;
  currentContext: string | undefined;
}

export function readKubeconfigs(paths: readonly string[]): Kubeconfig {
  const merged: Kubeconfig = {
    clusters: new Map(),
    users: new Map(),
    contexts: new Map(),
    currentContext: undefined,
  };
  for (const path of paths) {
    const doc = readOne(path);
    const from = { dir: dirname(path), path };
    add(merged.clusters, doc.clusters, "cluster", from);
    add(merged.users, doc.users, "user", from);
    add(merged.contexts, doc.contexts, "context", from);
    const current = doc["current-context"];
    if (merged.currentContext === undefined && typeof current === "string" && current !== "")
      merged.currentContext = current;
  }
  return merged;
}

type Doc = Record<string, unknown>;

function readOne(path: string): Doc {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new KubeConfigError(`kubeconfig ${path} could not be read: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc))
    throw unreadable({ dir: dirname(path), path }, "it is not a mapping");
  return doc as Doc;
}

interface Source {
  dir: string;
  path: string;
}

function add<T>(into: Map<string, Entry<T>>, list: unknown, key: string, from: Source): void {
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) throw unreadable(from, `${key}s is not a list`);
  for (const item of list as unknown[]) {
    const { name, value } = entryOf(item, key, from);
    if (!into.has(name)) into.set(name, { name, value: value as T, dir: from.dir });
  }
}

function entryOf(item: unknown, key: string, from: Source): { name: string; value: object } {
  const { name, [key]: value } = (item ?? {}) as Record<string, unknown>;
  if (typeof name !== "string" || name === "") throw unreadable(from, `a ${key} has no name`);
  if (value === undefined) return { name, value: {} };
  if (typeof value !== "object" || value === null)
    throw unreadable(from, `${key} ${name} is not a mapping`);
  return { name, value };
}

function unreadable(from: Source, why: string): KubeConfigError {
  return new KubeConfigError(`kubeconfig ${from.path} could not be read: ${why}`);
}
