/** Correlation filters: equality on each named system property and each user property, all of which must match. */
import { describe, expect, it } from "vitest";
import { compileFilter, FilterSyntaxError } from "../../../emulator/servicebus/filters/index.js";
import type { FilterDescription } from "../../../emulator/servicebus/model/entity-options.js";
import { TestMessage } from "./filter-test-message.js";

type Correlation = Omit<Extract<FilterDescription, { type: "correlation" }>, "type">;

const message = () =>
  new TestMessage(
    { color: "Red", quantity: 5, ratio: 0.5, urgent: true, due: new Date("2024-01-01T00:00:00Z"), code: "5" },
    {
      CorrelationId: "high",
      MessageId: "m-1",
      To: "store-1",
      ReplyTo: "johndoe@contoso.com",
      Label: "Important",
      SessionId: "s-1",
      ReplyToSessionId: "rs-1",
      ContentType: "application/json",
    },
  );

const rows: Array<[string, Correlation, boolean]> = [
  ["correlation id", { correlationId: "high" }, true],
  ["correlation id differs", { correlationId: "low" }, false],
  ["correlation id is case-sensitive", { correlationId: "HIGH" }, false],
  ["message id", { messageId: "m-1" }, true],
  ["to", { to: "store-1" }, true],
  ["reply to", { replyTo: "johndoe@contoso.com" }, true],
  ["label (subject)", { label: "Important" }, true],
  ["session id", { sessionId: "s-1" }, true],
  ["reply-to session id", { replyToSessionId: "rs-1" }, true],
  ["content type", { contentType: "application/json" }, true],
  ["content type differs", { contentType: "text/plain" }, false],
  ["docs example: label, reply to and a user property", { label: "Important", replyTo: "johndoe@contoso.com", properties: { color: "Red" } }, true],
  ["every field must match", { label: "Important", correlationId: "low" }, false],
  ["user string", { properties: { color: "Red" } }, true],
  ["user string differs in case", { properties: { color: "red" } }, false],
  ["user property name ignores case", { properties: { COLOR: "Red" } }, true],
  ["user number", { properties: { quantity: 5 } }, true],
  ["user number against a string value", { properties: { quantity: "5" } }, false],
  ["user string against a number value", { properties: { code: 5 } }, false],
  ["user double", { properties: { ratio: 0.5 } }, true],
  ["user boolean", { properties: { urgent: true } }, true],
  ["user boolean differs", { properties: { urgent: false } }, false],
  ["user date", { properties: { due: new Date("2024-01-01T00:00:00Z") } }, true],
  ["user date differs", { properties: { due: new Date("2024-01-02T00:00:00Z") } }, false],
  ["missing user property", { properties: { missing: "x" } }, false],
  ["several user properties", { properties: { color: "Red", quantity: 5 } }, true],
  ["one of several differs", { properties: { color: "Red", quantity: 6 } }, false],
];

describe("correlation filters", () => {
  it.each(rows)("%s", (_title, fields, expected) => {
    expect(compileFilter({ type: "correlation", ...fields }).matches(message())).toBe(expected);
  });

  it("does not match a message that lacks the system property", () => {
    expect(compileFilter({ type: "correlation", sessionId: "s-1" }).matches(new TestMessage({}, {}))).toBe(false);
  });

  it("treats fields that arrive as null (AMQP add-rule) as not set", () => {
    const desc = { type: "correlation", correlationId: "high", messageId: null, properties: {} } as unknown as FilterDescription;
    expect(compileFilter(desc).matches(message())).toBe(true);
  });

  it("compares a non-string message id by its text", () => {
    expect(compileFilter({ type: "correlation", messageId: "42" }).matches(new TestMessage({}, { MessageId: 42 }))).toBe(true);
  });

  it("rejects a correlation filter with nothing to match", () => {
    expect(() => compileFilter({ type: "correlation" })).toThrow(FilterSyntaxError);
  });
});
