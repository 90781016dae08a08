/**
 * Bash's dynamic variables on the simulated machine. just-bash computes `$RANDOM` from the host's
 * `Math.random()` and `$SECONDS` from the host's clock, and offers no hook for either (its options
 * cover `sleep` only), so a line using them would print something else on every replay of a
 * permalink. Before the interpreter sees a line, a transform plugin (just-bash's
 * `registerTransformPlugin`, which runs on every parsed script, `bash -c` ones included) rewrites
 * each read of these variables into a call of a command of ours, which answers from the world:
 *
 * - `RANDOM`: 0–32767, the top 15 bits of a draw from the world's seeded generator, taken
 *   through the `shell.random` input so the draw is part of the replayed history;
 * - `SRANDOM`: a whole 32-bit draw (bash 5.1);
 * - `SECONDS`: whole virtual seconds since the shell started;
 * - `EPOCHSECONDS`, `EPOCHREALTIME`: the virtual clock as seconds since 1970, the latter with six
 *   decimals (bash 5.0).
 *
 * `time PIPELINE` reports the virtual time the pipeline took (and nil user and sys time), where
 * just-bash would report the host's.
 *
 * Reads are rewritten in words (`$RANDOM`, `"${RANDOM}"`, `${#RANDOM}`, `${RANDOM:0:2}`), in
 * arithmetic (`$((RANDOM % 6))`, `((x = SECONDS))`, `$(( $(echo $RANDOM) ))`), in here-documents
 * and in `eval`'s text. Reads whose variable name is only known when the line runs (`${!name}`
 * with name=RANDOM, a `declare -n` reference) and the text of a `source`d file are not rewritten,
 * and still give just-bash's host-dependent value (noted in terminal/README.md).
 *
 * Bash's own behaviour: `variables.c` at bash-5.2 (`get_random`, `get_seconds`, `get_epochseconds`,
 * `get_epochrealtime`), https://git.savannah.gnu.org/cgit/bash.git/tree/variables.c?h=bash-5.2
 */
import { Bash, defineCommand, type Command, type ScriptNode, type TransformPlugin } from 'just-bash';
import { virtualEpochMs } from '../engine/virtual-time';
import { fail, ok, type TerminalContext } from './context';

// just-bash's browser build exports no `parse` or `serialize` (only its Node build does), so the
// site reaches its parser through `Bash.transform`, which parses a line, runs the instance's
// transform plugins and serializes the result. One plain instance parses; one with our plugin
// rewrites a text. Neither runs anything.
let plainShell: Bash | undefined;
let rewritingShell: Bash | undefined;

function parse(text: string): ScriptNode {
  plainShell ??= new Bash();
  return plainShell.transform(text).ast;
}

/** Where the dynamic variables' values come from: the world, never the host. */
export interface DynamicVariableSource {
  /** A fresh unsigned 32-bit draw from the world's generator (through an input event). */
  drawRandom(): number;
  /** Virtual milliseconds since this shell started. */
  shellElapsedMs(): number;
  /** The virtual clock, in milliseconds since 1970-01-01 UTC. */
  epochMs(): number;
}

/**
 * The world as a shell's source: draws through the `shell.random` input, `SECONDS` counted from the
 * moment the shell starts (this call), the clock from the virtual epoch as `date` reads it.
 */
export function worldVariableSource(
  context: Pick<TerminalContext, 'simulation' | 'input'>,
): DynamicVariableSource {
  const startedMs = context.simulation.nowMs;
  return {
    drawRandom: () => {
      const result = context.input({ type: 'shell.random' });
      return result.ok ? (result.random ?? 0) : 0;
    },
    shellElapsedMs: () => context.simulation.nowMs - startedMs,
    epochMs: () => virtualEpochMs + context.simulation.nowMs,
  };
}

/** The variables bash computes on every read, which the simulated shell answers from the world. */
const dynamicVariableNames = ['RANDOM', 'SRANDOM', 'SECONDS', 'EPOCHSECONDS', 'EPOCHREALTIME'] as const;
type DynamicVariableName = (typeof dynamicVariableNames)[number];

const dynamicNames: ReadonlySet<string> = new Set(dynamicVariableNames);
const mentionsDynamicName = /RANDOM|SECONDS|EPOCH/;

/**
 * The command the rewritten lines call. Its name is no word a reader types; `set -x` shows it in
 * the trace of a command substitution, as the real shell shows nothing there.
 */
const dynamicVariableCommandName = '__simulated_variable';

