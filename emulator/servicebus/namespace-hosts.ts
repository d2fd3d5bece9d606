/**
 * Whether a SAS token's audience (`sr`, e.g. `sb://localhost:5672/q1`) names this namespace. The emulator's key is
 * well known, so the signature alone proves little: a token minted for `sb://other.servicebus.windows.net/q1` must
 * not open this namespace just because it was signed with that key.
 *
 * "This namespace" is every name an unchanged SDK may sign for: the loopback names, the address the client's socket
 * reached (the bound --host, or any of the machine's addresses under 0.0.0.0), the host the client says it addressed
 * (AMQP open `hostname`, HTTP `Host`: a container reaching `host.docker.internal` signs for that name), and the
 * namespace's own name, alone or as the first label of a host name (`sbemulatorns.servicebus.windows.net`).
 * A host under one of Azure's Service Bus DNS suffixes is a real namespace, not this emulator: it counts only when
 * its first label is this namespace's name, whatever host the client claims to have addressed.
 * Ports never matter: the SDKs put the connection string's port in `sr` or leave it out.
 */

/** How a client reached the emulator, as far as the protocol tells. */
export interface AddressedAs {
  /** The host the client addressed: the AMQP open frame's `hostname`, or the HTTP `Host` header. */
  hostname?: string;
  /** The local address its socket reached (`socket.localAddress`). */
  localAddress?: string;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1"]);
/** Azure's public and sovereign clouds' Service Bus host suffixes. */
const AZURE_SUFFIX = /\.servicebus\.(windows\.net|chinacloudapi\.cn|usgovcloudapi\.net|cloudapi\.de)$/;

/** A host name without port, brackets, IPv4-mapped prefix or trailing dot, in lower case. */
function bareHost(host: string): string {
  let h = host.trim().toLowerCase();
  const bracketed = /^\[([^\]]*)\](?::\d+)?$/.exec(h);
  if (bracketed) h = bracketed[1];
  else if (h.split(":").length === 2) h = h.slice(0, h.indexOf(":"));
  return h.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "").replace(/\.$/, "");
}

/** The host of an absolute audience URI, or undefined for a bare path (which names no namespace). */
export function audienceHost(audience: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(audience.trim());
  if (!m) return undefined;
  const authority = m[1].replace(/^[^@]*@/, "");
  return bareHost(authority);
}

/** True when `audience` names no host, or a host that is this namespace (see the header). */
export function namesThisNamespace(audience: string, namespaceName: string, addressed: AddressedAs = {}): boolean {
  const host = audienceHost(audience);
  if (host === undefined) return true;
  const name = namespaceName.toLowerCase();
  if (name !== "" && (host === name || host.startsWith(`${name}.`))) return true;
  if (AZURE_SUFFIX.test(host)) return false;
  if (LOOPBACK.has(host)) return true;
  if (addressed.localAddress && host === bareHost(addressed.localAddress)) return true;
  return addressed.hostname !== undefined && host === bareHost(addressed.hostname);
}
