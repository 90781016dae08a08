/**
 * Runs a container's script on a virtual clock, synchronously and deterministically: what it
 * prints and when, and how it ends, or that it runs until stopped. Follows the POSIX Shell Command
 * Language's execution rules (https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html#tag_19_09)
 * as busybox ash runs them. Time passes only in what takes time (`sleep`, a slow program); a step
 * budget and a time horizon stop a script that would go on for ever, which then runs until stopped.
 */
import { ArithmeticError, evaluateArithmetic } from './shell-arithmetic';
import { expandToFields, expandToPattern, expandToText, type ExpansionScope } from './shell-expansion';
import { parseScript } from './shell-grammar';
import { runProgram } from './shell-programs';
import { ShellSyntaxError, type AndOr, type Command, type List, type Pipeline } from './shell-syntax';

/** Output written at a moment of the process's life (milliseconds after it started). */
export interface OutputChunk {
  atMs: number;
  text: string;
}

/** How far to run: a time horizon (ms after the start) and a number of steps (commands and loop turns). */
export interface RunLimits {
  horizonMs: number;
  maxSteps: number;
}

/** What the process is: its argv, where and when it runs. */
export interface ProcessSpec {
  argv: readonly string[];
  hostname: string;
  /** Virtual time of the start (the engine's clock), for `date`. */
  startMs: number;
  environment: ReadonlyMap<string, string>;
}

export interface ProcessOutcome {
  chunks: OutputChunk[];
  /** When it exited and with which code; undefined when it runs past the limits (until stopped). */
  end: { atMs: number; exitCode: number } | undefined;
  /** Whether what it did depends on the start time (so it cannot be remembered per container). */
  readsClock: boolean;
}

/** Control flow that unwinds the interpreter: `exit`, the limits reached, `break` and `continue`. */
class ExitSignal extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
class StopSignal extends Error {}
class LoopSignal extends Error {
  constructor(
    readonly kind: 'break' | 'continue',
    public levels: number,
  ) {
    super(kind);
  }
}

type Sink = (text: string) => void;

/** What is shared by the whole process, subshells included: clock, budget, log. */
class ProcessRun {
  clockMs = 0;
  steps = 0;
  readsClock = false;
  readonly chunks: OutputChunk[] = [];
  private readonly parsed = new Map<string, List>();
  constructor(
    readonly spec: ProcessSpec,
    readonly limits: RunLimits,
  ) {}

  step(): void {
    this.steps += 1;
    if (this.steps > this.limits.maxSteps) throw new StopSignal();
  }

  advance(ms: number): void {
    if (this.clockMs + ms > this.limits.horizonMs) {
      this.clockMs = this.limits.horizonMs;
      throw new StopSignal();
    }
    this.clockMs += ms;
  }

  log(text: string): void {
    if (text === '') return;
    const last = this.chunks[this.chunks.length - 1];
    if (last?.atMs === this.clockMs) last.text += text;
    else this.chunks.push({ atMs: this.clockMs, text });
  }

  parse(script: string): List {
    let list = this.parsed.get(script);
    if (list === undefined) {
      list = parseScript(script);
      this.parsed.set(script, list);
    }
    return list;
  }
}

/** A shell's variables and streams; a subshell gets a copy. */
class Scope {
  status = 0;
  /** The status of the last command substitution, which a command of only assignments returns. */
  substitutionStatus: number | undefined;
  errexit = false;
  /** How expansion reaches this scope, made on first need. */
  expansion: ExpansionScope | undefined;
  /** Inside an `if`/`while` condition or before `&&`/`||`, where `set -e` does not apply. */
  conditions = 0;
  loops = 0;
  constructor(
    readonly variables: Map<string, string>,
    public positional: string[],
    readonly name: string,
    public stdout: Sink,
    public stderr: Sink,
    public stdin: string,
  ) {}

  subshell(stdout: Sink = this.stdout, stdin = this.stdin): Scope {
    const copy = new Scope(
      new Map(this.variables),
      [...this.positional],
      this.name,
      stdout,
      this.stderr,
      stdin,
    );
    copy.status = this.status;
    copy.errexit = this.errexit;
    return copy;
  }
}

