/**
 * The app's one source of "now". In Azure it is the wall clock. Under the local Functions host the emulator's clock
 * may have been moved forward (a test skips the reservation timeout instead of waiting for it); the host then keeps
 * the setting EMULATOR_CLOCK_OFFSET_MS in the worker's environment up to date, so the app's `now`, the scheduled
 * messages it sends and the emulator's idea of when they fall due all agree. Unset (Azure, unit tests), the offset
 * is 0 and this is plain `new Date()`.
 */
export const CLOCK_OFFSET_SETTING = "EMULATOR_CLOCK_OFFSET_MS";

function offsetMs(): number {
  const raw = process.env[CLOCK_OFFSET_SETTING];
  if (!raw) return 0;
  const offset = Number(raw);
  return Number.isFinite(offset) ? offset : 0;
}

/** Milliseconds since the epoch on the app's time line. */
export function nowMs(): number {
  return Date.now() + offsetMs();
}

/** The current time on the app's time line. */
export function currentTime(): Date {
  return new Date(nowMs());
}
