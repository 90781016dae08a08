/**
 * Helm values: `--set a.b=c,d=e` and `--set-string` parsed as Helm's strvals parser does (typed
 * booleans, integers and null, `{x,y}` lists, `\,` escapes), `-f` files merged in order, the
 * merge that `--reuse-values` performs (chartutil.CoalesceTables: the newer value wins, null
 * deletes), and the flattened `a.b` view the model's chart templates read.
 */

/**
 * A nested values tree, as Helm keeps a release's config: JSON whose leaves are strings, numbers,
 * booleans, null or lists. Typed loosely on purpose: a recursive type here makes every consumer of
 * the input events (Playwright's evaluate in the browser benchmark) instantiate it without end.
 */
export type HelmValues = Record<string, unknown>;
type HelmValue = unknown;

const isTree = (value: unknown): value is HelmValues =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** strvals.typedVal: true, false and null by name (any case), integers without leading zeros, else the text. */
function typed(text: string): HelmValue {
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (/^[-+]?(0|[1-9]\d*)$/.test(text)) {
    const number = Number(text);
    if (Number.isSafeInteger(number)) return number;
  }
  return text;
}

/** Splits on a separator that is neither escaped with `\` nor inside `{…}`. */
function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] ?? '';
    if (char === '\\' && i + 1 < text.length) {
      current += char + (text[i + 1] ?? '');
      i += 1;
    } else if (char === '{') {
      depth += 1;
      current += char;
    } else if (char === '}') {
      depth = Math.max(0, depth - 1);
      current += char;
    } else if (char === separator && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

const unescape = (text: string): string => text.replace(/\\(.)/g, '$1');

/** Sets a dotted key (`a.b.c`) in a tree, making the intermediate maps. */
function setPath(tree: HelmValues, path: string[], value: HelmValue): void {
  let node = tree;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] ?? '';
    const next = node[key];
    if (!isTree(next)) node[key] = {};
    node = node[key] as HelmValues;
  }
  node[path[path.length - 1] ?? ''] = value;
}

/**
 * Parses one `--set` (or, with `typedValues` false, `--set-string`) argument into `into`; returns
 * Helm's error text for a pair without a value.
 */
export function parseSetArgument(text: string, into: HelmValues, typedValues = true): string | undefined {
  for (const pair of splitUnescaped(text, ',')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    if (equals <= 0) return `key "${unescape(pair)}" has no value`;
    const path = splitUnescaped(pair.slice(0, equals), '.').map(unescape);
    const raw = pair.slice(equals + 1);
    const list = /^\{(.*)\}$/s.exec(raw);
    const value: HelmValue =
      list !== null
        ? list[1] === ''
          ? []
          : splitUnescaped(list[1] ?? '', ',').map((item) =>
              typedValues ? typed(unescape(item)) : unescape(item),
            )
        : typedValues
          ? typed(unescape(raw))
          : unescape(raw);
    setPath(into, path, value);
  }
  return undefined;
}

/**
 * Merges `overlay` over `base` as chartutil.CoalesceTables does for release configs: maps merge
 * key by key, anything else in the overlay replaces the base, and null removes the key.
 */
export function mergeValues(base: HelmValues, overlay: HelmValues): HelmValues {
  const merged: HelmValues = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const existing = merged[key];
    if (value === null) delete merged[key];
    else if (isTree(value) && isTree(existing)) merged[key] = mergeValues(existing, value);
    else merged[key] = value;
  }
  return merged;
}

/** A leaf as text: strings, numbers and booleans as they print, anything else as JSON. */
function leafText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}

/** The `a.b` → text view of a tree that the model's templates read; lists print as `{x,y}`. */
export function flattenValues(
  tree: HelmValues,
  prefix = '',
  into: Record<string, string> = {},
): Record<string, string> {
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (isTree(value)) flattenValues(value, path, into);
    else if (Array.isArray(value)) into[path] = `{${value.map((item: unknown) => leafText(item)).join(',')}}`;
    else if (value !== null && value !== undefined) into[path] = leafText(value);
  }
  return into;
}

/** A tree from flattened `a.b=value` pairs typed as `--set` types them (a scenario's helm values). */
export function valuesFromFlat(flat: Readonly<Record<string, string>>): HelmValues {
  const tree: HelmValues = {};
  for (const [key, value] of Object.entries(flat)) setPath(tree, key.split('.'), typed(value));
  return tree;
}

/** Whether a parsed YAML document can serve as values (a map, or nothing). */
export function asValuesTree(document: unknown): HelmValues | undefined {
  if (document === null || document === undefined) return {};
  return isTree(document) ? (JSON.parse(JSON.stringify(document)) as HelmValues) : undefined;
}