/** Runs `body` in a subshell: an `exit` there ends only the subshell. */
function inSubshell(scope: Scope, body: (sub: Scope) => number): number {
  try {
    return body(scope);
  } catch (signal) {
    if (signal instanceof ExitSignal) return signal.code;
    throw signal;
  }
}

/** The 0–255 status of `exit N` (the shell keeps the low 8 bits). */
const exitStatus = (value: number): number => ((value % 256) + 256) % 256;

function expansionScope(run: ProcessRun, scope: Scope): ExpansionScope {
  scope.expansion ??= newExpansionScope(run, scope);
  return scope.expansion;
}

function newExpansionScope(run: ProcessRun, scope: Scope): ExpansionScope {
  return {
    parameter: (name) => parameter(run, scope, name),
    assign: (name, value) => scope.variables.set(name, value),
    arithmetic: (text) => {
      try {
        return evaluateArithmetic(text, scope.variables);
      } catch (error) {
        if (!(error instanceof ArithmeticError) && !(error instanceof RangeError)) throw error;
        scope.stderr(`sh: ${error instanceof ArithmeticError ? error.message : 'arithmetic syntax error'}\n`);
        throw new ExitSignal(2);
      }
    },
    substitute: (script) => substitute(run, scope, script),
    fail: (message) => {
      scope.stderr(`sh: ${message}\n`);
      throw new ExitSignal(2);
    },
  };
}

function parameter(run: ProcessRun, scope: Scope, name: string): string | undefined {
  if (name === '?') return String(scope.status);
  // `sh -c` is the container's first process.
  if (name === '$') return '1';
  if (name === '#') return String(scope.positional.length);
  if (name === '0') return scope.name;
  if (/^[1-9]$/.test(name)) return scope.positional[Number(name) - 1];
  if (name === '@' || name === '*') return scope.positional.join(' ');
  if (name === '!' || name === '-') return '';
  if (name === 'SECONDS') return String(Math.floor(run.clockMs / 1000));
  return scope.variables.get(name);
}

/** `$(…)`: the script's standard output in a subshell, trailing newlines removed. */
function substitute(run: ProcessRun, scope: Scope, script: string): string {
  let captured = '';
  const sub = scope.subshell((text) => (captured += text), '');
  const list = parseOrFail(run, scope, script);
  scope.substitutionStatus = inSubshell(sub, (inner) => runList(run, inner, list));
  return captured.replace(/\n+$/, '');
}

function parseOrFail(run: ProcessRun, scope: Scope, script: string): List {
  try {
    return run.parse(script);
  } catch (error) {
    if (!(error instanceof ShellSyntaxError)) throw error;
    if (error.unsupported) throw new StopSignal();
    scope.stderr(`sh: ${error.message}\n`);
    throw new ExitSignal(2);
  }
}

function runList(run: ProcessRun, scope: Scope, list: List): number {
  let status = 0;
  for (const andOr of list) status = runAndOr(run, scope, andOr);
  return status;
}

function runAndOr(run: ProcessRun, scope: Scope, andOr: AndOr): number {
  const pipelines = [andOr.first, ...andOr.rest.map((next) => next.pipeline)];
  let status = 0;
  let last: Pipeline | undefined;
  for (const [index, pipeline] of pipelines.entries()) {
    const operator = index === 0 ? undefined : andOr.rest[index - 1]?.operator;
    if ((operator === '&&' && status !== 0) || (operator === '||' && status === 0)) continue;
    const guarded = index < pipelines.length - 1;
    if (guarded) scope.conditions += 1;
    try {
      status = runPipeline(run, scope, pipeline);
    } finally {
      if (guarded) scope.conditions -= 1;
    }
    scope.status = status;
    last = pipeline;
  }
  // `set -e`: a failing command ends the shell, unless it was tested (POSIX `set -e`).
  if (
    status !== 0 &&
    scope.errexit &&
    scope.conditions === 0 &&
    last === pipelines[pipelines.length - 1] &&
    last?.negated !== true
  )
    throw new ExitSignal(status);
  return status;
}

