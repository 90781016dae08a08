/**
 * The part of kubectl's JSONPath templates that readers type: `{.items[0].spec.nodeName}`,
 * `{.items[*].status.podIP}`, filters such as `{.items[?(@.spec.nodeName=='kind-worker')].metadata.name}`,
 * several expressions and literal text in one template, and `{range .items[*]}…{end}`. Values print
 * as kubectl prints them (lists space-separated).
 */

type Literal = string | number | boolean;
type Comparison = '==' | '!=' | '<' | '<=' | '>' | '>=';
type Step =
  | { key: string }
  /** `..key`: the key in the value and every value below it (client-go's recursive descent). */
  | { descend: string }
  | { index: number }
  | { all: true }
  /** `[?(@.path)]` keeps the elements where the path exists; with a comparison, where it holds. */
  | { filter: Step[]; comparison?: { op: Comparison; literal: Literal } };

/** A key may escape a dot (`.metadata.labels.io\.kubernetes\.pod\.namespace`), as client-go's parseField allows. */
const keyStep = /\.((?:[A-Za-z0-9_\-/]|\\.)+)|\[(\d+|\*)\]|\[['"]([^'"]+)['"]\]/y;
const descendStep = /\.\.([A-Za-z0-9_\-/]+)/y;
const filterStep =
  /\[\?\(\s*@((?:\.[A-Za-z0-9_\-/]+|\[['"][^'"]+['"]\])*)\s*(?:(==|!=|<=|>=|<|>)\s*('[^']*'|"[^"]*"|-?\d+(?:\.\d+)?|true|false)\s*)?\)\]/y;

function parseLiteral(text: string): Literal {
  if (text === 'true' || text === 'false') return text === 'true';
  if (text.startsWith("'") || text.startsWith('"')) return text.slice(1, -1);
  return Number(text);
}

function parsePath(path: string): Step[] | string {
  const steps: Step[] = [];
  let position = path.startsWith('.') || path.startsWith('[') ? 0 : -1;
  if (position < 0) return `unexpected path "${path}"`;
  while (position < path.length) {
    filterStep.lastIndex = position;
    const filter = filterStep.exec(path);
    if (filter !== null) {
      // Read the end first: parsing the inner path reuses these sticky patterns.
      const end = filterStep.lastIndex;
      const inner = filter[1] === '' || filter[1] === undefined ? [] : parsePath(filter[1]);
      if (typeof inner === 'string') return inner;
      const [, , op, literal] = filter;
      steps.push({
        filter: inner,
        ...(op !== undefined && literal !== undefined
          ? { comparison: { op: op as Comparison, literal: parseLiteral(literal) } }
          : {}),
      });
      position = end;
      continue;
    }
    descendStep.lastIndex = position;
    const descend = descendStep.exec(path);
    if (descend !== null) {
      steps.push({ descend: descend[1] ?? '' });
      position = descendStep.lastIndex;
      continue;
    }
    keyStep.lastIndex = position;
    const match = keyStep.exec(path);
    if (match === null) return `unrecognized character in path "${path}" at ${position}`;
    if (match[1] !== undefined) steps.push({ key: match[1].replace(/\\(.)/g, '$1') });
    else if (match[2] === '*') steps.push({ all: true });
    else if (match[2] !== undefined) steps.push({ index: Number(match[2]) });
    else if (match[3] !== undefined) steps.push({ key: match[3] });
    position = keyStep.lastIndex;
  }
  return steps;
}

/** client-go compares only values of the literal's type; an item without the field never matches. */
function compare(value: unknown, op: Comparison, literal: Literal): boolean {
  if (typeof value !== typeof literal) return op === '!=';
  const left = value as Literal;
  switch (op) {
    case '==':
      return left === literal;
    case '!=':
      return left !== literal;
    case '<':
      return left < literal;
    case '<=':
      return left <= literal;
    case '>':
      return left > literal;
    case '>=':
      return left >= literal;
  }
}

function passes(element: unknown, step: Extract<Step, { filter: Step[] }>): boolean {
  const found = walk([element], step.filter);
  if (step.comparison === undefined) return found.length > 0 && found[0] !== undefined;
  const { op, literal } = step.comparison;
  return found.some((value) => compare(value, op, literal));
}

/** A value and every value inside it, parents before children (client-go's evalRecursive). */
function subtree(value: unknown): unknown[] {
  if (value === null || typeof value !== 'object') return [value];
  const children = Array.isArray(value) ? (value as unknown[]) : Object.values(value);
  return [value, ...children.flatMap(subtree)];
}

function walk(values: unknown[], steps: Step[]): unknown[] {
  let current = values;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if ('descend' in step) {
        for (const node of subtree(value))
          if (
            node !== null &&
            typeof node === 'object' &&
            !Array.isArray(node) &&
            Object.hasOwn(node, step.descend)
          )
            next.push((node as Record<string, unknown>)[step.descend]);
      } else if ('key' in step) {
        if (
          value !== null &&
          typeof value === 'object' &&
          !Array.isArray(value) &&
          Object.hasOwn(value, step.key)
        )
          next.push((value as Record<string, unknown>)[step.key]);
      } else if ('filter' in step) {
        const elements: unknown[] = Array.isArray(value)
          ? (value as unknown[])
          : value !== null && typeof value === 'object'
            ? Object.values(value)
            : [];
        for (const element of elements) if (passes(element, step)) next.push(element);
      } else if ('index' in step) {
        if (Array.isArray(value) && step.index < value.length) next.push((value as unknown[])[step.index]);
      } else if (Array.isArray(value)) next.push(...(value as unknown[]));
      else if (value !== null && typeof value === 'object') next.push(...(Object.values(value) as unknown[]));
    }
    current = next;
  }
  return current;
}

/** Prints a value as kubectl does: scalars as text, objects and lists as JSON, nothing for null. */
export function printValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return value.toString();
  return JSON.stringify(value) ?? '';
}

