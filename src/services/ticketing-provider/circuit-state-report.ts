/**
 * Where the ticketing provider's circuit state shows: one log line per change (opened, with why and until when;
 * half-open; closed), and a `circuit` hop on the timeline of the purchase whose call changed it, so that a purchase
 * that waited shows why and a probe shows which purchase made it.
 */
import { recordCurrentMessageHop } from "../../telemetry/message-processing.js";
import type { CircuitStateChange } from "./provider-circuit-breaker.js";

export function describeCircuitChange(change: CircuitStateChange): string {
  switch (change.state) {
    case "open":
      return (
        `ticketing provider circuit open (last failure: ${change.reason ?? "unknown"}); ` +
        `calls fail fast until a probe at ${change.halfOpenAt?.toISOString() ?? "?"}`
      );
    case "half-open":
      return "ticketing provider circuit half-open: one probe goes to the provider";
    case "closed":
      return "ticketing provider circuit closed: the provider answers again";
  }
}

export function reportCircuitChange(change: CircuitStateChange, log: (line: string) => void = console.warn): void {
  const line = describeCircuitChange(change);
  log(line);
  recordCurrentMessageHop("circuit", { circuit: change.state, detail: line });
}
