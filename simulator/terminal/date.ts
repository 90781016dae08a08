/**
 * `date` on the simulated clock. The shell library's own `date` reads the host's clock, which would
 * make a command line print something else on every replay of a permalink; this one prints the
 * world's virtual time, always in UTC as kind's nodes and the reader's container do.
 *
 * Supported as GNU coreutils 9 prints them (date(1)): no argument (`Sat Jul 30 09:00:00 UTC 2022`),
 * `-u`/`--utc`, `-I`/`--iso-8601[=seconds]`, `-R`/`--rfc-email`, and `+FORMAT` with the common
 * conversions. Setting the clock (`-s`) or reading other dates (`-d`) is refused with a sentence.
 */
import { virtualDate, type VirtualDate } from '../engine/virtual-time';
import { fail, ok, type CommandResult } from './context';

const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const fullMonthNames = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const weekdayNames = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const fullWeekdayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const pad = (value: number, width = 2, fill = '0'): string => String(value).padStart(width, fill);

/** Day of the year, 1–366. */
function dayOfYear(date: VirtualDate): number {
  const cumulative = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
  const leap = (date.year % 4 === 0 && date.year % 100 !== 0) || date.year % 400 === 0;
  return (cumulative[date.month - 1] ?? 0) + date.day + (leap && date.month > 2 ? 1 : 0);
}

/** One `%X` conversion, or undefined for one this date does not know. */
function conversion(letter: string, date: VirtualDate, epochMs: number): string | undefined {
  const hours12 = date.hours % 12 === 0 ? 12 : date.hours % 12;
  switch (letter) {
    case 'Y':
      return String(date.year);
    case 'y':
      return pad(date.year % 100);
    case 'm':
      return pad(date.month);
    case 'd':
      return pad(date.day);
    case 'e':
      return pad(date.day, 2, ' ');
    case 'H':
      return pad(date.hours);
    case 'I':
      return pad(hours12);
    case 'M':
      return pad(date.minutes);
    case 'S':
      return pad(date.seconds);
    case 'N':
      return pad(date.milliseconds * 1_000_000, 9);
    case 'p':
      return date.hours < 12 ? 'AM' : 'PM';
    case 's':
      return String(Math.floor(epochMs / 1000));
    case 'j':
      return pad(dayOfYear(date), 3);
    case 'u':
      return String(date.weekday === 0 ? 7 : date.weekday);
    case 'w':
      return String(date.weekday);
    case 'a':
      return weekdayNames[date.weekday];
    case 'A':
      return fullWeekdayNames[date.weekday];
    case 'b':
    case 'h':
      return monthNames[date.month - 1];
    case 'B':
      return fullMonthNames[date.month - 1];
    case 'Z':
      return 'UTC';
    case 'z':
      return '+0000';
    case 'F':
      return `${date.year}-${pad(date.month)}-${pad(date.day)}`;
    case 'T':
      return `${pad(date.hours)}:${pad(date.minutes)}:${pad(date.seconds)}`;
    case 'R':
      return `${pad(date.hours)}:${pad(date.minutes)}`;
    case 'D':
      return `${pad(date.month)}/${pad(date.day)}/${pad(date.year % 100)}`;
    case 'c':
      return `${weekdayNames[date.weekday] ?? ''} ${monthNames[date.month - 1] ?? ''} ${pad(date.day, 2, ' ')} ${pad(date.hours)}:${pad(date.minutes)}:${pad(date.seconds)} ${date.year}`;
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case '%':
      return '%';
    default:
      return undefined;
  }
}

/** Expands a `+FORMAT`; GNU date prints an unknown conversion as written. */
export function formatDate(format: string, timeMs: number, epochMs: number): string {
  const date = virtualDate(timeMs);
  let text = '';
  for (let i = 0; i < format.length; i++) {
    const character = format[i] ?? '';
    const letter = format[i + 1];
    if (character !== '%' || letter === undefined) {
      text += character;
      continue;
    }
    text += conversion(letter, date, epochMs) ?? `%${letter}`;
    i += 1;
  }
  return text;
}

/** `date [OPTION]... [+FORMAT]` at virtual time `timeMs` (`epochMs` since 1970, for `%s`). */
export function date(args: readonly string[], timeMs: number, epochMs: number): CommandResult {
  let format = '%a %b %e %H:%M:%S %Z %Y';
  for (const arg of args) {
    if (arg === '-u' || arg === '--utc' || arg === '--universal') continue;
    if (arg === '-I' || arg === '--iso-8601' || arg === '--iso-8601=date') format = '%F';
    else if (arg === '--iso-8601=seconds' || arg === '-Iseconds') format = '%FT%T+00:00';
    else if (arg === '-R' || arg === '--rfc-email') format = '%a, %d %b %Y %H:%M:%S +0000';
    else if (arg.startsWith('+')) format = arg.slice(1);
    else if (arg === '-s' || arg.startsWith('--set'))
      return fail('date: cannot set date: Operation not permitted');
    else if (arg === '-d' || arg.startsWith('--date'))
      return fail('date: this simulated date prints the current time only (-d is not supported)');
    else return fail(`date: invalid date '${arg}'`);
  }
  return ok(`${formatDate(format, timeMs, epochMs)}\n`);
}
