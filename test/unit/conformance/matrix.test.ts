/**
 * The conformance matrix's bookkeeping (test/conformance/matrix.ts): what a silent, crashing or chatty client turns
 * into, since a green matrix must never hide a client that did not report.
 */
import { describe, expect, it } from "vitest";
import { cellsOf, parseResultLine, renderMarkdown } from "../../conformance/matrix.js";

describe("conformance matrix", () => {
  it("reads a client's JSON result lines and ignores its other output", () => {
    expect(parseResultLine('{"client":"c","feature":"send","status":"pass","error":null}')).toEqual({
      client: "c",
      feature: "send",
      status: "pass",
      error: undefined,
    });
    expect(parseResultLine("Connecting to localhost...")).toBeUndefined();
    expect(parseResultLine("{not json")).toBeUndefined();
  });

  it("counts an unknown status as a fail", () => {
    expect(parseResultLine('{"feature":"send","status":"ok"}')?.status).toBe("fail");
  });

  it("makes every expected feature a client never reported a fail cell with the reason", () => {
    const reported = [{ client: "c", feature: "send", status: "pass" as const }];
    const cells = cellsOf("client", ["send", "receive"], reported, "no result: killed after 60 s (hung)");
    expect(cells).toEqual([
      { client: "client", feature: "send", status: "pass" },
      { client: "client", feature: "receive", status: "fail", error: "no result: killed after 60 s (hung)" },
    ]);
  });

  it("lets a later fail of the same feature override its pass", () => {
    const reported = [
      { client: "c", feature: "send", status: "pass" as const },
      { client: "c", feature: "send", status: "fail" as const, error: "second attempt failed" },
    ];
    expect(cellsOf("c", ["send"], reported, "")[0].status).toBe("fail");
  });

  it("renders one Markdown row per cell, escaping pipes, with the totals", () => {
    const text = renderMarkdown([
      { client: "kcat", feature: "produce", status: "pass" },
      { client: "kcat", feature: "codec-lz4", status: "n/a", error: "refused | as Azure does" },
    ]);
    expect(text).toContain("| kcat | codec-lz4 | n/a | refused \\| as Azure does |");
    expect(text).toContain("1 pass, 0 fail, 1 not applicable, 0 skipped");
  });
});
