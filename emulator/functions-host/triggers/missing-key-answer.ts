/**
 * What the local host answers a request to a function- or admin-level function without a valid key. Azure's host
 * answers 401 with an empty body (its authorization filter ends in a bare StatusCodeResult), which leaves a new
 * user guessing which key and where it comes from. Here the status stays 401, so clients and SDKs see what Azure
 * gives them, and the body, which no client of Azure can rely on, says what to send: problem+json (RFC 9457)
 * naming the header, the query parameter and the app settings the local host reads keys from.
 */
import type { ServerResponse } from "node:http";
import type { AuthLevel } from "./http-keys.js";

export interface MissingKey {
  functionName: string;
  level: AuthLevel;
  /** Whether any key opens the function: without one, every request is refused until a key is set. */
  keyConfigured: boolean;
  /** The request path, the problem's `instance`. */
  instance: string;
}

export function missingKeyProblem({ functionName, level, keyConfigured, instance }: MissingKey): object {
  const where =
    level === "admin"
      ? "the master key (app setting host.master)"
      : "a function key: app setting host.function.<name> (every function), " +
        `functions.${functionName}.<name> (this one) or host.master`;
  const state = keyConfigured ? "" : " No such key is set in this host's app settings, so every request is refused.";
  return {
    type: "about:blank",
    title: "Unauthorized",
    status: 401,
    detail:
      `Function ${functionName} has auth level "${level}": send ${where} in the x-functions-key header or the code ` +
      `query parameter. In Azure the keys are the function app's (portal: App keys; az functionapp keys list).${state}`,
    instance,
  };
}

export function writeMissingKey(res: ServerResponse, missing: MissingKey): void {
  const body = Buffer.from(JSON.stringify(missingKeyProblem(missing)));
  const headers = { "content-type": "application/problem+json; charset=utf-8", "content-length": String(body.length) };
  res.writeHead(401, headers);
  res.end(body);
}
