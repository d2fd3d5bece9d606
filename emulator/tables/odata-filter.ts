/**
 * The $filter language of Table Storage queries: comparisons (eq ne gt ge lt le) of a property with a literal, joined
 * by and / or / not and parentheses, over the literal forms Azure documents (strings, numbers with an optional L,
 * true/false, datetime'…', guid'…', X'…' / binary'…')
 * (https://learn.microsoft.com/rest/api/storageservices/querying-tables-and-entities). That is all
 * @azure/data-tables' odata helper and the app produce. A small hand-written recursive-descent parser: the language
 * is a dozen tokens, which a grammar file plus a generation step would not make clearer.
 */
import type { StoredEntity, TypedValue } from "./entity.js";
import { TableError } from "./errors.js";

type Op = "eq" | "ne" | "gt" | "ge" | "lt" | "le";
type Operand = { kind: "property"; name: string } | { kind: "literal"; value: TypedValue };
export type FilterNode =
  | { kind: "and" | "or"; left: FilterNode; right: FilterNode }
  | { kind: "not"; operand: FilterNode }
  | { kind: "compare"; op: Op; left: Operand; right: Operand }
  | { kind: "operand"; operand: Operand };

interface Token {
  kind: "(" | ")" | "word" | "literal";
  text: string;
  value?: TypedValue;
  pos: number;
}

const COMPARISONS = new Set(["eq", "ne", "gt", "ge", "lt", "le"]);
const TYPED_LITERAL = /^(datetime|guid|X|binary)'((?:[^']|'')*)'/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?([LlDdMmFf])?(?![A-Za-z0-9_])/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < text.length) {
    const rest = text.slice(pos);
    const space = /^\s+/.exec(rest);
    if (space) {
      pos += space[0].length;
      continue;
    }
    if (rest[0] === "(" || rest[0] === ")") {
      tokens.push({ kind: rest[0], text: rest[0], pos });
      pos += 1;
      continue;
    }
    if (rest[0] === "'") {
      const m = /^'((?:[^']|'')*)'/.exec(rest);
      if (!m) throw TableError.invalidFilter(`unterminated string at position ${pos}.`);
      tokens.push({ kind: "literal", text: m[0], value: { type: "Edm.String", value: m[1].replace(/''/g, "'") }, pos });
      pos += m[0].length;
      continue;
    }
    const typedLiteral = TYPED_LITERAL.exec(rest);
    if (typedLiteral) {
      const value = typedLiteralValue(typedLiteral[1], typedLiteral[2], pos);
      tokens.push({ kind: "literal", text: typedLiteral[0], value, pos });
      pos += typedLiteral[0].length;
      continue;
    }
    const number = NUMBER.exec(rest);
    if (number) {
      tokens.push({ kind: "literal", text: number[0], value: numberValue(number, pos), pos });
      pos += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (!word) throw TableError.invalidFilter(`unexpected character ${JSON.stringify(rest[0])} at position ${pos}.`);
    if (word[0] === "true" || word[0] === "false") {
      tokens.push({ kind: "literal", text: word[0], value: { type: "Edm.Boolean", value: word[0] === "true" }, pos });
    } else {
      tokens.push({ kind: "word", text: word[0], pos });
    }
    pos += word[0].length;
  }
  return tokens;
}

function typedLiteralValue(prefix: string, body: string, pos: number): TypedValue {
  const text = body.replace(/''/g, "'");
  if (prefix === "datetime") {
    if (Number.isNaN(Date.parse(text))) {
      throw TableError.invalidFilter(`datetime'${text}' at position ${pos} is not a date.`);
    }
    return { type: "Edm.DateTime", value: text };
  }
  if (prefix === "guid") return { type: "Edm.Guid", value: text.toLowerCase() };
  if (!/^([0-9a-fA-F]{2})*$/.test(text)) {
    throw TableError.invalidFilter(`binary literal at position ${pos} is not hexadecimal.`);
  }
  return { type: "Edm.Binary", value: Buffer.from(text, "hex").toString("base64") };
}