function runPipeline(run: ProcessRun, scope: Scope, pipeline: Pipeline): number {
  let status: number;
  if (pipeline.commands.length === 1) status = runCommand(run, scope, pipeline.commands[0] as Command);
  else {
    // Each command of a pipeline runs in a subshell; the model runs them one after another, each
    // reading what the one before wrote.
    let input = scope.stdin;
    status = 0;
    for (const [index, command] of pipeline.commands.entries()) {
      let captured = '';
      const lastCommand = index === pipeline.commands.length - 1;
      const sub = scope.subshell(lastCommand ? scope.stdout : (text) => (captured += text), input);
      status = inSubshell(sub, (inner) => runCommand(run, inner, command));
      input = captured;
    }
  }
  return pipeline.negated ? Number(status === 0) : status;
}

function runCommand(run: ProcessRun, scope: Scope, command: Command): number {
  switch (command.kind) {
    case 'simple':
      return runSimple(run, scope, command);
    case 'for':
      return runFor(run, scope, command);
    case 'loop':
      return runLoop(run, scope, command);
    case 'if':
      return runIf(run, scope, command);
    case 'case':
      return runCase(run, scope, command);
    case 'group':
      return command.subshell
        ? inSubshell(scope.subshell(), (sub) => runList(run, sub, command.body))
        : runList(run, scope, command.body);
  }
}

/** Runs a loop body; returns 'break' when a `break` ends this loop. */
function loopTurn(run: ProcessRun, scope: Scope, body: List): 'break' | number {
  scope.loops += 1;
  try {
    return runList(run, scope, body);
  } catch (signal) {
    if (!(signal instanceof LoopSignal)) throw signal;
    if (signal.levels > 1) {
      signal.levels -= 1;
      throw signal;
    }
    return signal.kind === 'break' ? 'break' : 0;
  } finally {
    scope.loops -= 1;
  }
}

function runFor(run: ProcessRun, scope: Scope, command: Extract<Command, { kind: 'for' }>): number {
  const words = expansionScope(run, scope);
  const items =
    command.items === undefined
      ? scope.positional
      : command.items.flatMap((item) => expandToFields(item, words));
  let status = 0;
  for (const item of items) {
    run.step();
    scope.variables.set(command.name, item);
    const turn = loopTurn(run, scope, command.body);
    if (turn === 'break') break;
    status = turn;
  }
  return status;
}

function condition(run: ProcessRun, scope: Scope, list: List): number {
  scope.conditions += 1;
  try {
    return runList(run, scope, list);
  } finally {
    scope.conditions -= 1;
  }
}

function runLoop(run: ProcessRun, scope: Scope, command: Extract<Command, { kind: 'loop' }>): number {
  let status = 0;
  for (;;) {
    run.step();
    const tested = condition(run, scope, command.condition);
    if (command.until ? tested === 0 : tested !== 0) return status;
    const turn = loopTurn(run, scope, command.body);
    if (turn === 'break') return status;
    status = turn;
  }
}

function runIf(run: ProcessRun, scope: Scope, command: Extract<Command, { kind: 'if' }>): number {
  for (const branch of command.branches)
    if (condition(run, scope, branch.condition) === 0) return runList(run, scope, branch.body);
  return command.otherwise === undefined ? 0 : runList(run, scope, command.otherwise);
}

function runCase(run: ProcessRun, scope: Scope, command: Extract<Command, { kind: 'case' }>): number {
  const words = expansionScope(run, scope);
  const subject = expandToText(command.subject, words);
  for (const item of command.items)
    if (item.patterns.some((pattern) => new RegExp(`^(?:${expandToPattern(pattern, words)})$`).test(subject)))
      return runList(run, scope, item.body);
  return 0;
}

