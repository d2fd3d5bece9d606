/**
 * The SQL filter language against a table of expressions and expected results. Most rows run against one order
 * message; `NOT (...)` rows tell "false" from "unknown" (NOT false matches, NOT unknown does not).
 */
import { describe, expect, it } from "vitest";
import { compileFilter, compileSqlFilter, FilterEvaluationError } from "../../../emulator/servicebus/filters/index.js";
import { TestMessage } from "./filter-test-message.js";

const enqueued = new Date("2024-05-01T10:00:00Z");

function orderMessage(extraUser: Record<string, unknown> = {}): TestMessage {
  return new TestMessage(
    {
      color: "red",
      quantity: 10,
      price: 2.5,
      priority: "high",
      flag: true,
      nothing: null,
      zero: 0,
      big: 9007199254740991,
      when: new Date("2024-01-02T00:00:00Z"),
      code: "ABC%",
      under: "a_b",
      quote: "it's",
      nameOfColor: "color",
      "Property With Space": "x",
      "HR-EmployeeID": 7,
      "Contoso & Northwind": "yes",
      "http://schemas.microsoft.com/xrm/2011/Claims/EntityLogicalName": "account",
      ...extraUser,
    },
    {
      Label: "bus-topic",
      To: "Store5",
      MessageId: "m-1",
      CorrelationId: "abc-123",
      ContentType: "application/json",
      SequenceNumber: 42,
      DeliveryCount: 1,
      EnqueuedTimeUtc: enqueued,
    },
  );
}

type Row = [expression: string, expected: boolean | "error"];

const comparisons: Row[] = [
  ["color = 'red'", true],
  ["color = 'Red'", false],
  ["color <> 'blue'", true],
  ["color != 'red'", false],
  ["quantity = 10", true],
  ["quantity = 10.0", true],
  ["quantity > 9", true],
  ["quantity >= 10", true],
  ["quantity < 10", false],
  ["quantity <= 10.5", true],
  ["price = 2.5", true],
  ["price > 2", true],
  ["price < quantity", true],
  ["'abc' < 'abd'", true],
  ["'B' < 'a'", true],
  ["'b' >= 'b'", true],
  ["flag = TRUE", true],
  ["flag = false", false],
  ["flag <> FALSE", true],
  ["when < sys.EnqueuedTimeUtc", true],
  ["sys.EnqueuedTimeUtc = sys.EnqueuedTimeUtc", true],
  ["sys.SequenceNumber = 42", true],
  ["sys.SequenceNumber > 41 AND sys.SequenceNumber < 43", true],
  ["sys.DeliveryCount >= 1", true],
  ["1=1", true],
  ["1=0", false],
  ["TRUE = TRUE", true],
];

const typeMismatches: Row[] = [
  ["quantity = '10'", false],
  ["NOT quantity = '10'", true],
  ["quantity <> '10'", true],
  ["color > 5", false],
  ["NOT color > 5", true],
  ["flag = 1", false],
  ["flag > FALSE", false],
  ["when = '2024-01-02T00:00:00Z'", false],
  ["sys.SequenceNumber = '42'", false],
  ["sys.Label = 1", false],
];

const nullAndMissing: Row[] = [
  ["missing = 1", false],
  ["NOT missing = 1", false],
  ["missing <> 1", false],
  ["NOT missing <> 1", false],
  ["missing IS NULL", true],
  ["missing IS NOT NULL", false],
  ["nothing IS NULL", true],
  ["nothing = NULL", false],
  ["color IS NULL", false],
  ["color IS NOT NULL", true],
  ["color = NULL", false],
  ["NOT color = NULL", false],
  ["NULL = NULL", false],
  ["NOT NULL = NULL", false],
  ["EXISTS(color)", true],
  ["EXISTS(missing)", false],
  ["NOT EXISTS(missing)", true],
  ["EXISTS(nothing)", true],
  ["EXISTS(user.color)", true],
  ["EXISTS(sys.Label)", true],
  ["EXISTS(sys.ReplyTo)", false],
  ["sys.ReplyTo IS NULL", true],
  ["sys.ReplyTo = 'x'", false],
  ["NOT sys.ReplyTo = 'x'", false],
  ["p('missing') IS NULL", true],
];

