/**
 * The emulator's TLS certificate: self-signed for localhost, 127.0.0.1 and ::1, made once and kept in a stable
 * directory so a user trusts it once (NODE_EXTRA_CA_CERTS, tlsOptions.ca, the OS store).
 *
 * Generation (an EC P-256 key, milliseconds) happens only when no valid certificate is on disk; a warm start only
 * reads two small files. Concurrent first starts (parallel test files) each build theirs in a private folder and
 * rename it into place: the first rename wins and the others read the winner's, so key and certificate always match.
 */
import { X509Certificate, randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export interface TlsCertificate {
  /** PEM of the certificate (what clients trust). */
  cert: string;
  /** PEM of the private key. */
  key: string;
}

export interface StoredCertificate extends TlsCertificate {
  /** File holding the certificate alone: the path users give NODE_EXTRA_CA_CERTS. */
  certPath: string;
}

const HOSTS = ["localhost"];
const ADDRESSES = ["127.0.0.1", "::1"];
/** Apple clients refuse TLS server certificates valid longer than 825 days. */
const VALID_DAYS = 825;
/** A certificate this close to expiry is replaced at start. */
const RENEW_BEFORE_MS = 7 * 86_400_000;

/** `$XDG_CACHE_HOME/fest-emulator` or `~/.cache/fest-emulator`. */
export function defaultCertificateDir(): string {
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(cache, "fest-emulator");
}

export async function generateCertificate(now = new Date()): Promise<TlsCertificate> {
  const notAfterDate = new Date(now.getTime() + VALID_DAYS * 86_400_000);
  // Loaded only when a certificate must be made (first start): its import is a large share of the CLI's start-up.
  const { default: selfsigned } = await import("selfsigned");
  const pems = await selfsigned.generate([{ name: "commonName", value: "localhost" }, { name: "organizationName", value: "Music Fest emulator" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate,
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [...HOSTS.map((value) => ({ type: 2 as const, value })), ...ADDRESSES.map((ip) => ({ type: 7 as const, ip }))] },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

function usable(cert: string, now: number): boolean {
  try {
    const x509 = new X509Certificate(cert);
    return Date.parse(x509.validTo) - RENEW_BEFORE_MS > now && Date.parse(x509.validFrom) <= now;
  } catch {
    return false;
  }
}

async function readStored(folder: string): Promise<StoredCertificate | undefined> {
  const certPath = path.join(folder, "cert.pem");
  try {
    const [cert, key] = await Promise.all([readFile(certPath, "utf8"), readFile(path.join(folder, "key.pem"), "utf8")]);
    return { cert, key, certPath };
  } catch {
    return undefined;
  }
}

/** The certificate kept under `dir` (made there on first use, or when the stored one is expiring). */
export async function loadOrCreateCertificate(dir = defaultCertificateDir()): Promise<StoredCertificate> {
  const folder = path.join(dir, "tls");
  const stored = await readStored(folder);
  if (stored && usable(stored.cert, Date.now())) return stored;

  await mkdir(dir, { recursive: true });
  const fresh = await generateCertificate();
  const staging = path.join(dir, `.tls-${randomUUID()}`);
  await mkdir(staging, { mode: 0o700 });
  await writeFile(path.join(staging, "key.pem"), fresh.key, { mode: 0o600 });
  await writeFile(path.join(staging, "cert.pem"), fresh.cert);
  if (stored) await rm(folder, { recursive: true, force: true });
  try {
    await rename(staging, folder);
    return { ...fresh, certPath: path.join(folder, "cert.pem") };
  } catch (err) {
    // Another process put its certificate in place first: use that one, so every process serves the same.
    await rm(staging, { recursive: true, force: true });
    const winner = await readStored(folder);
    if (winner) return winner;
    throw err;
  }
}