/** Where a command's output goes after its redirections: files are not modelled, so writes to one are dropped. */
function redirected(run: ProcessRun, scope: Scope, command: Extract<Command, { kind: 'simple' }>): Scope {
  if (command.redirections.length === 0) return scope;
  const result = scope.subshell();
  const words = expansionScope(run, scope);
  for (const redirection of command.redirections) {
    const target = expandToText(redirection.target, words);
    if (redirection.operator === '<' || redirection.operator === '<&') result.stdin = '';
    else if (redirection.operator === '>&' && /^[12]$/.test(target)) {
      const sink = target === '1' ? result.stdout : result.stderr;
      if (redirection.descriptor === 1) result.stdout = sink;
      else if (redirection.descriptor === 2) result.stderr = sink;
    } else if (redirection.descriptor === 1) result.stdout = () => undefined;
    else if (redirection.descriptor === 2) result.stderr = () => undefined;
  }
  return result;
}

function runSimple(run: ProcessRun, scope: Scope, command: Extract<Command, { kind: 'simple' }>): number {
  run.step();
  const words = expansionScope(run, scope);
  scope.substitutionStatus = undefined;
  const fields = command.words.flatMap((word) => expandToFields(word, words));
  const assignments = command.assignments.map(
    ({ name, value }) => [name, expandToText(value, words)] as const,
  );
  if (fields.length === 0) {
    for (const [name, value] of assignments) scope.variables.set(name, value);
    // With no command, the status is that of the last command substitution, else 0 (POSIX 2.9.1).
    return scope.substitutionStatus ?? 0;
  }
  const target = redirected(run, scope, command);
  const status = runFields(
    run,
    target,
    fields,
    assignments.length === 0 ? noAssignments : new Map(assignments),
  );
  if (target !== scope) for (const [name, value] of target.variables) scope.variables.set(name, value);
  return status;
}

const shells = new Set(['sh', 'ash', 'bash', 'dash']);
const noAssignments: ReadonlyMap<string, string> = new Map();

/** The base name of a program path: `/bin/sleep` → `sleep`. */
const programName = (word: string): string => word.split('/').pop() ?? word;

/** A command's expanded words run: a builtin of the shell, a nested shell, or a program. */
function runFields(
  run: ProcessRun,
  scope: Scope,
  fields: string[],
  environment: ReadonlyMap<string, string>,
): number {
  const [name = '', ...args] = fields;
  const builtin = builtins[name];
  if (builtin !== undefined) return builtin(run, scope, args);
  const program = programName(name);
  if (shells.has(program)) return runNestedShell(run, scope, args);
  const outcome = runProgram(program, args, {
    hostname: run.spec.hostname,
    nowMs: () => {
      run.readsClock = true;
      return run.spec.startMs + run.clockMs;
    },
    stdin: scope.stdin,
    environment: () => new Map([...scope.variables, ...environment]),
  });
  if (outcome === 'forever') throw new StopSignal();
  run.advance(outcome.durationMs);
  scope.stdout(outcome.stdout);
  scope.stderr(outcome.stderr);
  return outcome.status;
}

/** `sh [-e] -c SCRIPT [NAME [ARG…]]` inside a script: a child shell; other uses of sh are not modelled. */
function runNestedShell(run: ProcessRun, scope: Scope, args: string[]): number {
  const invocation = shellInvocation(args);
  if (invocation === undefined) throw new StopSignal();
  const child = scope.subshell();
  child.positional = invocation.positional;
  child.errexit = invocation.errexit;
  const list = parseOrFail(run, child, invocation.script);
  return inSubshell(child, (sub) => runList(run, sub, list));
}

/** A shell's `-c` arguments: the script, `$0` and the positional parameters, and `-e`. */
function shellInvocation(
  args: readonly string[],
): { script: string; name: string | undefined; positional: string[]; errexit: boolean } | undefined {
  let index = 0;
  let command = false;
  let errexit = false;
  while (index < args.length && /^-[a-z]+$/.test(args[index] ?? '')) {
    const flags = args[index] ?? '';
    command ||= flags.includes('c');
    errexit ||= flags.includes('e');
    index += 1;
  }
  const script = args[index];
  if (!command || script === undefined) return undefined;
  return { script, name: args[index + 1], positional: args.slice(index + 2), errexit };
}

type Builtin = (run: ProcessRun, scope: Scope, args: string[]) => number;