function numberValue(m: RegExpExecArray, pos: number): TypedValue {
  const [text, fraction, exponent, suffix] = m;
  const digits = suffix ? text.slice(0, -1) : text;
  if (suffix === "L" || suffix === "l") {
    if (fraction || exponent) throw TableError.invalidFilter(`${text} at position ${pos} is not an Int64.`);
    return { type: "Edm.Int64", value: digits };
  }
  if (fraction || exponent || suffix) return { type: "Edm.Double", value: Number(digits) };
  const n = Number(digits);
  return n >= -(2 ** 31) && n < 2 ** 31 ? { type: "Edm.Int32", value: n } : { type: "Edm.Int64", value: digits };
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly text: string,
  ) {}

  parse(): FilterNode {
    const node = this.or();
    if (this.i < this.tokens.length) throw this.unexpected();
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private isWord(word: string): boolean {
    const t = this.peek();
    return t?.kind === "word" && t.text === word;
  }

  private unexpected(): TableError {
    const t = this.peek();
    const text = JSON.stringify(this.text);
    return TableError.invalidFilter(
      t ? `unexpected ${JSON.stringify(t.text)} at position ${t.pos} in ${text}.` : `incomplete expression ${text}.`,
    );
  }

  private or(): FilterNode {
    let left = this.and();
    while (this.isWord("or")) {
      this.i++;
      left = { kind: "or", left, right: this.and() };
    }
    return left;
  }

  private and(): FilterNode {
    let left = this.unary();
    while (this.isWord("and")) {
      this.i++;
      left = { kind: "and", left, right: this.unary() };
    }
    return left;
  }

  private unary(): FilterNode {
    if (this.isWord("not")) {
      this.i++;
      return { kind: "not", operand: this.unary() };
    }
    if (this.peek()?.kind === "(") {
      this.i++;
      const inner = this.or();
      if (this.peek()?.kind !== ")") throw this.unexpected();
      this.i++;
      return inner;
    }
    const left = this.operand();
    const op = this.peek();
    if (op?.kind === "word" && COMPARISONS.has(op.text)) {
      this.i++;
      return { kind: "compare", op: op.text as Op, left, right: this.operand() };
    }
    return { kind: "operand", operand: left };
  }

  private operand(): Operand {
    const t = this.peek();
    if (t?.kind === "literal") {
      this.i++;
      return { kind: "literal", value: t.value! };
    }
    if (t?.kind === "word" && !COMPARISONS.has(t.text) && !["and", "or", "not"].includes(t.text)) {
      this.i++;
      return { kind: "property", name: t.text };
    }
    throw this.unexpected();
  }
}

export function parseFilter(text: string): FilterNode {
  return new Parser(tokenize(text), text).parse();
}

function resolve(operand: Operand, entity: StoredEntity): TypedValue | undefined {
  if (operand.kind === "literal") return operand.value;
  switch (operand.name) {
    case "PartitionKey":
      return { type: "Edm.String", value: entity.partitionKey };
    case "RowKey":
      return { type: "Edm.String", value: entity.rowKey };
    case "Timestamp":
      return { type: "Edm.DateTime", value: entity.timestamp };
    default:
      return entity.properties[operand.name];
  }
}

const NUMERIC = new Set(["Edm.Int32", "Edm.Int64", "Edm.Double"]);

