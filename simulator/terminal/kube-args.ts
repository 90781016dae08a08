/**
 * kubectl-style argument parsing: flags with `=` or a separate value, short flags, `--` ending the
 * flags (for exec), and a clear error for a flag the model does not know, worded like kubectl's.
 */

/** Parsed arguments: positionals, flag values (last wins), and everything after `--`. */
export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string>;
  /** Every value of a flag given several times (`-f a.yaml -f b.yaml`), in order. */
  repeated: Map<string, string[]>;
  rest: string[];
}

/** Flag spec: canonical name → aliases, and whether it takes a value. */
export interface FlagSpec {
  names: string[];
  takesValue: boolean;
}

/** Parses args against the known flags; returns an error message for an unknown flag. */
export function parseArgs(
  args: readonly string[],
  specs: readonly FlagSpec[],
): ParsedArgs | { error: string } {
  const byName = new Map<string, FlagSpec>();
  for (const spec of specs) for (const name of spec.names) byName.set(name, spec);
  const parsed: ParsedArgs = { positionals: [], flags: new Map(), repeated: new Map(), rest: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      parsed.rest = args.slice(i + 1);
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      parsed.positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    let name = equals >= 0 ? arg.slice(0, equals) : arg;
    let inlineValue = equals >= 0 ? arg.slice(equals + 1) : undefined;
    // Short flags may carry their value directly: -ojson, -nkube-system.
    if (!name.startsWith('--') && name.length > 2 && !byName.has(name)) {
      // Boolean short flags may be grouped, as pflag allows: -it is -i -t.
      if (byName.get(name.slice(0, 2))?.takesValue === false && equals < 0) {
        const group = name
          .slice(1)
          .split('')
          .map((letter) => `-${letter}`);
        const rest = parseArgs(group, specs);
        if ('error' in rest) return rest;
        for (const [flag, value] of rest.flags) parsed.flags.set(flag, value);
        continue;
      }
      inlineValue = name.slice(2) + (inlineValue === undefined ? '' : `=${inlineValue}`);
      name = name.slice(0, 2);
    }
    // pflag words errors on a shorthand flag with the letter and the argument it came in.
    const shorthand = !name.startsWith('--');
    const spec = byName.get(name);
    if (spec === undefined)
      return {
        error: shorthand
          ? `error: unknown shorthand flag: '${name.charAt(1)}' in ${arg}`
          : `error: unknown flag: ${name}`,
      };
    const canonical = spec.names[0] ?? name;
    if (!spec.takesValue) {
      parsed.flags.set(canonical, inlineValue ?? 'true');
      continue;
    }
    const value = inlineValue ?? args[++i];
    if (value === undefined)
      return {
        error: shorthand
          ? `error: flag needs an argument: '${name.charAt(1)}' in ${name}`
          : `error: flag needs an argument: ${name}`,
      };
    parsed.flags.set(canonical, value);
    parsed.repeated.set(canonical, [...(parsed.repeated.get(canonical) ?? []), value]);
  }
  return parsed;
}
