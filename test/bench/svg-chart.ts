/**
 * A small SVG line chart for the bench results (bench-results/purchases-load.svg, shown by the README): panels
 * stacked one above the other that share an x axis, each with its own y axis and lines. Hand-written rather than a
 * library: the npm chart libraries either need a DOM (a browser or jsdom) or are large (vega), and what is drawn here
 * is a few polylines, axes and labels; no new dependency for that. The scales are pure and unit-tested.
 */

export interface Series {
  name: string;
  /** One value per x; NaN or Infinity leaves a gap (a step that produced nothing). */
  values: number[];
  /** Drawn dashed (a reference such as "achieved = offered"). */
  dashed?: boolean;
}

export interface Panel {
  /** The y axis' label, unit included. */
  label: string;
  series: Series[];
}

export interface LineChart {
  title: string;
  xLabel: string;
  x: number[];
  panels: Panel[];
}

/** The smallest "nice" number (1, 2 or 5 times a power of ten) at or above `max`; 1 for nothing to show. */
export function niceCeiling(max: number): number {
  if (!(max > 0) || !Number.isFinite(max)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max * (1 - 1e-9)) return step * power;
  return 10 * power;
}

/** `count` + 1 evenly spaced ticks from 0 to `top`. */
export function ticks(top: number, count = 4): number[] {
  return Array.from({ length: count + 1 }, (_, i) => (top * i) / count);
}

/** Maps [0, domainMax] linearly onto [from, to] (to < from for a y axis, which grows upwards). */
export function linearScale(domainMax: number, from: number, to: number): (v: number) => number {
  return (v) => from + ((to - from) * v) / (domainMax || 1);
}

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const label = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(Math.round(n * 100) / 100));
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#7f7f7f"];

export function lineChartSvg(chart: LineChart): string {
  const width = 720;
  const panelHeight = 200;
  const left = 70;
  const right = 200;
  const top = 40;
  const gap = 50;
  const height = top + chart.panels.length * (panelHeight + gap) + 20;
  const xTop = niceCeiling(Math.max(...chart.x));
  const x = linearScale(xTop, left, width - right);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"` +
      ` font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">` +
      `${escape(chart.title)}</text>`,
  ];
  chart.panels.forEach((panel, p) => {
    const y0 = top + p * (panelHeight + gap);
    const finite = panel.series.flatMap((s) => s.values).filter(Number.isFinite);
    const yTop = niceCeiling(Math.max(0, ...finite));
    const y = linearScale(yTop, y0 + panelHeight, y0);
    for (const t of ticks(yTop)) {
      out.push(`<line x1="${left}" x2="${width - right}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/>`);
      out.push(`<text x="${left - 6}" y="${y(t) + 4}" text-anchor="end">${label(t)}</text>`);
    }
    const bottom = y0 + panelHeight;
    for (const v of chart.x) out.push(`<text x="${x(v)}" y="${bottom + 16}" text-anchor="middle">${label(v)}</text>`);
    out.push(`<line x1="${left}" x2="${width - right}" y1="${bottom}" y2="${bottom}" stroke="#333"/>`);
    out.push(`<line x1="${left}" x2="${left}" y1="${y0}" y2="${y0 + panelHeight}" stroke="#333"/>`);
    const mid = y0 + panelHeight / 2;
    const rotate = `rotate(-90 16 ${mid})`;
    out.push(`<text x="16" y="${mid}" text-anchor="middle" transform="${rotate}">${escape(panel.label)}</text>`);
    panel.series.forEach((s, i) => {
      const colour = COLOURS[i % COLOURS.length];
      const points = s.values.flatMap((v, j) => (Number.isFinite(v) ? [[x(chart.x[j]), y(Math.min(v, yTop))]] : []));
      const dash = s.dashed ? ` stroke-dasharray="5 4"` : "";
      const path = points.map(([px, py]) => `${px},${py}`).join(" ");
      out.push(`<polyline fill="none" stroke="${colour}" stroke-width="2"${dash} points="${path}"/>`);
      for (const [px, py] of points) out.push(`<circle cx="${px}" cy="${py}" r="3" fill="${colour}"/>`);
      const ly = y0 + 14 + i * 18;
      const key = `x1="${width - right + 12}" x2="${width - right + 36}" y1="${ly - 4}" y2="${ly - 4}"`;
      out.push(`<line ${key} stroke="${colour}" stroke-width="2"${dash}/>`);
      out.push(`<text x="${width - right + 42}" y="${ly}">${escape(s.name)}</text>`);
    });
  });
  const last = top + chart.panels.length * (panelHeight + gap) - gap + 36;
  out.push(`<text x="${(left + width - right) / 2}" y="${last}" text-anchor="middle">${escape(chart.xLabel)}</text>`);
  out.push("</svg>");
  return out.join("\n") + "\n";
}
