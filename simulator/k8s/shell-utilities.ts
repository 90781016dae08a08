/**
 * The utilities a container's script calls that the model runs itself, as busybox implements them
 * (busybox's coreutils/, https://busybox.net/downloads/BusyBox.html), which is what `sh` is in the
 * busybox and alpine images the Kubernetes docs use: `echo`, `printf`, `seq`, `test`/`[`, `sleep`'s
 * duration and `date`'s default format. Pure functions of their arguments.
 */

/** What a utility did: its exit status and what it wrote. */
export interface UtilityResult {
  status: number;
  stdout: string;
  stderr: string;
}

const done = (stdout: string, status = 0, stderr = ''): UtilityResult => ({ status, stdout, stderr });

/** C escapes of `echo -e` and printf's format (`\n`, `\t`, `\\`, `\0NNN`/`\NNN`, `\c` ends output). */
function unescape(text: string, octalNeedsZero: boolean): { text: string; stop: boolean } {
  let result = '';
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] ?? '';
    if (char !== '\\' || index + 1 >= text.length) {
      result += char;
      continue;
    }
    const next = text[index + 1] ?? '';
    const simple: Record<string, string> = {
      n: '\n',
      t: '\t',
      r: '\r',
      a: '\x07',
      b: '\b',
      f: '\f',
      v: '\v',
      '\\': '\\',
    };
    if (next === 'c') return { text: result, stop: true };
    if (simple[next] !== undefined) {
      result += simple[next];
      index += 1;
    } else if (/[0-7]/.test(next) && (next === '0' || !octalNeedsZero)) {
      const digits = /^[0-7]{1,3}/.exec(text.slice(index + (octalNeedsZero ? 2 : 1)))?.[0] ?? '';
      result += String.fromCharCode(Number.parseInt(digits === '' ? '0' : digits, 8));
      index += (octalNeedsZero ? 1 : 0) + digits.length;
    } else result += char;
  }
  return { text: result, stop: false };
}

/**
 * `echo [-neE] ARG…`: busybox's echo (coreutils/echo.c) takes leading -n, -e, -E and does not
 * interpret escapes unless -e is given, as bash does; words are joined by one space.
 */
export function echo(args: readonly string[]): UtilityResult {
  let newline = true;
  let escapes = false;
  let index = 0;
  while (index < args.length && /^-[neE]+$/.test(args[index] ?? '')) {
    for (const flag of (args[index] ?? '').slice(1)) {
      if (flag === 'n') newline = false;
      else escapes = flag === 'e';
    }
    index += 1;
  }
  const text = args.slice(index).join(' ');
  if (!escapes) return done(newline ? `${text}\n` : text);
  const { text: unescaped, stop } = unescape(text, true);
  return done(stop || !newline ? unescaped : `${unescaped}\n`);
}

