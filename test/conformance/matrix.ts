/**
 * The conformance matrix: what each client reported per feature, folded into one cell per (client, feature), and
 * rendered as a Markdown table (stdout) and JSON (the CI artifact). A feature a client was expected to report but
 * did not (crash, timeout) becomes a fail cell that says so, so a silent client can never look green.
 */

export type CellStatus = "pass" | "fail" | "n/a" | "skipped";

export interface Cell {
  client: string;
  feature: string;
  status: CellStatus;
  /** Error text for fail, the reason for n/a and skipped. */
  error?: string;
}

/** One line a client printed: {"client", "feature", "status", "error"}. Anything else on stdout is ignored. */
export function parseResultLine(line: string): Cell | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith("{")) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  const v = value as Partial<Cell>;
  if (typeof v.feature !== "string" || typeof v.status !== "string") return undefined;
  const status: CellStatus = ["pass", "fail", "n/a", "skipped"].includes(v.status) ? v.status : "fail";
  return { client: String(v.client ?? ""), feature: v.feature, status, error: v.error ? String(v.error) : undefined };
}

/**
 * The cells of one client run: the features it reported (first report wins, a later fail overrides a pass), plus a
 * fail for each expected feature it never reported.
 */
export function cellsOf(client: string, expected: readonly string[], reported: Cell[], missingReason: string): Cell[] {
  const byFeature = new Map<string, Cell>();
  for (const cell of reported) {
    const previous = byFeature.get(cell.feature);
    const overrides = !previous || (previous.status === "pass" && cell.status === "fail");
    if (overrides) byFeature.set(cell.feature, { ...cell, client });
  }
  const missing = (feature: string): Cell => ({ client, feature, status: "fail", error: missingReason });
  const ordered = expected.map((feature) => byFeature.get(feature) ?? missing(feature));
  const extra = [...byFeature.values()].filter((c) => !expected.includes(c.feature));
  return [...ordered, ...extra];
}

const symbol: Record<CellStatus, string> = { pass: "pass", fail: "**FAIL**", "n/a": "n/a", skipped: "skipped" };

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s+/g, " ").slice(0, 300);
}

/** One row per (client, feature): a client's features differ, so a wide client x feature grid would be mostly empty. */
export function renderMarkdown(cells: Cell[]): string {
  const lines = ["| Client | Feature | Result | Detail |", "|---|---|---|---|"];
  for (const c of cells) {
    lines.push(`| ${c.client} | ${c.feature} | ${symbol[c.status]} | ${escapeCell(c.error ?? "")} |`);
  }
  const count = (s: CellStatus) => cells.filter((c) => c.status === s).length;
  const totals = `${count("pass")} pass, ${count("fail")} fail, ${count("n/a")} not applicable`;
  lines.push("", `${totals}, ${count("skipped")} skipped`);
  return lines.join("\n");
}
