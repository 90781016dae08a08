/**
 * The kubectl commands that let time pass: `kubectl wait` (a condition, or deletion, with a
 * timeout shared by every object, as pkg/cmd/wait does) and `kubectl get --watch` (the current
 * table, then one row per change, aligned with the widths already printed, as kubectl's tabwriter
 * with RememberWidths does). Both run on virtual time through the context, in small slices, and
 * hand the thread back to the page now and then so a reader can interrupt them.
 */
import { getObject, keyOf } from '../k8s/api-store';
import type { ApiObject } from '../k8s/objects';
import { fail, type CommandResult, type TerminalContext } from './context';
import { crdColumnsOf, tableRows, type ResourceType } from './kubectl-resources';
import { renderJsonPath } from './jsonpath';
import {
  noResourcesMessage,
  objectsInScope,
  parseReferences,
  resolveReferences,
  scopeOf,
} from './kubectl-select';

/** How often a waiting command looks again (a watch delivers changes within this much virtual time). */
export const sliceMs = 250;
/** Slices between two hand-backs to the page. */
const slicesPerPause = 20;

/** Parses a Go duration (`60s`, `1m30s`, `500ms`, `2h`; a bare number is seconds for --request-timeout). */
export function parseGoDuration(text: string, bareSeconds = false): number | undefined {
  if (bareSeconds && /^\d+$/.test(text)) return Number(text) * 1000;
  if (text === '0') return 0;
  const units: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  const pattern = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let position = 0;
  const negative = text.startsWith('-');
  if (negative) position = 1;
  if (position >= text.length) return undefined;
  while (position < text.length) {
    pattern.lastIndex = position;
    const match = pattern.exec(text);
    if (match === null) return undefined;
    total += Number(match[1]) * (units[match[2] ?? 's'] ?? 1000);
    position = pattern.lastIndex;
  }
  return negative ? -total : total;
}

/** What `--for` asks for. */
type WaitCondition =
  | { kind: 'condition'; type: string; status: string; text: string }
  | { kind: 'jsonpath'; template: string; value?: string }
  | { kind: 'delete' }
  | { kind: 'create' };

function parseCondition(text: string | undefined): WaitCondition | string {
  if (text === undefined || text === '') return 'error: unrecognized condition: []';
  const lower = text.toLowerCase();
  if (lower === 'delete') return { kind: 'delete' };
  if (lower === 'create') return { kind: 'create' };
  if (lower.startsWith('condition=')) {
    const rest = text.slice('condition='.length);
    const [type = '', status = 'True'] = rest.split('=');
    if (type === '') return `error: unrecognized condition: "${text}"`;
    return { kind: 'condition', type, status, text };
  }
  if (text.startsWith('jsonpath=')) {
    // `jsonpath='{.status.phase}'=Running`, or only the expression (any value will do).
    const input = text.slice('jsonpath='.length);
    const close = input.lastIndexOf('}');
    const template = close < 0 ? input : input.slice(0, close + 1);
    const rest = close < 0 ? '' : input.slice(close + 1);
    if (!template.startsWith('{') || (rest !== '' && !rest.startsWith('=')))
      return "error: jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'";
    return rest === ''
      ? { kind: 'jsonpath', template }
      : { kind: 'jsonpath', template, value: rest.slice(1) };
  }
  return `error: unrecognized condition: "${text}"`;
}

function conditionMet(object: ApiObject, condition: { type: string; status: string }): boolean {
  const status = (object as { status?: { conditions?: { type: string; status: string }[] } }).status;
  return (status?.conditions ?? []).some(
    (item) =>
      item.type.toLowerCase() === condition.type.toLowerCase() &&
      item.status.toLowerCase() === condition.status.toLowerCase(),
  );
}

function jsonPathMet(object: ApiObject, template: string, value: string | undefined): boolean {
  const rendered = renderJsonPath(template, object);
  if (!rendered.ok) return false;
  return value === undefined ? rendered.text !== '' : rendered.text === value;
}

/** Lets a slice of virtual time pass, handing the thread back now and then; false when interrupted. */
export async function passSlice(context: TerminalContext, ms: number, count: number): Promise<boolean> {
  context.spend(ms);
  if (count % slicesPerPause === 0 && context.pause !== undefined) return await context.pause();
  return true;
}

