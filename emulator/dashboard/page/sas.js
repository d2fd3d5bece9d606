/**
 * Credentials of the dashboard's actions. Every action (purge, resubmit, send, clock advance) goes through the
 * emulator's protected endpoints, which want a namespace-wide SAS token: the page never gets the key from the
 * emulator (an open route serving it would make the guard pointless). The user pastes the Service Bus connection
 * string the emulator prints once; it stays in this tab's sessionStorage (gone when the tab closes), and each
 * request gets a fresh short-lived token signed here with Web Crypto's HMAC-SHA256, as the SDKs sign theirs.
 */
const STORAGE_KEY = "emulator-dashboard-connection";
const TOKEN_SECONDS = 300;

/** `Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=...` -> { keyName, key }, or an Error saying why not. */
export function parseConnectionString(text) {
  const parts = {};
  for (const piece of String(text).split(";")) {
    const at = piece.indexOf("=");
    if (at > 0) parts[piece.slice(0, at).trim().toLowerCase()] = piece.slice(at + 1).trim();
  }
  if (!parts.sharedaccesskeyname || !parts.sharedaccesskey) {
    return new Error("A connection string with SharedAccessKeyName and SharedAccessKey is needed.");
  }
  return { keyName: parts.sharedaccesskeyname, key: parts.sharedaccesskey };
}

export function savedCredentials() {
  const text = sessionStorage.getItem(STORAGE_KEY);
  if (!text) return undefined;
  const parsed = parseConnectionString(text);
  return parsed instanceof Error ? undefined : parsed;
}

export function saveConnectionString(text) {
  const parsed = parseConnectionString(text);
  if (parsed instanceof Error) return parsed;
  sessionStorage.setItem(STORAGE_KEY, text.trim());
  return parsed;
}

export function forgetCredentials() {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** `SharedAccessSignature sr=&sig=&se=&skn=` for this page's origin (the whole namespace). */
export async function authorization(credentials) {
  const sr = encodeURIComponent(`${location.origin}/`);
  const se = Math.floor(Date.now() / 1000) + TOKEN_SECONDS;
  const bytes = new TextEncoder();
  const hmac = { name: "HMAC", hash: "SHA-256" };
  const key = await crypto.subtle.importKey("raw", bytes.encode(credentials.key), hmac, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, bytes.encode(`${sr}\n${se}`)));
  const sig = encodeURIComponent(btoa(String.fromCharCode(...mac)));
  return `SharedAccessSignature sr=${sr}&sig=${sig}&se=${se}&skn=${encodeURIComponent(credentials.keyName)}`;
}