// AND/OR truth tables from the docs: T AND U = U, F AND U = F, T OR U = T, F OR U = U.
const threeValuedLogic: Row[] = [
  ["missing = 1 OR color = 'red'", true],
  ["missing = 1 AND color = 'red'", false],
  ["NOT (missing = 1 AND color = 'red')", false],
  ["NOT (missing = 1 AND color = 'blue')", true],
  ["NOT (color = 'blue' AND missing = 1)", true],
  ["NOT (missing = 1 OR color = 'blue')", false],
  ["NOT (missing = 1 OR color = 'red')", false],
  ["missing = 1 OR missing = 2", false],
  ["NOT (missing = 1 OR missing = 2)", false],
  ["NOT NOT color = 'red'", true],
  ["NOT NOT missing = 1", false],
];

const arithmetic: Row[] = [
  ["quantity + 5 = 15", true],
  ["quantity - 15 = -5", true],
  ["quantity * 2 = 20", true],
  ["quantity / 4 = 2", true],
  ["quantity / 4.0 = 2.5", true],
  ["quantity % 3 = 1", true],
  ["-quantity = -10", true],
  ["+quantity = 10", true],
  ["- - quantity = 10", true],
  ["price * 2 = 5", true],
  ["7 / 2 = 3", true],
  ["-7 / 2 = -3", true],
  ["-7 % 3 = -1", true],
  ["7.5 % 2 = 1.5", true],
  ["price / 0 > 1000000", true],
  ["9223372036854775807 + 1 < 0", true],
  ["-9223372036854775808 < 0", true],
  ["big + 1 = 9007199254740992", true],
  ["big + 2 > big + 1", true],
  ["missing + 1 = 1", false],
  ["NOT (missing + 1 = 1)", false],
  ["2 + 3 * 4 = 14", true],
  ["(2 + 3) * 4 = 20", true],
  ["10 - 2 - 3 = 5", true],
  ["100 / 10 / 5 = 2", true],
  ["2 * -3 = -6", true],
  ["(quantity + 2) * 2 = 24", true],
  ["((quantity)) = 10", true],
  ["1e2 = 100", true],
  ["1.5E-1 = 0.15", true],
  [".5 = 0.5", true],
  ["101.5E5 = 10150000", true],
  ["0.5E-2 = 0.005", true],
  ["2. = 2", true],
  ["'ab' + 'cd' = 'abcd'", true],
  ["color + '-' + priority = 'red-high'", true],
  ["'n' + quantity = 'n10'", true],
  ["'is ' + flag = 'is True'", true],
  ["quantity / zero = 1", "error"],
  ["quantity % zero = 1", "error"],
  ["flag + 1 = 2", "error"],
  ["-color = 1", "error"],
  ["when + 1 = 1", "error"],
  // AND stops at the first false operand, so the faulty right side is not evaluated.
  ["color = 'blue' AND flag + 1 = 2", false],
  ["color = 'red' OR flag + 1 = 2", true],
];

const like: Row[] = [
  ["sys.Label LIKE '%bus%'", true],
  ["sys.Label LIKE 'bus%'", true],
  ["sys.Label LIKE '%topic'", true],
  ["sys.Label LIKE 'bus_topic'", true],
  ["sys.Label LIKE 'bus_'", false],
  ["sys.Label LIKE 'BUS%'", false],
  ["sys.Label NOT LIKE '%queue%'", true],
  ["sys.Label NOT LIKE '%bus%'", false],
  ["code LIKE 'ABC\\%' ESCAPE '\\'", true],
  ["'ABCD' LIKE 'ABC\\%' ESCAPE '\\'", false],
  ["'ABCD' LIKE 'ABC%'", true],
  ["under LIKE 'a!_b' ESCAPE '!'", true],
  ["'axb' LIKE 'a!_b' ESCAPE '!'", false],
  ["'a!b' LIKE 'a!!b' ESCAPE '!'", true],
  ["'a.c' LIKE 'a.c'", true],
  ["'abc' LIKE 'a.c'", false],
  ["'[x]' LIKE '[x]'", true],
  ["'x' LIKE '[x]'", false],
  ["'a*b+c?' LIKE 'a*b+c?'", true],
  ["'' LIKE '%'", true],
  ["'' LIKE '_'", false],
  ["'line1\nline2' LIKE 'line1%line2'", true],
  ["missing LIKE '%'", false],
  ["NOT missing LIKE '%'", false],
  ["color LIKE missing", false],
  ["NOT color LIKE missing", false],
  ["color LIKE NULL", false],
  ["quantity LIKE '1%'", false],
  ["color LIKE priority", false],
  ["color LIKE color + '%'", true],
  ["color LIKE 'r' + '%'", true],
  ["sys.correlationid like 'abc-%'", true],
  ["color LIKE quantity", "error"],
  ["color LIKE 'r%' ESCAPE priority", "error"],
];