/** `kubectl wait --for=condition=Ready|delete|create (TYPE/NAME… | TYPE -l SEL | TYPE --all) [--timeout=30s]`. */
export async function wait(
  context: TerminalContext,
  positionals: string[],
  flags: Map<string, string>,
): Promise<CommandResult> {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('error: no cluster');
  const condition = parseCondition(flags.get('--for'));
  if (typeof condition === 'string') return fail(condition);
  const timeoutText = flags.get('--timeout') ?? '30s';
  let timeoutMs = parseGoDuration(timeoutText);
  if (timeoutMs === undefined)
    return fail(
      `error: invalid argument "${timeoutText}" for "--timeout" flag: time: invalid duration "${timeoutText}"`,
    );
  if (timeoutMs < 0) timeoutMs = 7 * 24 * 3_600_000;
  const references = parseReferences(positionals, context.simulation.state);
  if ('exitCode' in references) return references;
  if (references.length === 0) return fail('error: resource(s) were provided, but no name was specified');
  const all = flags.has('--all') && flags.get('--all') !== 'false';
  if (!all && !flags.has('--selector') && references.some((reference) => reference.name === undefined))
    return fail('error: resource(s) were provided, but no name was specified');
  const scope = scopeOf(flags);
  if ('exitCode' in scope) return scope;
  const deadline = context.simulation.nowMs + timeoutMs;
  let slices = 0;
  const out: string[] = [];
  const timedOut = (type: ResourceType, name: string): CommandResult => ({
    stdout: out.join(''),
    stderr: `error: timed out waiting for the condition on ${type.plural.split('.')[0] ?? type.plural}/${name}\n`,
    exitCode: 1,
  });
  const interrupted = (): CommandResult => ({ stdout: out.join(''), stderr: '', exitCode: 130 });
  if (condition.kind === 'create') {
    for (const reference of references) {
      const name = reference.name;
      if (name === undefined) continue;
      for (;;) {
        const found = objectsInScope(cluster, reference.type, scope).some(
          (object) => object.metadata.name === name,
        );
        if (found) {
          out.push(`${reference.type.prefix}/${name} condition met\n`);
          break;
        }
        if (context.simulation.nowMs >= deadline) return fail('error: timed out waiting for the condition');
        if (!(await passSlice(context, Math.min(sliceMs, deadline - context.simulation.nowMs), ++slices)))
          return interrupted();
      }
    }
    return { stdout: out.join(''), stderr: '', exitCode: 0 };
  }
  // For deletion, names already gone are simply skipped; otherwise they are NotFound errors.
  const targets: { type: ResourceType; object: ApiObject }[] = [];
  for (const reference of references) {
    const resolved = resolveReferences(cluster, [reference], scope);
    if ('exitCode' in resolved) {
      if (condition.kind === 'delete') continue;
      return resolved;
    }
    for (const object of resolved) targets.push({ type: reference.type, object });
  }
  if (targets.length === 0) {
    if (condition.kind === 'delete') return { stdout: '', stderr: '', exitCode: 0 };
    return fail('error: no matching resources found');
  }
  for (const { type, object } of targets) {
    const key = keyOf(object);
    for (;;) {
      const current = getObject(cluster.api, object.kind, key);
      const met =
        condition.kind === 'delete'
          ? current === undefined || current.metadata.uid !== object.metadata.uid
          : current !== undefined &&
            (condition.kind === 'jsonpath'
              ? jsonPathMet(current, condition.template, condition.value)
              : conditionMet(current, condition));
      if (met) {
        out.push(`${type.prefix}/${object.metadata.name} condition met\n`);
        break;
      }
      if (condition.kind !== 'delete' && current === undefined)
        return {
          stdout: out.join(''),
          stderr: `Error from server (NotFound): ${type.plural} "${object.metadata.name}" not found\n`,
          exitCode: 1,
        };
      if (context.simulation.nowMs >= deadline) return timedOut(type, object.metadata.name);
      if (!(await passSlice(context, Math.min(sliceMs, deadline - context.simulation.nowMs), ++slices)))
        return interrupted();
    }
  }
  return { stdout: out.join(''), stderr: '', exitCode: 0 };
}

/** Default length of a watch that no --request-timeout bounds, in virtual time. */
const defaultWatchMs = 60_000;

