/** The committed parser must be what `npm run gen:grammar` makes from sql.peggy today. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generatedParserPath, generateParserSource } from "../../../emulator/servicebus/filters/generate-parser.js";

describe("generated SQL parser", () => {
  it("is up to date with sql.peggy (run `npm run gen:grammar` if this fails)", () => {
    const committed = readFileSync(generatedParserPath, "utf8");
    expect(committed === generateParserSource(), "sql-parser.generated.ts is stale: run `npm run gen:grammar`").toBe(true);
  });
});
