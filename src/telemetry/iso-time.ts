/**
 * The decoder's check of an event's `time`: the ISO 8601 shape Lambda stamps, on a real
 * calendar day. (Timestamps inside log lines, which runtimes write, are read by log-time.ts.)
 */

const DIGIT = /* '0' */ 48;
/** Offsets of the digits in `YYYY-MM-DDTHH:MM:SS`. */
const TIME_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18] as const;
const isDigitAt = (s: string, i: number): boolean => s.charCodeAt(i) - DIGIT >= 0 && s.charCodeAt(i) - DIGIT <= 9;

/**
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, the shape Lambda stamps. Date.parse alone also
 * takes "2024", RFC 1123 dates and zone-less local times, and rolls Feb 30 over to March.
 */
export function isIsoTime(time: string): boolean {
  const n = time.length;
  if (n < 20) return false;
  for (const i of TIME_DIGITS) if (!isDigitAt(time, i)) return false;
  if (time[4] !== '-' || time[7] !== '-' || (time[10] !== 'T' && time[10] !== 't') || time[13] !== ':' || time[16] !== ':') return false;
  let i = 19;
  if (time[i] === '.') {
    i++;
    while (i < n && isDigitAt(time, i)) i++;
    if (i === 20) return false;
  }
  const zone = time.slice(i);
  const zoneOk =
    zone === 'Z' || zone === 'z' ||
    (zone.length === 6 && (zone[0] === '+' || zone[0] === '-') && isDigitAt(zone, 1) && isDigitAt(zone, 2) && zone[3] === ':' && isDigitAt(zone, 4) && isDigitAt(zone, 5));
  if (!zoneOk) return false;
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) return false;
  // Every month has its 28 first days (Date.parse has checked the month): only a later day can roll over.
  const day = Number(time.slice(8, 10));
  if (day <= 28) return true;
  // Reject rolled-over days (2025-02-30): the calendar day must survive the round trip.
  const local = new Date(ms + (zone.length === 6 ? (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000 : 0));
  return local.getUTCDate() === day;
}