/** A printf numeric argument: a number, a 'c character's code, or 0 with an error (POSIX printf). */
function numericArgument(arg: string | undefined, errors: string[]): number {
  if (arg === undefined || arg === '') return 0;
  if (/^['"]/.test(arg)) return arg.codePointAt(1) ?? 0;
  const value = /^[-+]?0[xX][0-9a-fA-F]+$/.test(arg) ? Number.parseInt(arg, 16) : Number(arg);
  if (Number.isNaN(value)) {
    errors.push(`printf: invalid number '${arg}'\n`);
    return 0;
  }
  return value;
}

/** One conversion of printf's format: `%[flags][width][.precision]conversion`. */
function convert(spec: RegExpExecArray, arg: string | undefined, errors: string[]): string {
  const [, flags = '', widthText = '', precisionText, conversion = 's'] = spec;
  const precision = precisionText === undefined ? undefined : Number(precisionText.slice(1) || '0');
  let body: string;
  switch (conversion) {
    case 'd':
    case 'i':
    case 'u': {
      const value = Math.trunc(numericArgument(arg, errors));
      body = String(Math.abs(value)).padStart(precision ?? 0, '0');
      body = (value < 0 ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '') + body;
      break;
    }
    case 'x':
    case 'X':
    case 'o': {
      const value = Math.trunc(numericArgument(arg, errors));
      body = (value >>> 0).toString(conversion === 'o' ? 8 : 16);
      if (conversion === 'X') body = body.toUpperCase();
      break;
    }
    case 'f':
    case 'e':
    case 'g': {
      const value = numericArgument(arg, errors);
      body =
        conversion === 'f'
          ? value.toFixed(precision ?? 6)
          : conversion === 'e'
            ? value.toExponential(precision ?? 6)
            : String(value);
      if (value >= 0 && flags.includes('+')) body = `+${body}`;
      break;
    }
    case 'c':
      body = (arg ?? '').slice(0, 1);
      break;
    case 'b':
      body = unescape(arg ?? '', true).text;
      break;
    default:
      body = precision === undefined ? (arg ?? '') : (arg ?? '').slice(0, precision);
  }
  const width = Number(widthText || '0');
  if (body.length >= width) return body;
  if (flags.includes('-')) return body.padEnd(width);
  const zero = flags.includes('0') && /[diuxXofeg]/.test(conversion);
  if (!zero) return body.padStart(width);
  const sign = /^[-+ ]/.test(body) ? body.slice(0, 1) : '';
  return sign + body.slice(sign.length).padStart(width - sign.length, '0');
}

const conversionPattern = /%([-+ 0#]*)([0-9]*)(\.[0-9]*)?([diouxXfegcsb%])/y;

/**
 * `printf FORMAT [ARG…]` (POSIX printf, busybox coreutils/printf.c): the format's escapes and
 * conversions, reused while arguments remain; missing arguments are empty or zero.
 */
export function printf(args: readonly string[]): UtilityResult {
  const [format, ...rest] = args;
  if (format === undefined) return done('', 1, 'printf: usage: printf FORMAT [ARGUMENT...]\n');
  const errors: string[] = [];
  let output = '';
  let next = 0;
  do {
    let consumed = false;
    let literal = '';
    for (let index = 0; index < format.length;) {
      conversionPattern.lastIndex = index;
      const spec = format[index] === '%' ? conversionPattern.exec(format) : null;
      if (spec === null) {
        literal += format[index] ?? '';
        index += 1;
        continue;
      }
      output += unescape(literal, false).text;
      literal = '';
      index = conversionPattern.lastIndex;
      if (spec[4] === '%') {
        output += '%';
        continue;
      }
      consumed = true;
      output += convert(spec, rest[next], errors);
      next += 1;
    }
    output += unescape(literal, false).text;
    if (!consumed) break;
  } while (next < rest.length);
  return done(output, errors.length > 0 ? 1 : 0, errors.join(''));
}

/** Decimal places of a number as written, for seq's output format. */
const decimals = (text: string): number => /\.([0-9]+)/.exec(text)?.[1]?.length ?? 0;

/** `seq [-w] [-s SEP] [FIRST [INCREMENT]] LAST` (busybox coreutils/seq.c). */
export function seq(args: readonly string[]): UtilityResult {
  let separator = '\n';
  let equalWidth = false;
  const numbers: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '-w') equalWidth = true;
    else if (arg === '-s') separator = args[++index] ?? '\n';
    else if (arg.startsWith('-s')) separator = arg.slice(2);
    else numbers.push(arg);
  }
  if (numbers.length < 1 || numbers.length > 3)
    return done('', 1, 'seq: usage: seq [-w] [-s SEP] [FIRST [INC]] LAST\n');
  const bad = numbers.find((text) => Number.isNaN(Number(text)) || text.trim() === '');
  if (bad !== undefined) return done('', 1, `seq: invalid number '${bad}'\n`);
  const [first, increment, last] =
    numbers.length === 1
      ? ['1', '1', numbers[0] ?? '1']
      : numbers.length === 2
        ? [numbers[0] ?? '1', '1', numbers[1] ?? '1']
        : (numbers as [string, string, string]);
  const places = Math.max(decimals(first), decimals(increment));
  const step = Number(increment);
  const values: string[] = [];
  if (step !== 0)
    for (let count = 0; ; count += 1) {
      const value = Number(first) + count * step;
      if (step > 0 ? value > Number(last) : value < Number(last)) break;
      values.push(value.toFixed(places));
    }
  const width = Math.max(0, ...values.map((value) => value.length));
  const shown = equalWidth ? values.map((value) => value.padStart(width, '0')) : values;
  return done(shown.length === 0 ? '' : `${shown.join(separator)}\n`);
}

/**
 * Seconds of `sleep ARG…`, the arguments added up, each a number with an optional s, m, h or d
 * suffix (busybox's sleep with FEATURE_FANCY_SLEEP and FEATURE_FLOAT_SLEEP); Infinity for
 * `infinity`; undefined for an argument sleep refuses.
 */
export function sleepSeconds(args: readonly string[]): number | undefined {
  if (args.length === 0) return undefined;
  let total = 0;
  for (const arg of args) {
    if (/^inf(inity)?$/i.test(arg)) return Infinity;
    const match = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(arg);
    if (match === null) return undefined;
    const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] ?? ''] ?? 1;
    total += Number(match[1]) * unit;
  }
  return total;
}

