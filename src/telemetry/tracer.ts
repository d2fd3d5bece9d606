/** The tracer the system's spans come from (a no-op one until startTelemetry registers a provider). */
import { type Tracer, trace } from "@opentelemetry/api";

export const TRACER_NAME = "musicfest-ticketing";

export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}