const inList: Row[] = [
  ["color IN ('red', 'blue')", true],
  ["color IN ('green')", false],
  ["color NOT IN ('green', 'blue')", true],
  ["color NOT IN ('red')", false],
  ["quantity IN (1, 10, 100)", true],
  ["quantity IN (10.0)", true],
  ["quantity IN ('10')", false],
  ["price IN (2.5, 3)", true],
  ["missing IN ('a')", false],
  ["missing NOT IN ('a')", false],
  ["color IN (priority, 'x')", false],
  ["color IN (missing, 'red')", true],
  ["color IN (NULL)", false],
  ["color NOT IN (NULL, 'x')", true],
  ["color IN (p('nameOfColor') + '', 'red')", true],
  ["sys.To IN ('Store5','Store6','Store7') OR StoreId = 'Store8'", true],
  [
    "sys.To NOT IN ('Store1','Store2','Store3','Store4','Store5','Store6','Store7','Store8') OR StoreId NOT IN ('Store1','Store2')",
    false,
  ],
];

const namesAndCase: Row[] = [
  ["COLOR = 'red'", true],
  ["user.color = 'red'", true],
  ["USER.Color = 'red'", true],
  ["sys.LABEL = 'bus-topic'", true],
  ["SYS.label = 'bus-topic'", true],
  ["sys.messageid = 'm-1'", true],
  ["color = 'red' and QUANTITY = 10", true],
  ["NoT color = 'blue'", true],
  ["color in ('red') oR 1 = 0", true],
  ["[Property With Space] = 'x'", true],
  ["user.[Property With Space] = 'x'", true],
  ["[HR-EmployeeID] = 7", true],
  ['"Contoso & Northwind" = \'yes\'', true],
  ['"http://schemas.microsoft.com/xrm/2011/Claims/EntityLogicalName" = \'account\'', true],
  ["quote = 'it''s'", true],
  ["'' = ''", true],
  ["[notes] IS NULL", true],
  ["ñandú IS NULL", true],
  ["[in] IS NULL AND [select] IS NULL", true],
];

const functions: Row[] = [
  ["property('color') = 'red'", true],
  ["p('COLOR') = 'red'", true],
  ["p('sys.Label') = 'bus-topic'", true],
  ["p('user.color') = 'red'", true],
  ["p(nameOfColor) = 'red'", true],
  ["p('Col' + 'or') = 'red'", true],
  ["P(missing) IS NULL", true],
  ["newid() IS NOT NULL", true],
  ["newid() <> newid()", true],
  ["NEWID() LIKE '________-____-____-____-____________'", true],
  ["p(quantity) = 1", "error"],
  ["p('sys.' + color) = 1", "error"],
];

const tables: Array<[string, Row[]]> = [
  ["comparisons", comparisons],
  ["type mismatches", typeMismatches],
  ["NULL and missing properties", nullAndMissing],
  ["three-valued logic", threeValuedLogic],
  ["arithmetic and precedence", arithmetic],
  ["LIKE and ESCAPE", like],
  ["IN and NOT IN", inList],
  ["names, keywords and case", namesAndCase],
  ["functions", functions],
];

