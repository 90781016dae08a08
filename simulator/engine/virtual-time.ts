/**
 * Virtual time. The simulator counts milliseconds from the start of a run; this module turns them
 * into the wall-clock strings Kubernetes prints, from a fixed epoch, without touching the real clock.
 */

/** The virtual epoch: 29 July 2022 09:00 UTC, the week the mistaken-identity experiment was published. */
export const virtualEpochMs = Date.UTC(2022, 6, 29, 9, 0, 0);

/** Converts days since 1970-01-01 into a civil date (Howard Hinnant's days_from_civil, inverted). */
function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthPrime = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthPrime + 2) / 5) + 1;
  const month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** 09:00 UTC on a `YYYY-MM-DD` day, as virtual time (when a scenario's clock starts). */
export function startOfDay(day: string): number {
  const [year = 2022, month = 7, date = 29] = day.split('-').map(Number);
  return Date.UTC(year, month - 1, date, 9) - virtualEpochMs;
}

/** The calendar parts (UTC) of a virtual time. */
export interface VirtualDate {
  year: number;
  /** 1-12. */
  month: number;
  day: number;
  hours: number;
  minutes: number;
  seconds: number;
  milliseconds: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

/** Splits a virtual time into UTC calendar parts, without the real clock or time zones. */
export function virtualDate(timeMs: number): VirtualDate {
  const absoluteMs = virtualEpochMs + timeMs;
  const days = Math.floor(absoluteMs / 86_400_000);
  const msOfDay = absoluteMs - days * 86_400_000;
  const { year, month, day } = civilFromDays(days);
  return {
    year,
    month,
    day,
    hours: Math.floor(msOfDay / 3_600_000),
    minutes: Math.floor((msOfDay % 3_600_000) / 60_000),
    seconds: Math.floor((msOfDay % 60_000) / 1000),
    milliseconds: msOfDay % 1000,
    // 1970-01-01 was a Thursday.
    weekday: (((days + 4) % 7) + 7) % 7,
  };
}

/** The last second toTimestamp formatted, and its text: a run asks for the same second many times. */
let lastTimestampSecond = NaN;
let lastTimestamp = '';

/** RFC 3339 timestamp (second precision, as Kubernetes stores metadata times) for a virtual time. */
export function toTimestamp(timeMs: number): string {
  const second = Math.floor(timeMs / 1000);
  if (second === lastTimestampSecond) return lastTimestamp;
  const date = virtualDate(timeMs);
  const text = `${date.year}-${pad(date.month)}-${pad(date.day)}T${pad(date.hours)}:${pad(date.minutes)}:${pad(date.seconds)}Z`;
  lastTimestampSecond = second;
  lastTimestamp = text;
  return text;
}

const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const weekdayNames = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Go's ANSIC layout (`Fri Jul 29 09:01:00 2022`), as helm prints LAST DEPLOYED. */
export function toAnsiC(timeMs: number): string {
  const date = virtualDate(timeMs);
  return `${weekdayNames[date.weekday] ?? ''} ${monthNames[date.month - 1] ?? ''} ${String(date.day).padStart(2, ' ')} ${pad(date.hours)}:${pad(date.minutes)}:${pad(date.seconds)} ${date.year}`;
}

/**
 * Go's time.Time String() for a UTC time, to the second (`2022-07-29 09:00:00 +0000 UTC`): how
 * kubectl describe prints a metav1.Time with %s, docker prints CreatedAt and Cilium prints an auth
 * map entry's expiration. The layouts of Go's `time` package that the tools print are all here.
 */
export function toGoString(timeMs: number): string {
  const date = virtualDate(timeMs);
  return `${date.year}-${pad(date.month)}-${pad(date.day)} ${pad(date.hours)}:${pad(date.minutes)}:${pad(date.seconds)} +0000 UTC`;
}

/** Go's RFC1123Z layout (`Fri, 29 Jul 2022 09:00:00 +0000`), as kubectl describe prints times. */
export function toRfc1123z(timeMs: number): string {
  const date = virtualDate(timeMs);
  return `${weekdayNames[date.weekday] ?? ''}, ${pad(date.day)} ${monthNames[date.month - 1] ?? ''} ${date.year} ${pad(date.hours)}:${pad(date.minutes)}:${pad(date.seconds)} +0000`;
}

/** RFC 3339 with milliseconds (`2022-07-29T09:00:00.123Z`), as Go's time.Time marshals to JSON. */
export function toRfc3339Milli(timeMs: number): string {
  return toTimestamp(timeMs).replace(/Z$/, `.${String(timeMs % 1000).padStart(3, '0')}Z`);
}

/** Go's `Jan 2 15:04:05 2006 MST` layout in UTC (`Jul 4 19:13:31 2022 UTC`), as step prints validity. */
export function toGoValidity(timeMs: number): string {
  const date = virtualDate(timeMs);
  return `${monthNames[date.month - 1] ?? ''} ${date.day} ${pad(date.hours)}:${pad(date.minutes)}:${pad(date.seconds)} ${date.year} UTC`;
}

/** An HTTP date (RFC 9110 IMF-fixdate, `Fri, 29 Jul 2022 09:01:00 GMT`), as servers send in `Date`. */
export function toHttpDate(timeMs: number): string {
  const date = virtualDate(timeMs);
  return `${weekdayNames[date.weekday] ?? ''}, ${pad(date.day)} ${monthNames[date.month - 1] ?? ''} ${date.year} ${pad(date.hours)}:${pad(date.minutes)}:${pad(date.seconds)} GMT`;
}

/** Go's StampMilli layout (`Jul 29 09:01:26.123`), as Hubble's compact output prints times. */
export function toStampMilli(timeMs: number): string {
  const date = virtualDate(timeMs);
  return `${monthNames[date.month - 1] ?? ''} ${pad(date.day)} ${pad(date.hours)}:${pad(date.minutes)}:${pad(date.seconds)}.${pad(date.milliseconds, 3)}`;
}

/**
 * Age as kubectl prints it (apimachinery util/duration HumanDuration): `45s`, `3m12s`, `5m`,
 * `5h4m`, `2d3h`; a zero remainder is left out.
 */
export function formatAge(elapsedMs: number): string {
  const seconds = Math.max(0, Math.floor(elapsedMs / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  const withRest = (whole: string, rest: number, unit: string): string =>
    rest === 0 ? whole : `${whole}${rest}${unit}`;
  if (minutes < 10) return withRest(`${minutes}m`, seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return withRest(`${hours}h`, minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 8) return withRest(`${days}d`, hours % 24, 'h');
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return withRest(`${years}y`, days % 365, 'd');
  return `${years}y`;
}

/** A duration in a unit a reader scans easily: `850ms`, `12.4s`, `3m05s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${pad(Math.floor((ms % 60_000) / 1000))}s`;
}

/**
 * Go's time.Duration String of a duration rounded to whole seconds (`45s`, `5m12s`, `1h0m3s`), as
 * kind prints its wait and Hubble a node's uptime.
 */
export function goSecondsString(ms: number): string {
  const total = Math.round(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}
