/** SQL rule actions: SET and REMOVE on user and system properties, applied in order to a subscription's copy. */
import { describe, expect, it } from "vitest";
import { compileAction, FilterEvaluationError } from "../../../emulator/servicebus/filters/index.js";
import { TestMessage } from "./filter-test-message.js";

const order = () =>
  new TestMessage(
    { color: "red", quantity: 10, priority: "high", price: 2.5, Mixed: "m" },
    { To: "store-1", Label: "orders", CorrelationId: "c-1", SequenceNumber: 7, TimeToLive: 60_000 },
  );

type Row = [action: string, user: Record<string, unknown>, system: Record<string, unknown>];

// Each row: the action, then the user and system properties the copy has afterwards.
const rows: Row[] = [
  ["SET importance = 'critical'", { importance: "critical" }, {}],
  ["SET color = 'blue'", { color: "blue" }, {}],
  ["SET user.color = 'blue'", { color: "blue" }, {}],
  ["SET [Order Status] = 'new'", { "Order Status": "new" }, {}],
  ["SET sys.To = 'Entity'", {}, { To: "Entity" }],
  ["SET sys.label = 'routed'", {}, { Label: "routed" }],
  ["SET sys.CorrelationId = 'low'", {}, { CorrelationId: "low" }],
  ["SET sys.TimeToLive = 1000", {}, { TimeToLive: 1000 }],
  ["SET sys.ReplyTo = missing", {}, { ReplyTo: undefined }],
  ["REMOVE priority", { priority: undefined }, {}],
  ["REMOVE user.priority", { priority: undefined }, {}],
  ["REMOVE missing", {}, {}],
  ["SET quantity = quantity / 2", { quantity: 5 }, {}],
  ["SET quantity = quantity / 4", { quantity: 2 }, {}],
  ["SET quantity = quantity / 4.0", { quantity: 2.5 }, {}],
  ["SET total = quantity * price", { total: 25 }, {}],
  ["SET tag = color + '-' + priority", { tag: "red-high" }, {}],
  ["SET sys.Label = sys.Label + '/' + color", {}, { Label: "orders/red" }],
  ["SET seq = sys.SequenceNumber", { seq: 7 }, {}],
  ["SET copy = missing", { copy: null }, {}],
  ["SET flag = TRUE", { flag: true }, {}],
  ["SET big = 9223372036854775807", { big: 9223372036854775807n }, {}],
  ["SET mixed = 'lower'", { Mixed: "lower", mixed: undefined }, {}],
  ["REMOVE MIXED", { Mixed: undefined }, {}],
  // The docs' example: statements run in order, with or without semicolons.
  [
    "SET quantity = quantity / 2; REMOVE priority;SET sys.CorrelationId = 'low';",
    { quantity: 5, priority: undefined },
    { CorrelationId: "low" },
  ],
  ["SET a = 1 SET b = a + 1 SET c = b * 10", { a: 1, b: 2, c: 20 }, {}],
  ["set a = 'x'; remove a", { a: undefined }, {}],
  ["SET color = 'blue'; SET sys.Label = color", { color: "blue" }, { Label: "blue" }],
];

describe("SQL rule actions", () => {
  it.each(rows)("%s", (action, user, system) => {
    const message = order();
    const before = { user: new Map(message.userProps), system: new Map(message.systemProps) };
    compileAction({ type: "sql", expression: action })!.apply(message);
    const expectedUser = new Map(before.user);
    for (const [k, v] of Object.entries(user)) {
      if (v === undefined) expectedUser.delete(k);
      else expectedUser.set(k, v);
    }
    expect(Object.fromEntries(message.userProps)).toEqual(Object.fromEntries(expectedUser));
    for (const [k, v] of Object.entries(system)) expect(message.systemProps.get(k), `sys.${k}`).toEqual(v);
  });

  it("sets a fresh GUID with newid()", () => {
    const message = order();
    compileAction({ type: "sql", expression: "SET sys.MessageId = newid()" })!.apply(message);
    expect(message.systemProps.get("MessageId")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it("is compiled once and applied to many messages", () => {
    const action = compileAction({ type: "sql", expression: "SET n = n + 1" })!;
    const messages = [1, 2, 3].map((n) => new TestMessage({ n }));
    for (const m of messages) action.apply(m);
    expect(messages.map((m) => m.userProps.get("n"))).toEqual([2, 3, 4]);
  });

  it("has no action for an absent or empty expression (EmptyRuleAction)", () => {
    expect(compileAction(undefined)).toBeUndefined();
    expect(compileAction({ type: "sql", expression: "  " })).toBeUndefined();
  });

  it("fails with FilterEvaluationError when a system property gets a value of the wrong type", () => {
    const action = compileAction({ type: "sql", expression: "SET sys.To = quantity" })!;
    expect(() => action.apply(order())).toThrow(FilterEvaluationError);
    expect(() => action.apply(order())).toThrow(/type 'Int64' to sys\.To/);
  });

  it("fails with FilterEvaluationError on an arithmetic error", () => {
    const action = compileAction({ type: "sql", expression: "SET q = quantity / zero" })!;
    expect(() => action.apply(new TestMessage({ quantity: 1, zero: 0 }))).toThrow(/divide by zero/);
  });
});
