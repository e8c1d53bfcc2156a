/**
 * Formatting and interval arithmetic shared by the Speed to Lead components.
 *
 * Business hours are never computed here: Apex returns the business-open intervals (epoch ms,
 * computed with the rule's BusinessHours) and these helpers only measure how much of a span
 * falls inside them, so the browser and the server cannot disagree about holidays or zones.
 */

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;

/**
 * Milliseconds of [fromMs, toMs) that fall inside the open intervals.
 * @param {{startMs: number, endMs: number}[]} intervals ordered, non-overlapping
 * @param {number} fromMs
 * @param {number} toMs
 * @returns {number}
 */
export function businessMsBetween(intervals, fromMs, toMs) {
  if (!Array.isArray(intervals) || !(toMs > fromMs)) {
    return 0;
  }
  let total = 0;
  for (const interval of intervals) {
    const start = Math.max(interval.startMs, fromMs);
    const end = Math.min(interval.endMs, toMs);
    if (end > start) {
      total += end - start;
    }
  }
  return total;
}

/**
 * Whether an instant lies inside one of the open intervals.
 * @param {{startMs: number, endMs: number}[]} intervals
 * @param {number} atMs
 * @returns {boolean}
 */
export function isOpenAt(intervals, atMs) {
  return (
    Array.isArray(intervals) &&
    intervals.some((interval) => atMs >= interval.startMs && atMs < interval.endMs)
  );
}

/**
 * The first opening strictly after an instant, or null when none is known.
 * @param {{startMs: number, endMs: number}[]} intervals
 * @param {number} atMs
 * @returns {number|null}
 */
export function nextOpening(intervals, atMs) {
  if (!Array.isArray(intervals)) {
    return null;
  }
  const next = intervals.find((interval) => interval.startMs > atMs);
  return next ? next.startMs : null;
}

/**
 * A countdown clock: "1:05:09" or "4:09" (minutes:seconds under an hour).
 * @param {number} ms non-negative duration
 * @returns {string}
 */
export function formatClock(ms) {
  const totalSeconds = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const pad = (n) => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${minutes}:${pad(seconds)}`;
}

/**
 * A human duration from minutes: "45 sec", "12 min", "3 h 05 min", "2 d 4 h".
 * @param {number|null|undefined} minutes
 * @returns {string}
 */
export function formatMinutes(minutes) {
  if (minutes === null || minutes === undefined || Number.isNaN(Number(minutes))) {
    return '—';
  }
  const value = Number(minutes);
  if (value < 1) {
    return `${Math.round(value * 60)} sec`;
  }
  if (value < 60) {
    return `${Math.round(value * 10) / 10} min`;
  }
  const ms = value * MINUTE;
  if (ms < 24 * HOUR) {
    const hours = Math.floor(ms / HOUR);
    const rest = Math.round((ms - hours * HOUR) / MINUTE);
    return `${hours} h ${String(rest).padStart(2, '0')} min`;
  }
  const days = Math.floor(ms / (24 * HOUR));
  const hours = Math.round((ms - days * 24 * HOUR) / HOUR);
  return `${days} d ${hours} h`;
}

/**
 * "Mon 9:00 AM" in the given time zone (the rep's, from their user settings).
 * @param {number} ms epoch milliseconds
 * @param {string} timeZone IANA zone id
 * @param {string} locale BCP 47 locale
 * @returns {string}
 */
export function formatWeekdayTime(ms, timeZone, locale) {
  if (ms === null || ms === undefined) {
    return '';
  }
  return new Intl.DateTimeFormat(locale || 'en-US', {
    timeZone: timeZone || undefined,
    weekday: 'short',
    hour: 'numeric',
    minute: '2-digit'
  }).format(new Date(ms));
}

/**
 * "Nov 18, 9:00 AM" in the given time zone.
 * @param {number} ms epoch milliseconds
 * @param {string} timeZone IANA zone id
 * @param {string} locale BCP 47 locale
 * @returns {string}
 */
export function formatDateTime(ms, timeZone, locale) {
  if (ms === null || ms === undefined) {
    return '';
  }
  return new Intl.DateTimeFormat(locale || 'en-US', {
    timeZone: timeZone || undefined,
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit'
  }).format(new Date(ms));
}

/**
 * "87%" from a 0..1 rate, or "—" when there is nothing to judge.
 * @param {number|null|undefined} rate
 * @returns {string}
 */
export function formatPercent(rate) {
  if (rate === null || rate === undefined) {
    return '—';
  }
  return `${Math.round(Number(rate) * 1000) / 10}%`;
}

/**
 * The message of an Apex or wire error, for display.
 * @param {*} error
 * @returns {string}
 */
export function errorMessage(error) {
  if (!error) {
    return 'Unknown error';
  }
  if (Array.isArray(error.body)) {
    return error.body.map((e) => e.message).join(', ');
  }
  if (error.body && typeof error.body.message === 'string') {
    return error.body.message;
  }
  if (typeof error.message === 'string') {
    return error.message;
  }
  return String(error);
}
