/**
 * JSON in Table Storage properties. A string property holds at most 64 KiB (32 K UTF-16 characters), an entity at
 * most 1 MiB and an entity-group transaction at most 4 MiB: a longer JSON text is split across `<name>`,
 * `<name>_1`, `<name>_2`... and refused, with an error naming the limit, past what one entity can hold.
 */
const CHARS_PER_PROPERTY = 30_000;
/** Leaves room in the 1 MiB entity for the keys and the other properties (strings count 2 bytes a character). */
export const MAX_JSON_CHARS_PER_ENTITY = 14 * CHARS_PER_PROPERTY;

export class EntityTooLargeError extends Error {
  readonly code = "EntityTooLarge";
  constructor(what: string, chars: number) {
    super(`${what} is ${chars} characters of JSON; a Table Storage entity holds at most ${MAX_JSON_CHARS_PER_ENTITY}.`);
    this.name = "EntityTooLargeError";
  }
}

export function jsonProperties(name: string, value: unknown, what: string): Record<string, string | number> {
  const text = JSON.stringify(value);
  if (text.length > MAX_JSON_CHARS_PER_ENTITY) throw new EntityTooLargeError(what, text.length);
  const properties: Record<string, string | number> = { [name]: text.slice(0, CHARS_PER_PROPERTY) };
  const parts = Math.max(1, Math.ceil(text.length / CHARS_PER_PROPERTY));
  for (let i = 1; i < parts; i++) properties[`${name}_${i}`] = text.slice(i * CHARS_PER_PROPERTY, (i + 1) * CHARS_PER_PROPERTY);
  if (parts > 1) properties[`${name}_parts`] = parts;
  return properties;
}

export function readJson<T>(entity: Record<string, unknown>, name: string): T {
  const parts = typeof entity[`${name}_parts`] === "number" ? (entity[`${name}_parts`] as number) : 1;
  let text = String(entity[name]);
  for (let i = 1; i < parts; i++) text += String(entity[`${name}_${i}`]);
  return JSON.parse(text) as T;
}

/** Characters of the JSON properties of an entity (for the 4 MiB transaction limit). */
export function jsonChars(properties: Record<string, unknown>): number {
  let n = 0;
  for (const v of Object.values(properties)) if (typeof v === "string") n += v.length;
  return n;
}
