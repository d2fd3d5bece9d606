/**
 * Timer schedules as the Functions host accepts them: six-field NCRONTAB with seconds
 * (`{second} {minute} {hour} {day} {month} {day-of-week}`, evaluated by croner; NCrontab requires both day fields
 * to match when both are restricted), or a TimeSpan (`hh:mm:ss`, `d.hh:mm:ss`) for a fixed interval.
 * Times are in UTC unless WEBSITE_TIME_ZONE (or TZ) names an IANA time zone.
 */
import { Cron } from "croner";

export interface TimerSchedule {
  readonly expression: string;
  /** The first occurrence strictly after `afterMs` (ms since the epoch). */
  next(afterMs: number): number;
}

const TIME_SPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/;

function parseTimeSpan(text: string): number | undefined {
  const m = TIME_SPAN.exec(text);
  if (!m) return undefined;
  const [, d, h, min, s, frac] = m;
  if (Number(h) > 23 || Number(min) > 59 || Number(s ?? 0) > 59) return undefined;
  return ((Number(d ?? 0) * 24 + Number(h)) * 60 + Number(min)) * 60_000 + Number(s ?? 0) * 1000 + Math.round(Number(`0.${frac ?? "0"}`) * 1000);
}

export function parseTimerSchedule(expression: string, timeZone = "UTC"): TimerSchedule {
  const text = expression.trim();
  const span = parseTimeSpan(text);
  if (span !== undefined) {
    if (span <= 0) throw new Error(`The timer schedule "${expression}" must be a positive interval.`);
    return { expression: text, next: (after) => after + span };
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 6) {
    throw new Error(
      `The schedule "${expression}" was not recognized as a valid cron expression or timespan string: Functions uses six-field NCRONTAB with seconds ("0 */5 * * * *"), or "hh:mm:ss".`,
    );
  }
  let cron: Cron;
  try {
    cron = new Cron(text, { paused: true, mode: "6-part", domAndDow: true, timezone: timeZone });
  } catch (err) {
    throw new Error(`The schedule "${expression}" is not a valid NCRONTAB expression: ${(err as Error).message}`, { cause: err });
  }
  return {
    expression: text,
    next(after) {
      const at = cron.nextRun(new Date(after));
      if (!at) throw new Error(`The schedule "${expression}" has no future occurrence.`);
      return at.getTime();
    },
  };
}
