/**
 * Flag parsing as Go command lines built on cobra and pflag do it (kind, helm, cilium): long flags
 * with `=` or a separate value, short flags alone, grouped (`-qA`) or with their value attached
 * (`-ntwo`), `--` ending the flags, and pflag's wording for each mistake (spf13/pflag flag.go).
 */

/** A flag a command accepts. */
export interface CobraFlag {
  long: string;
  short?: string;
  takesValue: boolean;
}

/** Flags by long name (a boolean flag given without a value is `true`) and the other arguments. */
export interface CobraArgs {
  flags: Map<string, string>;
  positionals: string[];
}

function parseBoolean(flag: string, value: string): string | { error: string } {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return 'true';
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return 'false';
  return {
    error: `invalid argument "${value}" for "--${flag}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`,
  };
}

/** Parses arguments against a command's flags, or returns pflag's error. */
export function cobraParse(
  args: readonly string[],
  specs: readonly CobraFlag[],
): CobraArgs | { error: string } {
  const result: CobraArgs = { flags: new Map(), positionals: [] };
  const set = (spec: CobraFlag, value: string): { error: string } | undefined => {
    const parsed = spec.takesValue ? value : parseBoolean(spec.long, value);
    if (typeof parsed !== 'string') return parsed;
    if (!spec.takesValue && parsed === 'false') result.flags.delete(spec.long);
    else result.flags.set(spec.long, parsed);
    return undefined;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      result.positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const [name = '', inline] = splitOnce(arg.slice(2));
      const spec = specs.find((candidate) => candidate.long === name);
      if (spec === undefined) return { error: `unknown flag: --${name}` };
      if (inline === undefined && spec.takesValue && i + 1 >= args.length)
        return { error: `flag needs an argument: --${name}` };
      const problem = set(spec, inline ?? (spec.takesValue ? (args[++i] ?? '') : 'true'));
      if (problem !== undefined) return problem;
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') {
      const problem = parseShorthands(arg, args, i, specs, set);
      if (typeof problem === 'number') i = problem;
      else return problem;
      continue;
    }
    result.positionals.push(arg);
  }
  return result;
}

function splitOnce(text: string): [string, string | undefined] {
  const equals = text.indexOf('=');
  return equals < 0 ? [text, undefined] : [text.slice(0, equals), text.slice(equals + 1)];
}

/** `-qA`, `-n two`, `-ntwo`, `-n=two`; returns the index of the last argument used, or an error. */
function parseShorthands(
  arg: string,
  args: readonly string[],
  index: number,
  specs: readonly CobraFlag[],
  set: (spec: CobraFlag, value: string) => { error: string } | undefined,
): number | { error: string } {
  const letters = arg.slice(1);
  for (let at = 0; at < letters.length; at++) {
    const letter = letters[at] ?? '';
    const spec = specs.find((candidate) => candidate.short === letter);
    if (spec === undefined) return { error: `unknown shorthand flag: '${letter}' in ${arg}` };
    const attached = letters.slice(at + 1);
    if (!spec.takesValue) {
      if (attached.startsWith('=')) return set(spec, attached.slice(1)) ?? index;
      const problem = set(spec, 'true');
      if (problem !== undefined) return problem;
      continue;
    }
    if (attached !== '') return set(spec, attached.replace(/^=/, '')) ?? index;
    if (index + 1 >= args.length) return { error: `flag needs an argument: '${letter}' in ${arg}` };
    return set(spec, args[index + 1] ?? '') ?? index + 1;
  }
  return index;
}

/** The edit distance cobra uses for suggestions. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

/** cobra's error for an unknown subcommand, with its "Did you mean this?" suggestions. */
export function cobraUnknownCommand(word: string, path: string, commands: readonly string[]): string {
  const suggestions = commands.filter(
    (command) => distance(word.toLowerCase(), command) <= 2 || command.startsWith(word.toLowerCase()),
  );
  const hint =
    suggestions.length === 0 ? '' : `\n\nDid you mean this?\n${suggestions.map((s) => `\t${s}\n`).join('')}`;
  return `unknown command "${word}" for "${path}"${hint}`;
}
