/**
 * Resolves an advanced-filter key (`subject`, `data.order.total`, a CloudEvents extension…) against an event.
 * Keys are dotted paths with no escaping, as in Azure; each segment matches a property exactly, or else
 * case-insensitively (Azure's docs write `Data.Key1` and `Subject`).
 */
export type Lookup = { found: false } | { found: true; value: unknown };

function property(obj: Record<string, unknown>, name: string): Lookup {
  if (Object.prototype.hasOwnProperty.call(obj, name)) return { found: true, value: obj[name] };
  const lower = name.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return { found: true, value: obj[k] };
  return { found: false };
}

export function lookupKey(event: Record<string, unknown>, key: string): Lookup {
  let cur: unknown = event;
  for (const part of key.split(".")) {
    if (typeof cur !== "object" || cur === null || Array.isArray(cur)) return { found: false };
    const next = property(cur as Record<string, unknown>, part);
    if (!next.found) return next;
    cur = next.value;
  }
  return { found: true, value: cur };
}
