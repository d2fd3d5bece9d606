/**
 * User (application) property lookup. Azure's SQL filter docs say "Property names are case-insensitive" without
 * limiting it to system properties, and correlation filters are documented as equal to the SQL expression
 * `sys.ReplyTo = '...' AND color = 'Red'`; so every filter and action here reads a user property by its exact name
 * first and, when the message has no property of that exact name, by a name that differs only in case.
 * The case-insensitive step needs `userPropertyNames()` on the message view; without it, lookups are exact.
 */
import type { FilterInput } from "./types.js";

/** The name under which the message holds `name` (exact match first, then ignoring case), or undefined. */
export function resolveUserPropertyName(message: FilterInput, name: string): string | undefined {
  if (message.user(name) !== undefined) return name;
  const names = message.userPropertyNames?.();
  if (!names) return undefined;
  const lower = name.toLowerCase();
  for (const candidate of names) if (candidate.toLowerCase() === lower) return candidate;
  return undefined;
}

/** The value of user property `name` (undefined when absent). */
export function readUserProperty(message: FilterInput, name: string): unknown {
  const exact = message.user(name);
  if (exact !== undefined) return exact;
  const resolved = resolveUserPropertyName(message, name);
  return resolved === undefined ? undefined : message.user(resolved);
}
