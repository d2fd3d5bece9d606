/**
 * ISO 8601 durations as Azure uses them (`PT1M`, `P14D`, `PT0.5S`, `P10675199DT2H48M5.4775807S`), to and from ms.
 */
const ISO_DURATION = /^P(?!$)(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?=\d)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const MS = { year: 365 * 86_400_000, month: 30 * 86_400_000, week: 7 * 86_400_000, day: 86_400_000, hour: 3_600_000, minute: 60_000, second: 1000 };

/** Parses an ISO 8601 duration into ms; returns undefined when the text is not one. */
export function parseIsoDuration(text: string): number | undefined {
  const m = ISO_DURATION.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, w, d, h, mi, s] = m.map((v) => (v === undefined ? 0 : Number(v)));
  return Math.round(y * MS.year + mo * MS.month + w * MS.week + d * MS.day + h * MS.hour + mi * MS.minute + s * MS.second);
}

/** Formats ms as an ISO 8601 duration the way Azure prints them (`PT1M`, `P14D`, `PT0.5S`). */
export function formatIsoDuration(ms: number): string {
  if (ms <= 0) return "PT0S";
  let rest = ms;
  const days = Math.floor(rest / MS.day);
  rest -= days * MS.day;
  const hours = Math.floor(rest / MS.hour);
  rest -= hours * MS.hour;
  const minutes = Math.floor(rest / MS.minute);
  rest -= minutes * MS.minute;
  const seconds = rest / 1000;
  let out = "P";
  if (days) out += `${days}D`;
  if (hours || minutes || seconds) {
    out += "T";
    if (hours) out += `${hours}H`;
    if (minutes) out += `${minutes}M`;
    if (seconds) out += `${Number(seconds.toFixed(7))}S`;
  }
  return out;
}
