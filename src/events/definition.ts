/**
 * The shape of one catalog entry: what kind of message it is, its CloudEvents type at the current version, the
 * schema of its data, and the upcasters that turn each older version's data into the next version's.
 */
import type { z } from "zod";

export type MessageKind = "event" | "command" | "timeout";

export interface Upcaster {
  /** The version this upcaster reads; it returns data of `version + 1`. */
  version: number;
  type: string;
  schema: z.ZodType;
  upcast(data: unknown): unknown;
}

export interface MessageDefinition<S extends z.ZodType = z.ZodType> {
  kind: MessageKind;
  /** The bounded context that owns it (Concerts, Purchases, Payments, TicketingProvider). */
  context: string;
  name: string;
  version: number;
  type: string;
  schema: S;
  upcasters: readonly Upcaster[];
  /** Pushed to fans through the Event Grid topic as well (public, stable events only). */
  notify: boolean;
}

export function messageType(context: string, name: string, version: number): string {
  return `MusicFest.${context}.${name}.v${version}`;
}

export function definition<K extends MessageKind, S extends z.ZodType>(
  kind: K,
  context: string,
  name: string,
  version: number,
  schema: S,
  upcasters: readonly ((context: string, name: string) => Upcaster)[] = [],
  options: { notify?: boolean } = {},
): MessageDefinition<S> & { kind: K } {
  return { kind, context, name, version, type: messageType(context, name, version), schema, upcasters: upcasters.map((u) => u(context, name)), notify: options.notify ?? false };
}

/** An upcaster from `version` (validated with `schema`) to the next version. */
export function upcastFrom<S extends z.ZodType, R>(version: number, schema: S, upcast: (data: z.output<S>) => R): (context: string, name: string) => Upcaster {
  return (context, name) => ({ version, type: messageType(context, name, version), schema, upcast: (data) => upcast(data as z.output<S>) });
}