function loopControl(kind: 'break' | 'continue'): Builtin {
  return (_run, scope, args) => {
    if (scope.loops === 0) return 0;
    throw new LoopSignal(kind, Math.min(Math.max(Number(args[0] ?? '1') || 1, 1), scope.loops));
  };
}

function assignArguments(scope: Scope, args: string[]): number {
  for (const arg of args) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/.exec(arg);
    if (match !== null) scope.variables.set(match[1] ?? '', match[2] ?? '');
  }
  return 0;
}

/** `read [-r] NAME…`: one line of standard input into the names (the last takes the rest). */
function read(scope: Scope, args: string[]): number {
  const names = args.filter((arg) => !arg.startsWith('-'));
  if (scope.stdin === '') return 1;
  const newline = scope.stdin.indexOf('\n');
  const line = newline < 0 ? scope.stdin : scope.stdin.slice(0, newline);
  scope.stdin = newline < 0 ? '' : scope.stdin.slice(newline + 1);
  const fields = line.trim().split(/[ \t]+/);
  (names.length === 0 ? ['REPLY'] : names).forEach((name, index, all) => {
    const value = index === all.length - 1 ? fields.slice(index).join(' ') : (fields[index] ?? '');
    scope.variables.set(name, value);
  });
  return 0;
}

/** The shell's own commands, as ash has them (special builtins of POSIX 2.15 and a few regular ones). */
const builtins: Record<string, Builtin> = {
  exit: (_run, scope, args) => {
    throw new ExitSignal(
      exitStatus(args[0] === undefined ? scope.status : Number.parseInt(args[0], 10) || 0),
    );
  },
  ':': () => 0,
  break: loopControl('break'),
  continue: loopControl('continue'),
  export: (_run, scope, args) => assignArguments(scope, args),
  readonly: (_run, scope, args) => assignArguments(scope, args),
  local: (_run, scope, args) => assignArguments(scope, args),
  unset: (_run, scope, args) => {
    for (const name of args) scope.variables.delete(name);
    return 0;
  },
  set: (_run, scope, args) => {
    for (const arg of args) if (/^[-+][a-z]*e/.test(arg)) scope.errexit = arg.startsWith('-');
    return 0;
  },
  shift: (_run, scope, args) => {
    const count = Number(args[0] ?? '1');
    if (count > scope.positional.length) return 1;
    scope.positional = scope.positional.slice(count);
    return 0;
  },
  read: (_run, scope, args) => read(scope, args),
  wait: () => 0,
  trap: () => 0,
  cd: () => 0,
  eval: (run, scope, args) => runList(run, scope, parseOrFail(run, scope, args.join(' '))),
  exec: (run, scope, args) => {
    if (args.length === 0) return 0;
    throw new ExitSignal(runFields(run, scope, args, new Map()));
  },
};

/** The container's environment as the shell starts with it. */
function startingScope(run: ProcessRun, name: string, positional: string[]): Scope {
  const variables = new Map(run.spec.environment);
  return new Scope(
    variables,
    positional,
    name,
    (text) => run.log(text),
    (text) => run.log(text),
    '',
  );
}

/** What the container's process does within the limits: its output over time and its exit. */
export function runProcess(spec: ProcessSpec, limits: RunLimits): ProcessOutcome {
  const run = new ProcessRun(spec, limits);
  const [command = '', ...args] = spec.argv;
  const invocation = shells.has(programName(command)) ? shellInvocation(args) : undefined;
  let end: ProcessOutcome['end'];
  try {
    let status: number;
    if (invocation !== undefined) {
      const scope = startingScope(run, invocation.name ?? command, invocation.positional);
      scope.errexit = invocation.errexit;
      status = runList(run, scope, parseOrFail(run, scope, invocation.script));
    } else status = runFields(run, startingScope(run, command, []), [...spec.argv], new Map());
    end = { atMs: run.clockMs, exitCode: status };
  } catch (signal) {
    if (signal instanceof ExitSignal) end = { atMs: run.clockMs, exitCode: signal.code };
    else if (!(signal instanceof StopSignal)) throw signal;
  }
  return { chunks: run.chunks, end, readsClock: run.readsClock };
}
