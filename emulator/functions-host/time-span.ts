/**
 * .NET TimeSpan text as host.json and the Service Bus trigger metadata use it: `[-][d.]hh:mm:ss[.fffffff]`.
 */
const TIME_SPAN = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/;

/** Milliseconds, or undefined when the text is not a TimeSpan. */
export function parseTimeSpan(text: string): number | undefined {
  const m = TIME_SPAN.exec(text.trim());
  if (!m) return undefined;
  const [, sign, d, h, min, s, frac] = m;
  if (Number(h) > 23 || Number(min) > 59 || Number(s) > 59) return undefined;
  const ms = ((Number(d ?? 0) * 24 + Number(h)) * 60 + Number(min)) * 60_000 + Number(s) * 1000 + Number(`0.${frac ?? "0"}`) * 1000;
  return sign ? -ms : ms;
}

export function formatTimeSpan(ms: number): string {
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(ms);
  const days = Math.floor(rest / 86_400_000);
  rest -= days * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  const ticks = Math.round((rest - s * 1000) * 10_000);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${sign}${days ? `${days}.` : ""}${two(h)}:${two(m)}:${two(s)}${ticks ? `.${String(ticks).padStart(7, "0")}` : ""}`;
}