/**
 * A value as Go's `%v` prints a decoded JSON value, which is how `-o custom-columns` shows each
 * result: maps as `map[key:value …]` with sorted keys, lists as `[a b]`, null as `<nil>`.
 */
export function goValue(value: unknown): string {
  if (value === undefined || value === null) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return value.toString();
  if (Array.isArray(value)) return `[${(value as unknown[]).map(goValue).join(' ')}]`;
  const record = value as Record<string, unknown>;
  return `map[${Object.keys(record)
    .sort()
    .map((key) => `${key}:${goValue(record[key])}`)
    .join(' ')}]`;
}

/** The values one JSONPath expression selects (`.metadata.labels`), or the parse error. */
export function jsonPathValues(path: string, root: unknown): unknown[] | { error: string } {
  const steps = parsePath(path.replace(/^\{|\}$/g, '').replace(/^@/, ''));
  if (typeof steps === 'string') return { error: steps };
  return walk([root], steps);
}

/** Renders a JSONPath template against an object; returns the text or an error message. */
export function renderJsonPath(
  template: string,
  root: unknown,
): { ok: true; text: string } | { ok: false; error: string } {
  const parts = template.split(/(\{[^}]*\})/).filter((part) => part !== '');
  let output = '';
  let index = 0;
  const render = (contexts: unknown[], stopAtEnd: boolean): string | { error: string } => {
    let text = '';
    while (index < parts.length) {
      const part = parts[index++] ?? '';
      if (!part.startsWith('{')) {
        text += part;
        continue;
      }
      const expression = part.slice(1, -1).trim();
      if (expression === 'end') {
        if (stopAtEnd) return text;
        return { error: 'unexpected {end}' };
      }
      if (expression.startsWith('range ')) {
        const steps = parsePath(expression.slice(6).trim());
        if (typeof steps === 'string') return { error: steps };
        const items = contexts.flatMap((context) => walk([context], steps));
        const bodyStart = index;
        if (items.length === 0) {
          // Skip the body.
          let depth = 1;
          while (index < parts.length && depth > 0) {
            const skipped = (parts[index++] ?? '').trim();
            if (skipped.startsWith('{range ')) depth += 1;
            else if (skipped === '{end}') depth -= 1;
          }
          continue;
        }
        for (const item of items) {
          index = bodyStart;
          const body = render([item], true);
          if (typeof body !== 'string') return body;
          text += body;
        }
        continue;
      }
      if (expression.startsWith('"') && expression.endsWith('"')) {
        text += expression.slice(1, -1).replace(/\\n/g, '\n').replace(/\\t/g, '\t');
        continue;
      }
      // `{@}` is the current value itself; client-go's parser consumes a leading `$` as it does
      // `@` (k8s.io/client-go/util/jsonpath/parser.go parseInsideAction), so `{$[0].id}` is `{[0].id}`.
      const steps =
        expression === '@' || expression === '$' ? [] : parsePath(expression.replace(/^[@$]/, ''));
      if (typeof steps === 'string') return { error: steps };
      text += contexts
        .flatMap((context) => walk([context], steps))
        .map(printValue)
        .join(' ');
    }
    return stopAtEnd ? { error: 'missing {end}' } : text;
  };
  const result = render([root], false);
  if (typeof result !== 'string')
    return { ok: false, error: `error: error parsing jsonpath ${template}, ${result.error}` };
  output += result;
  return { ok: true, text: output };
}
