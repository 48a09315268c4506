// @peculiar/x509 resolves its parts through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { randomBytes, type webcrypto } from "node:crypto";

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(globalThis.crypto);

// ECDSA P-256: accepted by kube-apiserver, Node's TLS and admission webhooks, and a key is made in
// a millisecond where RSA 2048 takes tens.
const KEY_ALGORITHM: webcrypto.EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" };
const SIGNING_ALGORITHM: webcrypto.EcdsaParams = { name: "ECDSA", hash: "SHA-256" };
const DAY_MS = 24 * 60 * 60 * 1000;

/** A certificate and its private key, both PEM. */
export interface PemPair {
  certPem: string;
  keyPem: string;
}

/** A certificate authority that can issue leaf certificates. */
export interface CertificateAuthority extends PemPair {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

export type CertificateUsage = "server" | "client";

export interface CertificateRequest {
  commonName: string;
  /** Subject O= values; Kubernetes reads them as groups of a client certificate. */
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  usages: CertificateUsage[];
  /** Lifetime in days; default 365. */
  validDays?: number;
}

export async function createCertificateAuthority(
  commonName: string,
  validDays = 3650,
): Promise<CertificateAuthority> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: distinguishedName(commonName, []),
    ...validity(validDays),
    signingAlgorithm: SIGNING_ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign |
          x509.KeyUsageFlags.cRLSign |
          x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    cert,
    keys,
    certPem: cert.toString("pem"),
    keyPem: await privateKeyPem(keys.privateKey),
  };
}

/** A CA made earlier (createCertificateAuthority's certPem and keyPem), to issue more from. */
export async function loadCertificateAuthority(pair: PemPair): Promise<CertificateAuthority> {
  const cert = new x509.X509Certificate(pair.certPem);
  const der = x509.PemConverter.decode(pair.keyPem)[0];
  if (!der) throw new Error("the CA's key is not PEM");
  const privateKey = await globalThis.crypto.subtle.importKey("pkcs8", der, KEY_ALGORITHM, true, [
    "sign",
  ]);
  // x509 types the key with the DOM's CryptoKey, which this project's libs do not declare.
  const publicKey = (await cert.publicKey.export(KEY_ALGORITHM, [
    "verify",
  ])) as unknown as CryptoKey;
  return { cert, keys: { privateKey, publicKey }, certPem: pair.certPem, keyPem: pair.keyPem };
}

export async function issueCertificate(
  ca: CertificateAuthority,
  request: CertificateRequest,
): Promise<PemPair> {
  const keys = await generateKeys();
  const names: x509.JsonGeneralNames = [
    ...(request.dnsNames ?? []).map((value) => ({ type: "dns" as const, value })),
    ...(request.ipAddresses ?? []).map((value) => ({ type: "ip" as const, value })),
  ];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    new x509.ExtendedKeyUsageExtension(
      request.usages.map((u) =>
        u === "server" ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
      ),
    ),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: distinguishedName(request.commonName, request.organizations ?? []),
    issuer: ca.cert.subject,
    ...validity(request.validDays ?? 365),
    signingAlgorithm: SIGNING_ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions,
  });
  return { certPem: cert.toString("pem"), keyPem: await privateKeyPem(keys.privateKey) };
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return globalThis.crypto.subtle.generateKey(KEY_ALGORITHM, true, ["sign", "verify"]);
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await globalThis.crypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

function distinguishedName(commonName: string, organizations: string[]): x509.JsonName {
  return [{ CN: [commonName] }, ...organizations.map((o) => ({ O: [o] }))];
}

// Backdated a little so a peer whose clock lags does not reject a certificate made just now.
function validity(days: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - 5 * 60 * 1000), notAfter: new Date(now + days * DAY_MS) };
}

// Positive 16-byte serial: the top bit cleared so DER does not read it as negative.
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString("hex");
}
