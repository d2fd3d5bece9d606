/**
 * A concert start the API accepts whenever the tests run: the API refuses to schedule a concert in the past and to
 * sell tickets once it has started, so a hard-coded date would make the suite fail the day after it.
 * 1 July of next year, 20:00 UTC: the same value all year, so tests can compare it.
 */
export const FUTURE_START = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 6, 1, 20)).toISOString();

/** Another future start (1 August of next year), for a concert that must differ from the first. */
export const LATER_START = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 7, 1, 20)).toISOString();