describe("SQL filter expressions", () => {
  for (const [title, rows] of tables) {
    describe(title, () => {
      it.each(rows)("%s -> %s", (expression, expected) => {
        const filter = compileFilter({ type: "sql", expression });
        const message = orderMessage();
        if (expected === "error") expect(() => filter.matches(message)).toThrow(FilterEvaluationError);
        else expect(filter.matches(message)).toBe(expected);
      });
    });
  }

  it("has a table of at least 100 rows", () => {
    expect(tables.reduce((n, [, rows]) => n + rows.length, 0)).toBeGreaterThanOrEqual(100);
  });
});

describe("SQL filter behaviour", () => {
  it("prefers the exact user property name, then one that differs only in case", () => {
    const message = new TestMessage({ Dup: 1, dup: 2, Other: "x" });
    expect(compileFilter({ type: "sql", expression: "Dup = 1 AND dup = 2" }).matches(message)).toBe(true);
    expect(compileFilter({ type: "sql", expression: "other = 'x'" }).matches(message)).toBe(true);
  });

  it("looks user properties up exactly when the message view cannot list names", () => {
    const message = { system: () => undefined, user: (n: string) => (n === "Color" ? "red" : undefined) };
    expect(compileFilter({ type: "sql", expression: "Color = 'red'" }).matches(message)).toBe(true);
    expect(compileFilter({ type: "sql", expression: "color = 'red'" }).matches(message)).toBe(false);
  });

  it("asks the model for system properties by their canonical names", () => {
    const message = orderMessage();
    compileFilter({ type: "sql", expression: "sys.label = 'x' OR sys.REPLYTO = 'y' OR sys.sequencenumber = 1" }).matches(message);
    expect(message.systemReads).toEqual(["Label", "ReplyTo", "SequenceNumber"]);
  });

  it("accepts bigint values from the model", () => {
    const message = new TestMessage({ n: 9223372036854775807n }, { SequenceNumber: 5n });
    const filter = compileFilter({ type: "sql", expression: "n = 9223372036854775807 AND sys.SequenceNumber + 1 = 6" });
    expect(filter.matches(message)).toBe(true);
  });

  it("compares Buffers by content", () => {
    const message = new TestMessage({ a: Buffer.from("xy"), b: Buffer.from("xy"), c: Buffer.from("z") });
    expect(compileFilter({ type: "sql", expression: "a = b" }).matches(message)).toBe(true);
    expect(compileFilter({ type: "sql", expression: "a = c" }).matches(message)).toBe(false);
  });

  it("fills @parameters from SqlRuleFilter parameters", () => {
    const filter = compileSqlFilter("source = @stringParam AND quantity > @n", { "@stringParam": "orders", n: 5 });
    expect(filter.matches(new TestMessage({ source: "orders", quantity: 6 }))).toBe(true);
    expect(filter.matches(new TestMessage({ source: "orders", quantity: 5 }))).toBe(false);
  });

  it("reports the expression and Azure's reason in a FilterEvaluationError", () => {
    const filter = compileFilter({ type: "sql", expression: "quantity / zero = 1" });
    expect(() => filter.matches(orderMessage())).toThrow(/divide by zero.*quantity \/ zero = 1/);
    const mismatch = compileFilter({ type: "sql", expression: "flag + 1 = 2" });
    expect(() => mismatch.matches(orderMessage())).toThrow("Operator '+' cannot be applied to operands of type 'Boolean' and 'Int64'");
  });

  it("compiles a LIKE pattern that comes from a property once per distinct pattern", () => {
    const filter = compileFilter({ type: "sql", expression: "name LIKE pattern" });
    for (let i = 0; i < 3; i++) {
      expect(filter.matches(new TestMessage({ name: "order-1", pattern: "order-%" }))).toBe(true);
      expect(filter.matches(new TestMessage({ name: "order-1", pattern: "invoice-%" }))).toBe(false);
    }
  });

  it("TrueFilter and FalseFilter descriptions, and their SQL forms", () => {
    const m = orderMessage();
    expect(compileFilter({ type: "true" }).matches(m)).toBe(true);
    expect(compileFilter({ type: "false" }).matches(m)).toBe(false);
    expect(compileFilter({ type: "sql", expression: "1=1" }).matches(m)).toBe(true);
    expect(compileFilter({ type: "sql", expression: "1=0" }).matches(m)).toBe(false);
  });
});
