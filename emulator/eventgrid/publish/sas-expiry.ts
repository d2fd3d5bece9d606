/**
 * Reads the expiry (`e`) of an Event Grid SAS token in every form the official SDKs write it, since Azure accepts
 * tokens from all of them and each SDK formats the date its own way:
 * - JS `generateSharedAccessSignature`: "1/2/2030 12:05:06 AM" (UTC);
 * - .NET `EventGridSasBuilder`: a DateTimeOffset in en-US, "1/2/2030 12:05:06 AM +00:00" (the caller's offset);
 * - Java `generateSas`: "1/2/2030 12:5:6 AM" (UTC, pattern "M/d/yyyy h:m:s a", so minutes and seconds unpadded);
 * - Python `generate_sas`: `str(datetime)`, "2030-01-02 00:05:06[.ffffff][+hh:mm]" (a naive datetime is UTC).
 * Hand-written rather than a date library: two fixed patterns, and none of the project's dependencies parses the
 * US 12-hour form with an optional offset.
 */

const US_12_HOUR = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{1,2}):(\d{1,2}) ?(AM|PM)(?: ?(Z|[+-]\d{2}:?\d{2}))?$/i;
const ISO_LIKE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Minutes to subtract to get UTC from a "+hh:mm" / "-hhmm" / "Z" suffix (none means UTC). */
function offsetMinutes(suffix: string | undefined): number {
  if (!suffix || suffix.toUpperCase() === "Z") return 0;
  const digits = suffix.replace(":", "");
  const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
  return suffix.startsWith("-") ? -minutes : minutes;
}

/** Epoch ms of the fields, or undefined when they don't name a real instant (month 13, 10:61...). */
function utc(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
  offset: number,
): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const at = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Date.UTC rolls 31 February into March; a real expiry never does.
  if (new Date(at).getUTCDate() !== d) return undefined;
  return at - offset * 60_000;
}

/** Epoch ms of a SAS expiry, or undefined when it is in no SDK's format. */
export function parseSasExpiry(text: string): number | undefined {
  const trimmed = text.trim();
  const us = US_12_HOUR.exec(trimmed);
  if (us) {
    const [, mo, d, y, h, mi, s, ampm, zone] = us;
    if (Number(h) < 1 || Number(h) > 12) return undefined;
    const hour = (Number(h) % 12) + (ampm.toUpperCase() === "PM" ? 12 : 0);
    return utc(Number(y), Number(mo), Number(d), hour, Number(mi), Number(s), 0, offsetMinutes(zone));
  }
  const iso = ISO_LIKE.exec(trimmed);
  if (iso) {
    const [, y, mo, d, h, mi, s, fraction, zone] = iso;
    const ms = fraction ? Number(fraction.padEnd(3, "0").slice(0, 3)) : 0;
    return utc(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), ms, offsetMinutes(zone));
  }
  return undefined;
}
