/**
 * Runs one src/http endpoint as a function: its answer as the response, and one log line with the correlation id,
 * the status and, for a 5xx, the failure behind it (the response itself shows no internals).
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { appServices } from "../src/app/app-services.js";
import type { ApiDeps } from "../src/http/api-deps.js";
import type { EndpointResult } from "../src/http/api-response.js";
import { CORRELATION_HEADER } from "../src/http/correlation.js";

export function endpoint(label: string, run: (request: HttpRequest, deps: ApiDeps) => Promise<EndpointResult>) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const { response, id, failure } = await run(request, appServices().api);
    const line = `[correlationId=${response.headers[CORRELATION_HEADER]}] ${label} -> ${response.status}${id ? ` ${id}` : ""}`;
    if (response.status >= 500) context.error(`${line}: ${failure instanceof Error ? (failure.cause instanceof Error ? `${failure.message} (${failure.cause.stack})` : failure.stack) : String(failure)}`);
    else context.log(line);
    return response;
  };
}
