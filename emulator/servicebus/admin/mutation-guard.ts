/**
 * The guard in front of every emulator endpoint on the HTTP port that changes state (purge, resubmit, reset, clock
 * advance, webhook re-pointing): without it any local process, or any web page the developer has open, could empty
 * the queues. Two checks:
 * - the namespace key, proven the way the administration API's SDK client proves it: an `Authorization:
 *   SharedAccessSignature sr=&sig=&se=&skn=` header, checked by the administration API's own code (sas-auth.ts),
 *   with a namespace-wide scope and an audience naming this namespace;
 * - the same-origin rule: a request carrying an `Origin` header (every browser's cross-site POST, PATCH and CORS
 *   preflight does) is refused unless it comes from the emulator's own origin on a loopback or the bound address,
 *   so neither a random page nor a DNS-rebound name gets through. Clients outside browsers send no `Origin`.
 */
import type http from "node:http";
import { HttpError, PROBLEM_JSON, type RequestGuard } from "../../common/http-server.js";
import type { SasCredentials } from "../cbs.js";
import { AdminError } from "./admin-error.js";
import { authorizeAdminRequest } from "./sas-auth.js";

/** How to get in, in every 401: which header, how to make the token, where the key is printed. */
export const HOW_TO_AUTHORIZE =
  "Send 'Authorization: SharedAccessSignature sr=<url-encoded http://localhost:5300/>&sig=<signature>&se=<expiry, " +
  "epoch seconds>&skn=RootManageSharedAccessKey', where the signature is base64(HMAC-SHA256(key, sr + '\\n' + se)). " +
  "The key is the SharedAccessKey of the Service Bus connection string the emulator prints at start " +
  "(SAS_KEY_VALUE). `npm run sb` signs its calls itself; the README shows a curl one-liner.";

function problem(status: number, title: string, detail: string): HttpError {
  return new HttpError(status, { type: "about:blank", title, status, detail }, PROBLEM_JSON);
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

function bracketed(address: string): string {
  const bare = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
  return bare.includes(":") ? `[${bare}]` : bare;
}

/** Why `req`'s Origin is not the emulator's own, or undefined when it is (or when there is none). */
export function foreignOrigin(req: http.IncomingMessage): string | undefined {
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return `the Origin '${origin}' is not this emulator's`;
  }
  const sameHost = url.host.toLowerCase() === (req.headers.host ?? "").toLowerCase();
  const hostname = url.hostname.toLowerCase();
  const reached = req.socket.localAddress;
  const local = LOOPBACK.has(hostname) || (reached !== undefined && hostname === bracketed(reached));
  if (url.protocol === "http:" && sameHost && local) return undefined;
  return `the Origin '${origin}' is not this emulator's`;
}

export interface MutationGuardOptions {
  credentials: SasCredentials;
  /** The Service Bus namespace's name: a token may name it as its host. */
  namespaceName: string;
}

export function mutationGuard(options: MutationGuardOptions): RequestGuard {
  return {
    refuseForeignOrigin(req) {
      const why = foreignOrigin(req);
      if (why) {
        const detail = `${why}: the emulator changes state only for clients outside web pages.`;
        throw problem(403, "Cross-site requests are refused", detail);
      }
    },
    requireKey(req) {
      const addressed = { hostname: req.headers.host, localAddress: req.socket.localAddress };
      try {
        // "" as the path: only a namespace-wide token (no entity in its sr) may purge, reset or move the clock.
        const audience = { namespaceName: options.namespaceName, addressed };
        authorizeAdminRequest(req.headers.authorization, "", options.credentials, audience);
      } catch (err) {
        if (!(err instanceof AdminError)) throw err;
        const reason = err.message.replace(/ TrackingId:.*$/, "");
        throw problem(401, "The namespace key is required", `${reason} ${HOW_TO_AUTHORIZE}`);
      }
    },
  };
}
