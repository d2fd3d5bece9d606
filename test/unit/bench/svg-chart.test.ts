/** The bench chart's scales and what the SVG holds (bench-results/purchases-load.svg). */
import { describe, expect, it } from "vitest";
import { linearScale, lineChartSvg, niceCeiling, ticks } from "../../bench/svg-chart.js";

describe("niceCeiling", () => {
  it("rounds up to 1, 2 or 5 times a power of ten", () => {
    expect(niceCeiling(200)).toBe(200);
    expect(niceCeiling(201)).toBe(500);
    expect(niceCeiling(7)).toBe(10);
    expect(niceCeiling(11_636)).toBe(20_000);
    expect(niceCeiling(0.3)).toBeCloseTo(0.5);
  });

  it("gives 1 when there is nothing to show", () => {
    expect(niceCeiling(0)).toBe(1);
    expect(niceCeiling(Number.NaN)).toBe(1);
    expect(niceCeiling(Number.NEGATIVE_INFINITY)).toBe(1);
  });
});

describe("scales", () => {
  it("maps 0 and the top of the domain onto the ends of the range, upside down for a y axis", () => {
    const y = linearScale(200, 240, 40);
    expect(y(0)).toBe(240);
    expect(y(200)).toBe(40);
    expect(y(100)).toBe(140);
  });

  it("ticks from 0 to the top in equal steps", () => {
    expect(ticks(200)).toEqual([0, 50, 100, 150, 200]);
  });
});

describe("lineChartSvg", () => {
  const chart = lineChartSvg({
    title: "a <chart>",
    xLabel: "offered per second",
    x: [10, 50, 100, 200],
    panels: [
      {
        label: "per s",
        series: [
          { name: "achieved", values: [10, 50, 90, Number.NaN] },
          { name: "offered", values: [10, 50, 100, 200], dashed: true },
        ],
      },
      { label: "ms", series: [{ name: "p99", values: [30, 40, 60, 2_000] }] },
    ],
  });

  it("is one SVG document with a line per series and a point per finite value", () => {
    expect(chart.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
    expect(chart.trim().endsWith("</svg>")).toBe(true);
    expect(chart.match(/<polyline/g)).toHaveLength(3);
    expect(chart.match(/<circle/g)).toHaveLength(3 + 4 + 4);
    expect(chart).toContain("stroke-dasharray");
  });

  it("escapes text and labels the axes and the series", () => {
    expect(chart).toContain("a &lt;chart&gt;");
    const texts = ["offered per second", "achieved", "offered", "p99", ">200<", ">2k<"];
    for (const text of texts) expect(chart).toContain(text);
  });
});