/** Pads cells to widths kept from earlier output (tabwriter with RememberWidths, padding 3). */
function rememberedLine(cells: readonly string[], widths: number[]): string {
  cells.forEach((cell, index) => {
    if (index < cells.length - 1) widths[index] = Math.max(widths[index] ?? 6, cell.length + 3, 6);
  });
  return cells
    .map((cell, index) => (index === cells.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
    .join('');
}

/**
 * `kubectl get TYPE [NAME…] --watch`: the table now, then a row each time an object changes,
 * appears or goes (its last state), for up to the request timeout (or a default minute of virtual
 * time, with a note, since nobody can press Ctrl-C in a script).
 */
export async function watch(
  context: TerminalContext,
  positionals: string[],
  flags: Map<string, string>,
): Promise<CommandResult> {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('error: no cluster');
  if (positionals.length === 0)
    return fail(
      'You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.',
    );
  const references = parseReferences(positionals, context.simulation.state);
  if ('exitCode' in references) return references;
  const types = new Set(references.map((reference) => reference.type.kind));
  if (types.size > 1) return fail('error: you may only specify a single resource type');
  const type = references[0]?.type;
  if (type === undefined) return fail('error: you must specify a resource type');
  const scope = scopeOf(flags);
  if ('exitCode' in scope) return scope;
  const output = flags.get('--output') ?? '';
  if (output !== '' && output !== 'wide' && output !== 'name')
    return fail(`error: --watch is simulated for the table, -o wide and -o name outputs, not "${output}"`);
  const timeoutText = flags.get('--request-timeout');
  let windowMs = defaultWatchMs;
  if (timeoutText !== undefined) {
    const parsed = parseGoDuration(timeoutText, true);
    if (parsed === undefined || parsed < 0)
      return fail(
        `error: invalid argument "${timeoutText}" for "--request-timeout" flag: time: invalid duration "${timeoutText}"`,
      );
    if (parsed > 0) windowMs = parsed;
  }
  const remaining = context.remainingMs?.() ?? windowMs;
  const capped = windowMs > remaining;
  windowMs = Math.min(windowMs, Math.max(0, remaining));
  const names = references.flatMap((reference) => (reference.name === undefined ? [] : [reference.name]));
  const initial = resolveReferences(cluster, references, scope);
  if ('exitCode' in initial) return initial;
  const inScope = (): ApiObject[] =>
    objectsInScope(cluster, type, scope).filter(
      (object) => names.length === 0 || names.includes(object.metadata.name),
    );
  const options = {
    wide: output === 'wide',
    allNamespaces: scope.allNamespaces && type.namespaced,
    showLabels: flags.has('--show-labels') && flags.get('--show-labels') !== 'false',
    crdColumns: crdColumnsOf(context.simulation.state, cluster),
  };
  const widths: number[] = [];
  const out: string[] = [];
  let headerPrinted = false;
  const print = (objects: ApiObject[]): void => {
    if (objects.length === 0) return;
    if (output === 'name') {
      for (const object of objects) out.push(`${type.prefix}/${object.metadata.name}\n`);
      return;
    }
    const { header, rows } = tableRows(objects, context.simulation.nowMs, options);
    const lines = headerPrinted || flags.has('--no-headers') ? rows : [header, ...rows];
    headerPrinted = true;
    // Widths grow with every flush and never shrink, so later rows line up with the table.
    for (const line of lines) rememberedLine(line, widths);
    for (const line of lines) out.push(`${rememberedLine(line, widths).trimEnd()}\n`);
  };
  let stderr = initial.length === 0 ? noResourcesMessage(scope, type.namespaced) : '';
  print(initial);
  const seen = new Map<string, ApiObject>(initial.map((object) => [keyOf(object), object]));
  const end = context.simulation.nowMs + windowMs;
  let slices = 0;
  while (context.simulation.nowMs < end) {
    if (!(await passSlice(context, Math.min(sliceMs, end - context.simulation.nowMs), ++slices)))
      return { stdout: out.join(''), stderr, exitCode: 130 };
    const now = inScope();
    const changed: ApiObject[] = [];
    const present = new Set<string>();
    for (const object of now) {
      const key = keyOf(object);
      present.add(key);
      if (seen.get(key)?.metadata.resourceVersion !== object.metadata.resourceVersion) changed.push(object);
      seen.set(key, object);
    }
    for (const [key, object] of [...seen]) {
      if (present.has(key)) continue;
      changed.push(object);
      seen.delete(key);
    }
    print(changed);
  }
  if (timeoutText === undefined || capped)
    stderr += `(watch stopped after ${Math.round(windowMs / 1000)} simulated seconds: a real kubectl get --watch runs until you press Ctrl-C${capped ? '; this command line has no more simulated time left' : '; add --request-timeout=5m to watch longer'})\n`;
  return { stdout: out.join(''), stderr, exitCode: 0 };
}
