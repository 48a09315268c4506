import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import { isIP } from "node:net";
import { createCertificateAuthority, issueCertificate, type CertificateAuthority } from "./pki.js";
import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import { Waker } from "../../common/Waker.js";

/** A serving certificate (chain) and its key, PEM. */
export interface KeyPair {
  cert: string;
  key: string;
}

/** Where the injector's TLS certificate comes from, and news of its renewal. */
export interface ServingCertificates {
  current(): KeyPair;
  /** Calls `listener` with each new pair; returns the unsubscribe. */
  onChange(listener: (pair: KeyPair) => void): () => void;
}

/** The certificate files are missing or do not make a usable pair. */
export class CertificateError extends Error {}

/**
 * --tls-cert-file and --tls-key-file, read again every `pollMs` (10 s): a renewed pair, such as
 * cert-manager writes into a mounted Secret, is served from then on. A pair that does not load
 * (one file written, the other not yet) is skipped until it does.
 */
export class CertificateFiles implements ServingCertificates, Part {
  readonly name = "certificate-files";
  private pair: KeyPair;
  private readonly listeners = new Set<(pair: KeyPair) => void>();
  private readonly waker = new Waker();

  constructor(
    private readonly files: { certFile: string; keyFile: string },
    private readonly log: Logger,
    private readonly pollMs = 10_000,
  ) {
    this.pair = checked(
      { cert: readText(files.certFile), key: readText(files.keyFile) },
      `${files.certFile} and ${files.keyFile}`,
    );
  }

  current(): KeyPair {
    return this.pair;
  }

  onChange(listener: (pair: KeyPair) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.waker.sleep(this.pollMs, signal);
      await this.reload();
    }
  }

  private async reload(): Promise<void> {
    let next: KeyPair;
    try {
      const [cert, key] = await Promise.all([
        readFile(this.files.certFile, "utf8"),
        readFile(this.files.keyFile, "utf8"),
      ]);
      if (cert === this.pair.cert && key === this.pair.key) return;
      next = checked({ cert, key }, "the changed certificate files");
    } catch (err) {
      this.log.warn({ err }, "certificate files changed but do not load; serving the old pair");
      return;
    }
    this.pair = next;
    for (const listener of this.listeners) listener(next);
  }
}

/** A certificate made at start and never renewed. */
export class FixedCertificates implements ServingCertificates {
  constructor(private readonly pair: KeyPair) {}

  current(): KeyPair {
    return this.pair;
  }

  onChange(): () => void {
    return () => {};
  }
}

/**
 * --self-signed: a serving certificate for `hosts` (DNS names or IP addresses) from `ca`, or from
 * a CA made at start whose key never leaves this process's memory. Both live ten years; a
 * restart without a kept CA makes new ones and CaBundleKeeper tells the apiserver.
 */
export async function selfSignedCertificates(
  hosts: string[],
  kept?: CertificateAuthority,
): Promise<{ certificates: FixedCertificates; caPem: string }> {
  const ca = kept ?? (await createCertificateAuthority("jobhooks injector CA", 3650));
  const leaf = await issueCertificate(ca, {
    commonName: hosts[0] ?? "jobhooks-injector",
    dnsNames: hosts.filter((h) => isIP(h) === 0),
    ipAddresses: hosts.filter((h) => isIP(h) !== 0),
    usages: ["server"],
    validDays: 3650,
  });
  return {
    certificates: new FixedCertificates({ cert: leaf.certPem, key: leaf.keyPem }),
    caPem: ca.certPem,
  };
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new CertificateError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

// Node's TLS loads the pair, or says why not (no PEM, key does not match the certificate, ...).
function checked(pair: KeyPair, what: string): KeyPair {
  try {
    createSecureContext(pair);
  } catch (err) {
    throw new CertificateError(
      `${what} are not a usable certificate and key: ${(err as Error).message}`,
    );
  }
  return pair;
}
