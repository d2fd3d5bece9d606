/**
 * Deterministic JSON for generated documents: object keys sorted at every level (arrays keep their order), two-space
 * indentation, a final newline. The same catalog and topology always give the same bytes, so a stale checked-in
 * document shows up as a plain diff.
 */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!value || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
}

export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + "\n";
}
