/**
 * Makes the `Authorization` header value the emulator's mutating HTTP endpoints (and Azure's Service Bus REST and
 * administration APIs) take: `SharedAccessSignature sr=&sig=&se=&skn=`, the signature being base64(HMAC-SHA256(key,
 * url-encoded sr + "\n" + se)). For clients in this repo (`npm run sb`, test helpers, the bench) that call those
 * endpoints with fetch; the SDKs make their own. Hand-written: @azure/core-amqp's createSasTokenProvider does the same
 * but is only a transitive dependency here, and this is a few lines of node:crypto.
 */
import { createHmac } from "node:crypto";
import { SAS_KEY_NAME, SAS_KEY_VALUE } from "./index.js";

export interface SasKey {
  keyName: string;
  key: string;
}

/** The emulator's well-known namespace key, the one its printed connection string carries. */
export const EMULATOR_KEY: SasKey = { keyName: SAS_KEY_NAME, key: SAS_KEY_VALUE };

/**
 * A token for `resource` (a URL; its origin with path `/` covers the whole namespace) valid `validForSeconds`.
 * The emulator checks expiry against wall time, so moving its clock never expires the token.
 */
export function sasAuthorization(resource: string, key: SasKey = EMULATOR_KEY, validForSeconds = 3600): string {
  const sr = encodeURIComponent(resource);
  const se = Math.floor(Date.now() / 1000) + validForSeconds;
  const hmac = createHmac("sha256", Buffer.from(key.key, "utf8")).update(`${sr}\n${se}`);
  const sig = encodeURIComponent(hmac.digest("base64"));
  return `SharedAccessSignature sr=${sr}&sig=${sig}&se=${se}&skn=${encodeURIComponent(key.keyName)}`;
}

/** The header for the emulator at `baseUrl` (e.g. http://localhost:5300), namespace-wide. */
export function emulatorAuthorizationHeader(baseUrl: string, key: SasKey = EMULATOR_KEY): { authorization: string } {
  return { authorization: sasAuthorization(`${new URL(baseUrl).origin}/`, key) };
}
