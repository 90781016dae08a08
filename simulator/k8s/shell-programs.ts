/**
 * The programs a container's script may call besides the shell's own builtins, and what each does
 * in the model: how long it takes, what it prints, its exit status, or that it runs until stopped.
 * A program the model does not know (a server: nginx, a proxy, an agent) runs until stopped, as
 * before this evaluator existed. Busybox's applets are the reference (https://busybox.net/downloads/BusyBox.html).
 */
import { virtualDate, virtualEpochMs } from '../engine/virtual-time';
import { echo, printf, seq, sleepSeconds, test, type UtilityResult } from './shell-utilities';

/** What a program did, or that it runs until it is stopped. */
export type ProgramOutcome = (UtilityResult & { durationMs: number }) | 'forever';

/** What programs may read of the container: its hostname, its clock, standard input, the environment. */
export interface ProgramContext {
  hostname: string;
  /** Virtual time now, in milliseconds (the engine's clock, not the epoch). */
  nowMs(): number;
  stdin: string;
  /** The exported environment, made on demand (only printenv reads it). */
  environment(): ReadonlyMap<string, string>;
}

const instant = (result: UtilityResult): ProgramOutcome => ({ ...result, durationMs: 0 });
const succeeded = (stdout = ''): ProgramOutcome => ({ status: 0, stdout, stderr: '', durationMs: 0 });

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (value: number): string => String(value).padStart(2, '0');

/**
 * `date [+FORMAT]` on the virtual clock, in UTC as the model's containers run: busybox's default
 * format is `%a %b %e %H:%M:%S %Z %Y` (coreutils/date.c), with the common conversions for +FORMAT.
 */
function date(args: readonly string[], nowMs: number): ProgramOutcome {
  const at = virtualDate(nowMs);
  const format = args.find((arg) => arg.startsWith('+'))?.slice(1) ?? '%a %b %e %H:%M:%S %Z %Y';
  const conversions: Record<string, string> = {
    a: weekdays[at.weekday] ?? '',
    b: months[at.month - 1] ?? '',
    d: two(at.day),
    e: String(at.day).padStart(2, ' '),
    H: two(at.hours),
    M: two(at.minutes),
    S: two(at.seconds),
    Y: String(at.year),
    m: two(at.month),
    y: two(at.year % 100),
    Z: 'UTC',
    z: '+0000',
    s: String(Math.floor((virtualEpochMs + nowMs) / 1000)),
    T: `${two(at.hours)}:${two(at.minutes)}:${two(at.seconds)}`,
    F: `${at.year}-${two(at.month)}-${two(at.day)}`,
    '%': '%',
    n: '\n',
  };
  return succeeded(`${format.replace(/%(.)/g, (whole, code: string) => conversions[code] ?? whole)}\n`);
}

/**
 * π to `digits` significant digits, as Perl's Math::BigFloat bpi(N) prints it, from Machin's
 * formula π = 16·atan(1/5) − 4·atan(1/239) in fixed point with guard digits, rounded half to even
 * (Math::BigFloat's default round mode).
 */
export function piDigits(digits: number): string {
  const guard = 10;
  const scale = 10n ** BigInt(digits + guard);
  const arctangentInverse = (x: bigint): bigint => {
    let sum = 0n;
    let term = scale / x;
    const square = x * x;
    for (let n = 1n; term !== 0n; n += 2n) {
      sum += (n % 4n === 1n ? 1n : -1n) * (term / n);
      term /= square;
    }
    return sum;
  };
  const pi = 16n * arctangentInverse(5n) - 4n * arctangentInverse(239n);
  // pi holds π·10^(digits+guard); keep `digits` significant digits (one before the point).
  const divisor = 10n ** BigInt(guard + 1);
  let kept = pi / divisor;
  const remainder = pi % divisor;
  const half = divisor / 2n;
  if (remainder > half || (remainder === half && kept % 2n === 1n)) kept += 1n;
  const text = kept.toString();
  return `${text.slice(0, 1)}.${text.slice(1)}`;
}

/**
 * `perl`: the Kubernetes docs' Job runs `perl -Mbignum=bpi -wle 'print bpi(2000)'`, which prints
 * π to 2,000 digits after a few seconds (https://kubernetes.io/docs/concepts/workloads/controllers/job/).
 * Other perl programs take as long and print nothing.
 */
function perl(args: readonly string[]): ProgramOutcome {
  const digits = /\bbpi\((\d+)\)/.exec(args.join(' '))?.[1];
  const stdout = digits === undefined ? '' : `${piDigits(Math.min(Number(digits), 10_000))}\n`;
  return { status: 0, stdout, stderr: '', durationMs: 8000 };
}

/** `sleep ARG…`: the summed duration; forever for `infinity` or one past the model's horizon. */
function sleep(args: readonly string[]): ProgramOutcome {
  const seconds = sleepSeconds(args);
  if (seconds === undefined)
    return { status: 1, stdout: '', stderr: `sleep: invalid number '${args[0] ?? ''}'\n`, durationMs: 0 };
  if (!Number.isFinite(seconds)) return 'forever';
  return { status: 0, stdout: '', stderr: '', durationMs: Math.round(seconds * 1000) };
}

/** Programs that do their one thing at once; what they print is not modelled unless written here. */
const quietPrograms = new Set(['uname', 'ls', 'id', 'whoami', 'pwd', 'env', 'touch', 'mkdir', 'rm', 'sync']);

/** What a program does, by its base name (`/bin/sleep` runs sleep). */
export function runProgram(name: string, args: readonly string[], context: ProgramContext): ProgramOutcome {
  switch (name) {
    case 'echo':
      return instant(echo(args));
    case 'printf':
      return instant(printf(args));
    case 'seq':
      return instant(seq(args));
    case 'test':
    case '[':
      return instant(test(name, args));
    case 'sleep':
      return sleep(args);
    case 'date':
      return date(args, context.nowMs());
    case 'hostname':
      return succeeded(`${context.hostname}\n`);
    case 'printenv': {
      const environment = context.environment();
      const values = args.map((arg) => environment.get(arg));
      const shown = values.filter((value) => value !== undefined);
      return {
        status: shown.length === values.length ? 0 : 1,
        stdout: shown.map((value) => `${value}\n`).join(''),
        stderr: '',
        durationMs: 0,
      };
    }
    case 'cat':
      return args.length === 0 || args.includes('-') ? succeeded(context.stdin) : succeeded();
    case 'perl':
      return perl(args);
    case 'true':
      return succeeded();
    case 'false':
      return { status: 1, stdout: '', stderr: '', durationMs: 0 };
    default:
      return quietPrograms.has(name) ? succeeded() : 'forever';
  }
}
