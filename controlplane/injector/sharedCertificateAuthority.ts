import { setTimeout as sleep } from "node:timers/promises";
import { backoffDelay, type BackoffPolicy } from "../../common/backoff.js";
import type { Logger } from "../../common/logger.js";
import type { KubeApi } from "../kube/KubeApi.js";
import {
  createCertificateAuthority,
  loadCertificateAuthority,
  type CertificateAuthority,
} from "./pki.js";

/** Where the CA of several replicas is kept: a Secret of type kubernetes.io/tls. */
export interface CaSecret {
  namespace: string;
  name: string;
}

interface TlsSecret {
  data?: Record<string, string>;
}

// About 0.5–1 s, 1–2 s, … up to 5–10 s between tries, for up to a minute in all.
const BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 10_000 };
const GIVE_UP_MS = 60_000;

/**
 * The CA every replica's injector serves a certificate from, kept in `secret`: read when it
 * exists, else made here and created, and read again if another replica created it first (409).
 * So all replicas agree on one caBundle and CaBundleKeeper has nothing to fight over; the key
 * is readable by whoever may read that Secret, and by no one else.
 */
export async function sharedCertificateAuthority(
  api: KubeApi,
  secret: CaSecret,
  log: Logger,
  signal?: AbortSignal,
): Promise<CertificateAuthority> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await getOrCreate(api, secret, signal);
    } catch (err) {
      if (signal?.aborted || Date.now() - started > GIVE_UP_MS) throw failed(secret, err);
      const retryIn = backoffDelay(attempt, BACKOFF);
      log.warn(
        { err, secret: `${secret.namespace}/${secret.name}`, retryIn },
        "cannot read or create the injector's CA Secret; retrying",
      );
      await sleep(retryIn, undefined, signal && { signal }).catch(() => {
        throw failed(secret, err);
      });
    }
  }
}

async function getOrCreate(
  api: KubeApi,
  secret: CaSecret,
  signal: AbortSignal | undefined,
): Promise<CertificateAuthority> {
  const path = `/api/v1/namespaces/${encodeURIComponent(secret.namespace)}/secrets`;
  const existing = await read(api, `${path}/${encodeURIComponent(secret.name)}`, signal);
  if (existing) return existing;
  const ca = await createCertificateAuthority("jobhooks injector CA", 3650);
  try {
    await api.request({
      method: "POST",
      path,
      body: {
        apiVersion: "v1",
        kind: "Secret",
        type: "kubernetes.io/tls",
        metadata: {
          name: secret.name,
          labels: {
            "app.kubernetes.io/name": "jobhooks",
            "app.kubernetes.io/component": "controlplane",
          },
        },
        data: { "tls.crt": base64(ca.certPem), "tls.key": base64(ca.keyPem) },
      },
      ...(signal && { signal }),
    });
    return ca;
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
    // Another replica created it between our read and our create: use theirs.
    const theirs = await read(api, `${path}/${encodeURIComponent(secret.name)}`, signal);
    if (!theirs) throw err;
    return theirs;
  }
}

async function read(
  api: KubeApi,
  path: string,
  signal: AbortSignal | undefined,
): Promise<CertificateAuthority | undefined> {
  let found: TlsSecret;
  try {
    found = await api.getJson<TlsSecret>(path, {}, signal);
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
  const cert = found.data?.["tls.crt"];
  const key = found.data?.["tls.key"];
  if (!cert || !key) throw new Error(`${path} has no tls.crt and tls.key`);
  return loadCertificateAuthority({ certPem: unbase64(cert), keyPem: unbase64(key) });
}

function failed(secret: CaSecret, err: unknown): Error {
  return new Error(
    `cannot read or create the injector's CA Secret ${secret.namespace}/${secret.name} (--self-signed-ca-secret): ${err instanceof Error ? err.message : String(err)}`,
    { cause: err },
  );
}

const base64 = (text: string): string => Buffer.from(text).toString("base64");
const unbase64 = (data: string): string => Buffer.from(data, "base64").toString("utf8");