/** The value a read of the variable gives now, as bash prints it. */
function dynamicVariableValue(name: DynamicVariableName, source: DynamicVariableSource): string {
  switch (name) {
    case 'RANDOM':
      // bash's RANDOM is 15 bits wide (0–32767); the generator's high bits are its best.
      return String(source.drawRandom() >>> 17);
    case 'SRANDOM':
      return String(source.drawRandom() >>> 0);
    case 'SECONDS':
      return String(Math.floor(source.shellElapsedMs() / 1000));
    case 'EPOCHSECONDS':
      return String(Math.floor(source.epochMs() / 1000));
    case 'EPOCHREALTIME': {
      const epochMs = source.epochMs();
      const microseconds = String((epochMs % 1000) * 1000).padStart(6, '0');
      return `${Math.floor(epochMs / 1000)}.${microseconds}`;
    }
  }
}

/** A script node calling our command, parsed once per read (parse is cheap next to a draw). */
function callScript(argument: string): ScriptNode {
  return parse(`${dynamicVariableCommandName} ${argument}`);
}

type Node = Record<string, unknown> & { type?: unknown };

/**
 * `${NAME<operation>}` (length, substring, default…) as a command substitution that reads the value
 * once and applies the same operation to it.
 */
function expansionWithOperation(name: string, operation: unknown): Node {
  const body = parse(
    `__simulated_value=$(${dynamicVariableCommandName} ${name}); printf '%s' "\${__simulated_value}"`,
  );
  visitParameterExpansions(body, (expansion) => {
    if (expansion.parameter === '__simulated_value' && expansion.operation === null)
      expansion.operation = operation;
  });
  return { type: 'CommandSubstitution', body, legacy: false };
}

/** Calls `visit` on every parameter expansion node under `value`. */
function visitParameterExpansions(value: unknown, visit: (node: Node) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) visitParameterExpansions(item, visit);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const node = value as Node;
  if (node.type === 'ParameterExpansion') visit(node);
  for (const key of Object.keys(node)) visitParameterExpansions(node[key], visit);
}

/** Rewrites a script's text (an `eval` argument, an arithmetic `$(…)`); unparsable text stays as it is. */
function rewriteScriptText(text: string): string {
  if (!mentionsDynamicName.test(text)) return text;
  try {
    if (rewritingShell === undefined) {
      rewritingShell = new Bash();
      rewritingShell.registerTransformPlugin(dynamicVariablesPlugin);
    }
    return rewritingShell.transform(text).script;
  } catch {
    // The shell reports the syntax error itself when it runs the text.
    return text;
  }
}

const arithmeticRead = new RegExp(
  `\\$\\{(${dynamicVariableNames.join('|')})\\}|\\$(${dynamicVariableNames.join('|')})\\b|(?<![\\w$])(${dynamicVariableNames.join('|')})\\b`,
  'g',
);

/** An arithmetic text (`RANDOM % 6`, `$RANDOM + x`) with each read of a dynamic variable as a call. */
function rewriteArithmeticText(text: string): string {
  if (!mentionsDynamicName.test(text)) return text;
  return text.replace(
    arithmeticRead,
    (_read, braced?: string, dollar?: string, bare?: string) =>
      `$(${dynamicVariableCommandName} ${braced ?? dollar ?? bare ?? ''})`,
  );
}

/** The node that replaces `node`, or undefined to keep it and look inside. */
function replacement(node: Node): Node | undefined {
  if (
    node.type === 'ParameterExpansion' &&
    typeof node.parameter === 'string' &&
    dynamicNames.has(node.parameter)
  ) {
    if (node.operation === null)
      return { type: 'CommandSubstitution', body: callScript(node.parameter), legacy: false };
    return expansionWithOperation(node.parameter, rewriteNode(node.operation));
  }
  if (node.type === 'ArithVariable' && typeof node.name === 'string' && dynamicNames.has(node.name))
    return { type: 'ArithCommandSubst', command: `${dynamicVariableCommandName} ${node.name}` };
  if (node.type === 'ArithmeticExpression' && typeof node.originalText === 'string') {
    // just-bash re-expands an arithmetic text holding `$name` and parses it again, so that text
    // must call our command too; the parsed expression is rewritten below like any other node.
    node.originalText = rewriteArithmeticText(node.originalText);
    return undefined;
  }
  if (node.type === 'ArithCommandSubst' && typeof node.command === 'string')
    return { ...node, command: rewriteScriptText(node.command) };
  if (node.type === 'SimpleCommand' && isEval(node)) return evalThroughRewrite(node);
  if (node.type === 'Pipeline' && node.timed === true) return timedOnVirtualClock(node);
  return undefined;
}

/**
 * `time PIPELINE` (just-bash times it on the host's clock) becomes a group that notes the virtual
 * time, runs the pipeline, and prints bash's report of the virtual time it took, keeping its exit
 * status: `{ __simulated_variable --time-start; PIPELINE; __simulated_variable --time-end "$?"; }`.
 */