/** -1, 0 or 1; undefined when the two values are of types Azure does not compare (the comparison is then false). */
function compareValues(a: TypedValue, b: TypedValue): number | undefined {
  if (NUMERIC.has(a.type) && NUMERIC.has(b.type)) {
    if (a.type !== "Edm.Double" && b.type !== "Edm.Double") {
      const x = BigInt(a.value as string | number);
      const y = BigInt(b.value as string | number);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    const x = Number(a.value);
    const y = Number(b.value);
    if (Number.isNaN(x) || Number.isNaN(y)) return x === y || (Number.isNaN(x) && Number.isNaN(y)) ? 0 : undefined;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.type !== b.type) return undefined;
  switch (a.type) {
    case "Edm.DateTime":
      return compareInstants(a.value as string, b.value as string);
    case "Edm.Guid": {
      const x = (a.value as string).toLowerCase();
      const y = (b.value as string).toLowerCase();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case "Edm.Boolean":
      return Number(a.value) - Number(b.value);
    default: {
      // Strings and binary compare by ordinal, as Azure does.
      const x = a.value as string;
      const y = b.value as string;
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}

/** UTC with up to 7 fraction digits, as Timestamps are stored and the SDKs write datetime'' literals. */
const UTC_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.(\d{1,7}))?Z$/;

/**
 * Two DateTimes in order. A filter on Timestamp tests every row it reads: comparing the text (fractions padded to
 * 7 digits) spares a Date.parse per row and keeps the 7th digit, which a double of epoch milliseconds rounds away;
 * other forms (offsets, no seconds) go through the numeric instant.
 */
function compareInstants(a: string, b: string): number {
  const x = sortableUtc(a);
  const y = sortableUtc(b);
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  const p = instant(a);
  const q = instant(b);
  return p < q ? -1 : p > q ? 1 : 0;
}

/** The last literal padded: a query compares every row it reads with the same one. */
let lastPadded: { text: string; sortable: string | undefined } = { text: "", sortable: undefined };

function sortableUtc(text: string): string | undefined {
  // Stored Timestamps already have all 7 digits: no regex for them.
  if (text.length === 28 && text[19] === "." && text[27] === "Z" && text[10] === "T") return text;
  if (text === lastPadded.text) return lastPadded.sortable;
  const m = UTC_INSTANT.exec(text);
  const sortable = m ? `${text.slice(0, 19)}.${(m[1] ?? "").padEnd(7, "0")}Z` : undefined;
  lastPadded = { text, sortable };
  return sortable;
}

/** A DateTime as a sortable number: milliseconds, plus the sub-millisecond digits Azure keeps (up to 7). */
function instant(text: string): number {
  const ms = Date.parse(text);
  const sub = /\.\d{3}(\d{1,4})/.exec(text)?.[1] ?? "";
  return ms + Number(`0.${sub || "0"}`);
}

export function matches(node: FilterNode, entity: StoredEntity): boolean {
  switch (node.kind) {
    case "and":
      return matches(node.left, entity) && matches(node.right, entity);
    case "or":
      return matches(node.left, entity) || matches(node.right, entity);
    case "not":
      return !matches(node.operand, entity);
    case "operand": {
      const v = resolve(node.operand, entity);
      return v?.type === "Edm.Boolean" && v.value === true;
    }
    case "compare": {
      const left = resolve(node.left, entity);
      const right = resolve(node.right, entity);
      if (!left || !right) return false;
      const order = compareValues(left, right);
      if (order === undefined) return false;
      switch (node.op) {
        case "eq":
          return order === 0;
        case "ne":
          return order !== 0;
        case "gt":
          return order > 0;
        case "ge":
          return order >= 0;
        case "lt":
          return order < 0;
        case "le":
          return order <= 0;
      }
    }
  }
}

/** The one partition a filter is limited to (`PartitionKey eq '…'` on the top-level and chain), for a faster scan. */
export function pinnedPartition(node: FilterNode | undefined): string | undefined {
  if (!node) return undefined;
  if (node.kind === "and") return pinnedPartition(node.left) ?? pinnedPartition(node.right);
  if (node.kind !== "compare" || node.op !== "eq") return undefined;
  const { left, right } = node;
  const isKey = (o: Operand) => o.kind === "property" && o.name === "PartitionKey";
  const text = (o: Operand) => {
    if (o.kind === "literal" && o.value.type === "Edm.String") return o.value.value as string;
    return undefined;
  };
  if (isKey(left)) return text(right);
  if (isKey(right)) return text(left);
  return undefined;
}
