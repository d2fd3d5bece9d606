/** One log line per handled message, prefixed with its correlation id (the host's invocation line carries it too). */
import type { InvocationContext } from "@azure/functions";

export function logOutcome(context: InvocationContext, correlationId: string, text: string): void {
  context.log(`[correlationId=${correlationId}] ${text}`);
}

/** The correlation id of a Service Bus message or Event Grid event body (CloudEvents `correlationid`), for logging. */
export function correlationIdOf(body: unknown): string {
  const value = (body as { correlationid?: unknown } | null)?.correlationid;
  return typeof value === "string" ? value : "-";
}
