/**
 * Publisher authentication as Azure checks it: `aeg-sas-key: <key>`, or a SAS token
 * (`aeg-sas-token: r=…&e=…&s=…`, or `Authorization: SharedAccessSignature r=…&e=…&s=…`) signed with HMAC-SHA256 over
 * "r=…&e=…" keyed by the base64-decoded topic key, with `e` in any SDK's date format (sas-expiry.ts). The signature
 * is checked over the text as received, so each SDK's URL encoding works. A bearer token cannot be checked locally
 * (no Entra ID), so it is accepted as Azure would accept a valid one.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { publishErrors } from "../errors.js";
import { parseSasExpiry } from "./sas-expiry.js";


function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface AuthTarget {
  key: string;
  /** The publish path of the topic, e.g. /eventgrid/topics/orders/api/events (the SAS resource must name it). */
  publishPath: string;
  /** Host header as received, for Azure's error message. */
  host: string;
  now: number;
}

/** Throws Azure's 401 (or 400 for an empty key) unless the request carries a valid credential for the topic. */
export function authenticate(headers: IncomingHttpHeaders, target: AuthTarget): void {
  const key = headers["aeg-sas-key"];
  if (typeof key === "string") {
    if (key.trim() === "") throw publishErrors.emptyKey();
    if (!safeEqual(key.trim(), target.key)) throw publishErrors.badKey(target.host);
    return;
  }
  const authorization = typeof headers.authorization === "string" ? headers.authorization : "";
  let token = typeof headers["aeg-sas-token"] === "string" ? headers["aeg-sas-token"] : undefined;
  if (token === undefined && /^SharedAccessSignature /i.test(authorization)) token = authorization.slice("SharedAccessSignature ".length);
  if (token !== undefined) {
    verifySas(token.trim(), target);
    return;
  }
  if (/^Bearer \S+/i.test(authorization)) return;
  throw publishErrors.missingAuth();
}

function verifySas(token: string, target: AuthTarget): void {
  const at = token.lastIndexOf("&s=");
  if (at < 0) throw publishErrors.badSas(target.host, "The SAS token has no signature ('s').");
  const signed = token.slice(0, at);
  let signature: string;
  try {
    signature = decodeURIComponent(token.slice(at + 3));
  } catch {
    throw publishErrors.badSas(target.host, "The SAS token's signature ('s') is not valid percent-encoding.");
  }
  const fields = new URLSearchParams(signed);
  const resource = fields.get("r");
  const expiry = fields.get("e");
  if (!resource || !expiry) throw publishErrors.badSas(target.host, "The SAS token must have 'r' (resource) and 'e' (expiry).");
  const expires = parseSasExpiry(expiry);
  if (expires === undefined) {
    const example = "1/2/2030 12:05:06 AM or 2030-01-02 00:05:06";
    throw publishErrors.badSas(target.host, `The SAS token's expiry '${expiry}' is not a date such as ${example}.`);
  }
  if (expires <= target.now) {
    const reason = `The SAS token expired on ${expiry} (${new Date(expires).toISOString()}).`;
    throw publishErrors.badSas(target.host, reason);
  }
  // The resource is the endpoint the client was given; hosts may differ (localhost / 127.0.0.1), the path may not.
  let resourcePath: string;
  try {
    resourcePath = new URL(resource).pathname;
  } catch {
    resourcePath = resource.split("?")[0];
  }
  if (resourcePath.replace(/\/$/, "").toLowerCase() !== target.publishPath.toLowerCase())
    throw publishErrors.badSas(target.host, `The SAS token's resource '${resource}' is not this topic's endpoint.`);
  const expected = createHmac("sha256", Buffer.from(target.key, "base64")).update(signed, "utf8").digest("base64");
  if (!safeEqual(expected, signature)) throw publishErrors.badSas(target.host, "The SAS token's signature does not match the topic's access key.");
}