function timedOnVirtualClock(node: Node): Node {
  const posix = node.timePosix === true ? ' -p' : '';
  const group = parse(
    `{ ${dynamicVariableCommandName} --time-start; : ; ${dynamicVariableCommandName} --time-end${posix} "$?"; }`,
  ).statements[0]?.pipelines[0];
  const body = (group?.commands[0] as { body?: { pipelines: unknown[] }[] } | undefined)?.body;
  const timed = body?.[1];
  if (group === undefined || timed === undefined) return node;
  timed.pipelines = [rewriteNode({ ...node, timed: false, timePosix: false })];
  return group as unknown as Node;
}

/** bash's report of a timed pipeline (its default TIMEFORMAT, or `-p`'s), user and sys time nil. */
function timeReport(elapsedMs: number, posix: boolean): string {
  const seconds = Math.max(0, elapsedMs) / 1000;
  if (posix) return `real ${seconds.toFixed(2)}\nuser 0.00\nsys 0.00\n`;
  const minutes = Math.floor(seconds / 60);
  const rest = (seconds - minutes * 60).toFixed(3);
  return `\nreal\t${minutes}m${rest}s\nuser\t0m0.000s\nsys\t0m0.000s\n`;
}

/** Whether a simple command is the `eval` builtin with arguments. */
function isEval(node: Node): boolean {
  const name = node.name as { parts?: { type?: string; value?: string }[] } | null | undefined;
  const parts = name?.parts;
  return (
    parts?.length === 1 &&
    parts[0]?.type === 'Literal' &&
    parts[0].value === 'eval' &&
    Array.isArray(node.args) &&
    node.args.length > 0
  );
}

/**
 * `eval ARGS…` becomes `eval "$(__simulated_variable --eval ARGS…)"`: the text eval runs is only
 * known once its arguments are expanded, so our command rewrites it then, as it joins them.
 */
function evalThroughRewrite(node: Node): Node {
  const body = callScript('--eval');
  const call = (body.statements[0]?.pipelines[0]?.commands[0] ?? undefined) as Node | undefined;
  if (call === undefined || !Array.isArray(call.args)) return node;
  call.args.push(...(rewriteNode(node.args) as unknown[]));
  const word = {
    type: 'Word',
    parts: [{ type: 'DoubleQuoted', parts: [{ type: 'CommandSubstitution', body, legacy: false }] }],
  };
  return { ...node, args: [word] };
}

/** Rewrites every read of a dynamic variable under `value`, in place where it can. */
function rewriteNode(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) value[index] = rewriteNode(value[index]);
    return value;
  }
  if (value === null || typeof value !== 'object') return value;
  const node = value as Node;
  const replaced = replacement(node);
  if (replaced !== undefined) return replaced;
  for (const key of Object.keys(node)) node[key] = rewriteNode(node[key]);
  return node;
}

/** A parsed script with every read of a dynamic variable sent to our command. */
function rewriteDynamicReads(script: ScriptNode): ScriptNode {
  return rewriteNode(script) as ScriptNode;
}

/** The transform plugin that rewrites each script the shell is about to run. */
export const dynamicVariablesPlugin: TransformPlugin = {
  name: 'simulated-dynamic-variables',
  transform: ({ ast }) => ({ ast: rewriteDynamicReads(ast) }),
};

/** The command the rewritten reads call, answering from `source`. */
export function dynamicVariableCommand(source: DynamicVariableSource): Command {
  // When each running `time` started (nested ones stack); bounded, as an interrupted pipeline
  // never reaches its end.
  const timeStarts: number[] = [];
  return defineCommand(dynamicVariableCommandName, (args) => {
    const [name, ...rest] = args;
    if (name === '--eval') return Promise.resolve(ok(rewriteScriptText(rest.join(' '))));
    if (name === '--time-start') {
      if (timeStarts.length >= 64) timeStarts.shift();
      timeStarts.push(source.epochMs());
      return Promise.resolve(ok());
    }
    if (name === '--time-end') {
      const posix = rest[0] === '-p';
      const status = Number(rest.at(-1));
      const elapsedMs = source.epochMs() - (timeStarts.pop() ?? source.epochMs());
      return Promise.resolve({
        stdout: '',
        stderr: timeReport(elapsedMs, posix),
        exitCode: Number.isInteger(status) ? status : 0,
      });
    }
    if (name === undefined || !dynamicNames.has(name) || rest.length > 0)
      return Promise.resolve(
        fail(`${dynamicVariableCommandName}: the shell's own helper; type $RANDOM or $SECONDS`, 2),
      );
    return Promise.resolve(ok(dynamicVariableValue(name as DynamicVariableName, source)));
  });
}
