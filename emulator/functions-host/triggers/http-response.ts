/**
 * Writes the HTTP output of an invocation (the library's RpcHttp: status, headers, cookies, body bytes) to the
 * client, as the host does after a non-streaming HTTP invocation.
 */
import type { ServerResponse } from "node:http";
import type { RpcHttpCookie, RpcHttpData, RpcTypedData } from "../rpc-types.js";

function bodyBytes(body: RpcTypedData | null | undefined): Buffer {
  if (!body) return Buffer.alloc(0);
  if (body.bytes) return Buffer.from(body.bytes);
  if (body.stream) return Buffer.from(body.stream);
  if (typeof body.string === "string") return Buffer.from(body.string, "utf8");
  if (typeof body.json === "string") return Buffer.from(body.json, "utf8");
  return Buffer.alloc(0);
}

export function serializeCookie(c: RpcHttpCookie): string {
  let out = `${c.name ?? ""}=${encodeURIComponent(c.value ?? "")}`;
  if (c.domain?.value) out += `; Domain=${c.domain.value}`;
  if (c.path?.value) out += `; Path=${c.path.value}`;
  if (c.expires?.value?.seconds !== undefined && c.expires.value.seconds !== null) {
    out += `; Expires=${new Date(c.expires.value.seconds * 1000).toUTCString()}`;
  }
  if (c.maxAge?.value !== undefined && c.maxAge.value !== null) out += `; Max-Age=${Math.floor(c.maxAge.value)}`;
  if (c.secure?.value) out += "; Secure";
  if (c.httpOnly?.value) out += "; HttpOnly";
  if (c.sameSite === "lax") out += "; SameSite=Lax";
  else if (c.sameSite === "strict") out += "; SameSite=Strict";
  else if (c.sameSite === "explicitNone") out += "; SameSite=None";
  return out;
}

export function writeRpcHttpResponse(res: ServerResponse, http: RpcHttpData, isHead: boolean): void {
  const status = Number(http.statusCode ?? 200) || 200;
  const body = bodyBytes(http.body);
  for (const [name, value] of Object.entries(http.headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === "content-length" || lower === "transfer-encoding" || lower === "connection") continue;
    res.setHeader(name, value);
  }
  const cookies = (http.cookies ?? []).map(serializeCookie);
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  // 204 and 304 carry no body, whatever the function set.
  const noBody = status === 204 || status === 304 || (status >= 100 && status < 200);
  if (!noBody) res.setHeader("content-length", body.length);
  res.writeHead(status);
  res.end(noBody || isHead ? undefined : body);
}

/** An empty response with a status, as the host sends for 401, 404 and failed invocations. */
export function writeEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { "content-length": "0", ...headers });
  res.end();
}
