/**
 * Bad filters and actions are config errors: FilterSyntaxError carries the expression, the 0-based position of the
 * problem, and a message that says where and what was expected.
 */
import { describe, expect, it } from "vitest";
import { compileAction, compileFilter, FilterSyntaxError } from "../../../emulator/servicebus/filters/index.js";

type ErrorRow = [expression: string, position: number, message: RegExp];

const badFilters: ErrorRow[] = [
  ["", 0, /expected NOT, EXISTS or an expression but found the end of the expression/],
  ["   ", 3, /expected .*an expression/],
  ["color =", 7, /expected an expression but found the end/],
  ["color = = 1", 8, /expected an expression but found "="/],
  ["color == 'red'", 7, /expected an expression but found "="/],
  ["color 'red'", 6, /expected arithmetic operator, IS, comparison operator, NOT, IN or LIKE but found "'"/],
  ["color = 'red", 8, /unterminated string literal/],
  ["(color = 'red'", 14, /expected .*"\)"/],
  ["a = 1 AND (b = 2", 16, /"\)"/],
  ["color = 'red' AND", 17, /expected NOT, EXISTS or an expression/],
  ["color = 'red' OR", 16, /expected NOT, EXISTS or an expression/],
  ["NOT", 3, /an expression/],
  ["color = 'red' extra", 14, /expected arithmetic operator, AND, OR or end of expression but found "extra"/],
  ["color = 'red' ;", 14, /found ";"/],
  ["AND = 1", 0, /expected NOT, EXISTS or an expression but found "AND"/],
  ["color = in", 8, /found "in"/],
  ["123abc = 1", 0, /found "123abc"/],
  ["a = 1.2.3", 7, /found "\."/],
  ["sys.Nope = 1", 0, /Unknown system property 'sys\.Nope'; system properties are MessageId, .*Label/],
  ["SYS.subject = 'x'", 0, /Unknown system property 'sys\.subject'/],
  ["foo.bar = 1", 0, /Unknown scope 'foo'/],
  ["sys. Label = 1", 4, /expected property name/],
  ["user.sys.x = 1", 8, /found "\."/],
  ["color IN ()", 10, /expected an expression but found "\)"/],
  ["color IN ('a',)", 14, /expected an expression/],
  ["1 IS NULL", 0, /IS \[NOT\] NULL applies to a property/],
  ["(a) + 1 IS NULL", 0, /IS \[NOT\] NULL applies to a property/],
  ["a IS NOT", 8, /expected NULL/],
  ["a NOT BETWEEN 1 AND 2", 6, /expected IN or LIKE but found "BETWEEN"/],
  ["EXISTS(1)", 7, /expected property name but found "1"/],
  ["EXISTS color", 7, /expected "\("/],
  ["color LIKE 5", 11, /LIKE pattern must be a String; got 'Int64'/],
  ["color LIKE 'a' ESCAPE 'ab'", 22, /ESCAPE argument of LIKE must be a single character/],
  ["color LIKE 'a' ESCAPE 5", 22, /ESCAPE argument of LIKE must be a String/],
  ["color LIKE 'a\\' ESCAPE '\\'", 11, /ends with its escape character/],
  ["a = 'x' ESCAPE 'y'", 8, /found "ESCAPE"/],
  ["1 / 0 = 1", 0, /Attempted to divide by zero/],
  ["x = 2 % (1 - 1)", 4, /Attempted to divide by zero/],
  ["TRUE + 1 = 2", 0, /Operator '\+' cannot be applied to operands of type 'Boolean' and 'Int64'/],
  ["color = -TRUE", 8, /Operator '-' cannot be applied to operand of type 'Boolean'/],
  ["9223372036854775808 = 1", 0, /outside the Int64 range/],
  ["x = -9223372036854775809", 5, /outside the Int64 range/],
  ["x = 1e999", 4, /outside the Double range/],
  ["unknown(1) = 1", 0, /Unknown function 'unknown'/],
  ["newid(1) = 1", 0, /newid\(\) takes no arguments/],
  ["p() = 1", 0, /p\(\) takes one argument/],
  ["p(1) = 1", 2, /argument of p\(\) must be a String/],
  ["p('sys.Nope') = 1", 2, /Unknown system property 'sys\.Nope'/],
  ["color = @param", 8, /parameter @param has no value/],
  ["[unterminated = 1", 0, /unterminated \[delimited identifier\]/],
  ['"unterminated = 1', 0, /unterminated "quoted identifier"/],
  [`color = '${"x".repeat(1020)}'`, 1024, /at most 1024 characters; this one has 1030/],
];

describe("invalid SQL filters", () => {
  it.each(badFilters)("%s -> position %i", (expression, position, message) => {
    const err = catchError(() => compileFilter({ type: "sql", expression }));
    expect(err).toBeInstanceOf(FilterSyntaxError);
    expect(err.expression).toBe(expression);
    expect(err.position).toBe(position);
    expect(err.message).toMatch(message);
    expect(err.message).toContain(`Invalid SQL filter at position ${position}: `);
  });
});

const badActions: ErrorRow[] = [
  ["SET", 3, /expected property name but found the end/],
  ["SET a = ", 8, /expected an expression/],
  ["SET a", 5, /expected "="/],
  ["REMOVE", 6, /expected property name/],
  ["UPDATE a = 1", 0, /expected SET or REMOVE but found "UPDATE"/],
  ["SET a = 1 2", 10, /found "2"/],
  ["SET a = 1;; SET b = 2", 10, /found ";"/],
  ["SET a = 1, b = 2", 9, /found ","/],
  ["SET a = b LIKE 'x'", 10, /found "LIKE"/],
  ["SET sys.SequenceNumber = 1", 4, /sys\.SequenceNumber is set by the broker/],
  ["SET sys.EnqueuedTimeUtc = sys.EnqueuedTimeUtc", 4, /set by the broker/],
  ["REMOVE sys.To", 7, /sys\.To cannot be removed/],
  ["SET sys.Nope = 1", 4, /Unknown system property 'sys\.Nope'/],
  ["SET a = 1 / 0", 8, /divide by zero/],
  [Array.from({ length: 33 }, (_, i) => `SET p${i} = ${i}`).join("; "), 428, /at most 32 statements; this one has 33/],
];

describe("invalid SQL rule actions", () => {
  it.each(badActions)("%s -> position %i", (expression, position, message) => {
    const err = catchError(() => compileAction({ type: "sql", expression }));
    expect(err).toBeInstanceOf(FilterSyntaxError);
    expect(err.position).toBe(position);
    expect(err.message).toMatch(message);
    expect(err.message).toContain(`Invalid SQL rule action at position ${position}: `);
  });
});

describe("limits", () => {
  it("accepts a filter of exactly 1024 characters and an action of 32 statements", () => {
    expect(() => compileFilter({ type: "sql", expression: `color = '${"x".repeat(1014)}'` })).not.toThrow();
    const action = Array.from({ length: 32 }, (_, i) => `SET p${i} = ${i}`).join("; ");
    expect(() => compileAction({ type: "sql", expression: action })).not.toThrow();
  });
});

function catchError(fn: () => unknown): FilterSyntaxError {
  try {
    fn();
  } catch (err) {
    return err as FilterSyntaxError;
  }
  throw new Error("expected an error");
}
