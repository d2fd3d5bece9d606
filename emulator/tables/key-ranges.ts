/**
 * The RowKey ranges a query filter can match, read from its comparisons of RowKey with string literals, so a scan
 * seeks to them instead of testing every row of a partition: the event store reads a stream's events after a
 * version and its inbox row (`PartitionKey eq 'concert-1' and ((RowKey ge 'e:…' and RowKey lt 'e;') or RowKey eq
 * 'i:…')`), and the outbox sweeper the `o:` rows of every partition. A superset only: the scan still tests each row
 * it reads against the whole filter, so bounds are taken inclusive and anything not understood is unbounded.
 */
import type { FilterNode } from "./odata-filter.js";

/** Inclusive bounds; an absent bound is open. */
export interface KeyRange {
  lo?: string;
  hi?: string;
}

/** Disjoint ranges in key order, or undefined: any RowKey may match. */
export function rowKeyRanges(node: FilterNode | undefined): KeyRange[] | undefined {
  if (!node) return undefined;
  switch (node.kind) {
    case "and": {
      const left = rowKeyRanges(node.left);
      const right = rowKeyRanges(node.right);
      if (!left) return right;
      if (!right) return left;
      return merge(left.flatMap((a) => right.flatMap((b) => intersect(a, b))));
    }
    case "or": {
      const left = rowKeyRanges(node.left);
      const right = rowKeyRanges(node.right);
      return left && right ? merge([...left, ...right]) : undefined;
    }
    case "compare":
      return compared(node);
    default:
      return undefined;
  }
}

function compared(node: Extract<FilterNode, { kind: "compare" }>): KeyRange[] | undefined {
  const { left, right } = node;
  let op = node.op;
  let literal = right;
  if (left.kind !== "property" || left.name !== "RowKey") {
    if (right.kind !== "property" || right.name !== "RowKey") return undefined;
    // 'x' lt RowKey is RowKey gt 'x'.
    literal = left;
    op = ({ lt: "gt", le: "ge", gt: "lt", ge: "le", eq: "eq", ne: "ne" } as const)[op];
  }
  if (literal.kind !== "literal" || literal.value.type !== "Edm.String") return undefined;
  const value = literal.value.value as string;
  switch (op) {
    case "eq":
      return [{ lo: value, hi: value }];
    case "ge":
    case "gt":
      return [{ lo: value }];
    case "le":
    case "lt":
      return [{ hi: value }];
    default:
      return undefined;
  }
}

function intersect(a: KeyRange, b: KeyRange): KeyRange[] {
  const lo = a.lo === undefined ? b.lo : b.lo === undefined ? a.lo : a.lo > b.lo ? a.lo : b.lo;
  const hi = a.hi === undefined ? b.hi : b.hi === undefined ? a.hi : a.hi < b.hi ? a.hi : b.hi;
  if (lo !== undefined && hi !== undefined && lo > hi) return [];
  return [{ ...(lo === undefined ? {} : { lo }), ...(hi === undefined ? {} : { hi }) }];
}

/** Sorted by lower bound, overlapping ranges joined. */
function merge(ranges: KeyRange[]): KeyRange[] {
  const byLowerBound = (a: KeyRange, b: KeyRange) =>
    a.lo === b.lo ? 0 : a.lo === undefined ? -1 : b.lo === undefined ? 1 : a.lo < b.lo ? -1 : 1;
  const sorted = [...ranges].sort(byLowerBound);
  const out: KeyRange[] = [];
  for (const range of sorted) {
    const last = out.at(-1);
    if (last && (last.hi === undefined || range.lo === undefined || range.lo <= last.hi)) {
      if (last.hi !== undefined && (range.hi === undefined || range.hi > last.hi)) {
        if (range.hi === undefined) delete last.hi;
        else last.hi = range.hi;
      }
    } else out.push({ ...range });
  }
  return out;
}
