/** The first hop of a purchase: the HTTP request that sent its command. */
import type { CloudEvent } from "../events/envelope.js";
import { activeIds } from "../telemetry/message-processing.js";
import { factsOf, hopOf } from "./hop.js";
import { recordHops } from "./hop-recorder.js";

export function recordRequest(command: CloudEvent, route: string, at: Date): void {
  const facts = factsOf(command);
  if (facts) recordHops([hopOf(facts, "requested", at, { by: route, ...activeIds() })]);
}