/** A test operand as an integer, or undefined (busybox: `sh: ARG: bad number`). */
const integer = (text: string): number | undefined =>
  /^\s*[-+]?[0-9]+\s*$/.test(text) ? Number(text) : undefined;

const binaryTests: Record<string, (left: string, right: string) => boolean | undefined> = {
  '=': (left, right) => left === right,
  '==': (left, right) => left === right,
  '!=': (left, right) => left !== right,
  '<': (left, right) => left < right,
  '>': (left, right) => left > right,
};
const numericTests: Record<string, (left: number, right: number) => boolean> = {
  '-eq': (left, right) => left === right,
  '-ne': (left, right) => left !== right,
  '-lt': (left, right) => left < right,
  '-le': (left, right) => left <= right,
  '-gt': (left, right) => left > right,
  '-ge': (left, right) => left >= right,
};

class TestError extends Error {}

/** The value of a test expression's operands (POSIX test, with -a, -o, ! and parentheses). */
function testExpression(args: readonly string[]): boolean {
  const orAt = args.indexOf('-o', 1);
  if (args.length > 3 && orAt > 0)
    return testExpression(args.slice(0, orAt)) || testExpression(args.slice(orAt + 1));
  const andAt = args.indexOf('-a', 1);
  if (args.length > 3 && andAt > 0)
    return testExpression(args.slice(0, andAt)) && testExpression(args.slice(andAt + 1));
  const [first = '', second = '', third = ''] = args;
  if (args.length === 0) return false;
  if (args.length === 1) return first !== '';
  if (first === '!' && args.length !== 3) return !testExpression(args.slice(1));
  if (args.length === 2) {
    if (first === '-z') return second === '';
    if (first === '-n') return second !== '';
    // Files: the model's containers have none a script could ask about.
    if (/^-[bcdefghkLprsStuwxOG]$/.test(first)) return false;
    throw new TestError(`${first}: unknown operand`);
  }
  if (args.length === 3) {
    const numeric = numericTests[second];
    if (numeric !== undefined) {
      const left = integer(first);
      const right = integer(third);
      if (left === undefined) throw new TestError(`${first}: bad number`);
      if (right === undefined) throw new TestError(`${third}: bad number`);
      return numeric(left, right);
    }
    const textual = binaryTests[second];
    if (textual !== undefined) return textual(first, third) === true;
    if (first === '!') return !testExpression(args.slice(1));
    if (first === '(' && third === ')') return testExpression([second]);
  }
  if (first === '(' && args[args.length - 1] === ')') return testExpression(args.slice(1, -1));
  throw new TestError('syntax error');
}

/**
 * `test EXPR` and `[ EXPR ]`: status 0 when true, 1 when false, 2 with busybox's message for a
 * bad operand (coreutils/test.c: `sh: OPERAND: bad number`).
 */
export function test(name: string, args: readonly string[]): UtilityResult {
  let operands = args;
  if (name === '[') {
    if (args[args.length - 1] !== ']') return done('', 2, 'sh: [: missing ]\n');
    operands = args.slice(0, -1);
  }
  try {
    return done('', testExpression(operands) ? 0 : 1);
  } catch (error) {
    if (error instanceof TestError) return done('', 2, `sh: ${error.message}\n`);
    throw error;
  }
}
