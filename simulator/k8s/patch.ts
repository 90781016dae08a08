/**
 * The three patch formats the API server accepts (kubernetes
 * staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go): JSON merge patch (RFC 7386),
 * JSON patch (RFC 6902, with the error texts of evanphx/json-patch, which the API server uses), and
 * strategic merge patch (apimachinery pkg/util/strategicpatch), which merges lists by the merge
 * key their Go type declares (containers by name, container ports by containerPort, Service ports
 * by port…) and honours `$patch: replace|delete`. Custom resources have no Go types, so the API
 * server refuses strategic merge patches for them (UnsupportedMediaType).
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** RFC 7386: objects merge recursively, null removes a key, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value) as Json;
  }
  return result;
}

/** Why a JSON patch could not be applied or decoded. */
export type PatchFailure = { kind: 'decode'; message: string } | { kind: 'apply'; message: string };

/** RFC 6901: a pointer's reference tokens. */
function pointerTokens(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The container a pointer's last token lives in, and that token. */
function parentOf(doc: Json, tokens: readonly string[]): { parent: Json; key: string } | undefined {
  let current: Json = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) {
      const index = Number(token);
      if (!/^\d+$/.test(token) || index >= current.length) return undefined;
      current = current[index] as Json;
    } else if (isObject(current) && Object.hasOwn(current, token)) current = current[token] as Json;
    else return undefined;
  }
  return { parent: current, key: tokens[tokens.length - 1] ?? '' };
}

function getAt(doc: Json, tokens: readonly string[]): Json | undefined {
  if (tokens.length === 0) return doc;
  const found = parentOf(doc, tokens);
  if (found === undefined) return undefined;
  const { parent, key } = found;
  if (Array.isArray(parent)) return /^\d+$/.test(key) ? parent[Number(key)] : undefined;
  return isObject(parent) && Object.hasOwn(parent, key) ? parent[key] : undefined;
}

/** One RFC 6902 operation on a document (mutated in place); an error text when it does not apply. */
function applyOperation(doc: Json, operation: JsonObject): string | undefined {
  const op = typeof operation.op === 'string' ? operation.op : JSON.stringify(operation.op ?? '');
  const path = typeof operation.path === 'string' ? operation.path : '';
  const tokens = pointerTokens(path);
  if (tokens === undefined)
    return `${op} operation does not apply: doc is missing path: ${path}: missing value`;
  const found = parentOf(doc, tokens);
  const missingKey = `${op} operation does not apply: doc is missing key: ${path}: missing value`;
  const missingPath = `${op} operation does not apply: doc is missing path: ${path}: missing value`;
  switch (op) {
    case 'add':
    case 'replace': {
      if (found === undefined) return missingPath;
      const { parent, key } = found;
      const value = clone(operation.value ?? null);
      if (Array.isArray(parent)) {
        const index = key === '-' ? parent.length : Number(key);
        if (
          (key !== '-' && !/^\d+$/.test(key)) ||
          index > parent.length ||
          (op === 'replace' && index >= parent.length)
        )
          return op === 'add'
            ? `add operation does not apply: doc is missing path: ${path}: missing value`
            : missingKey;
        if (op === 'add') parent.splice(index, 0, value);
        else parent[index] = value;
        return undefined;
      }
      if (!isObject(parent)) return missingPath;
      if (op === 'replace' && !Object.hasOwn(parent, key)) return missingKey;
      parent[key] = value;
      return undefined;
    }
    case 'remove': {
      if (found === undefined) return missingPath;
      const { parent, key } = found;
      if (Array.isArray(parent)) {
        if (!/^\d+$/.test(key) || Number(key) >= parent.length) return missingKey;
        parent.splice(Number(key), 1);
        return undefined;
      }
      if (!isObject(parent) || !Object.hasOwn(parent, key)) return missingKey;
      delete parent[key];
      return undefined;
    }
    case 'test': {
      const actual = getAt(doc, tokens);
      if (JSON.stringify(actual) === JSON.stringify(operation.value ?? null)) return undefined;
      return `testing value ${path} failed: test failed`;
    }
    case 'move':
    case 'copy': {
      const from = typeof operation.from === 'string' ? operation.from : '';
      const fromTokens = pointerTokens(from);
      const value = fromTokens === undefined ? undefined : getAt(doc, fromTokens);
      if (value === undefined)
        return `${op} operation does not apply: doc is missing from path: ${from}: missing value`;
      if (op === 'move') {
        const removed = applyOperation(doc, { op: 'remove', path: from });
        if (removed !== undefined) return removed;
      }
      return applyOperation(doc, { op: 'add', path, value: clone(value) });
    }
    default:
      return `Unexpected kind: ${op}`;
  }
}

/** Applies an RFC 6902 patch (already decoded from JSON) to a document. */
export function jsonPatch(document: unknown, patch: unknown): { result: unknown } | PatchFailure {
  if (!Array.isArray(patch))
    return {
      kind: 'decode',
      message: `json: cannot unmarshal ${isObject(patch) ? 'object' : typeof patch === 'string' ? 'string' : typeof patch} into Go value of type jsonpatch.Patch`,
    };
  const doc = clone(document) as Json;
  for (const operation of patch) {
    if (!isObject(operation))
      return {
        kind: 'decode',
        message: `json: cannot unmarshal ${typeof operation} into Go value of type jsonpatch.Operation`,
      };
    const problem = applyOperation(doc, operation);
    if (problem !== undefined) return { kind: 'apply', message: problem };
  }
  return { result: doc };
}

/**
 * The list fields whose Go types declare a strategic merge key, by the name of the field (as the
 * model's kinds use them): containers and their parts by name, ports by their number, conditions by
 * type, owner references by uid. Lists not named here are replaced whole, as atomic lists are.
 */
const mergeKeys: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  conditions: 'type',
  ownerReferences: 'uid',
};

/** Container ports merge by containerPort; a Service's by port (ServicePort's merge key). */
function mergeKeyFor(path: readonly string[], field: string): string | undefined {
  if (field === 'ports')
    return path.includes('containers') || path.includes('initContainers') ? 'containerPort' : 'port';
  return mergeKeys[field];
}

/** Primitive lists with the merge strategy: items are added as a set (finalizers). */
const setLists: ReadonlySet<string> = new Set(['finalizers']);

function mergeList(original: Json[], patch: Json[], path: readonly string[], field: string): Json[] {
  const key = mergeKeyFor(path, field);
  if (setLists.has(field))
    return [
      ...original,
      ...patch.filter((item) => !original.some((known) => JSON.stringify(known) === JSON.stringify(item))),
    ];
  if (key === undefined) return patch.map((item) => strip(item));
  const replace = patch.find((item) => isObject(item) && item.$patch === 'replace');
  if (replace !== undefined) return patch.filter((item) => item !== replace).map((item) => strip(item));
  const result = original.map((item) => clone(item));
  for (const item of patch) {
    if (!isObject(item)) continue;
    const at = result.findIndex(
      (known) => isObject(known) && JSON.stringify(known[key]) === JSON.stringify(item[key]),
    );
    if (item.$patch === 'delete') {
      if (at >= 0) result.splice(at, 1);
      continue;
    }
    if (at >= 0) result[at] = strategicMerge(result[at], item, [...path, field]) as Json;
    else result.push(strip(item));
  }
  return result;
}

/** A patch value without its directives, as it lands in the object when nothing was there. */
function strip(value: Json): Json {
  if (Array.isArray(value)) return value.map(strip);
  if (!isObject(value)) return value;
  const result: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith('$') || item === null) continue;
    result[key] = strip(item);
  }
  return result;
}

/** Strategic merge of a patch into an object, following the list rules above. */
export function strategicMerge(original: unknown, patch: unknown, path: readonly string[] = []): unknown {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') return strip(patch);
  if (patch.$patch === 'delete') return undefined;
  const result: JsonObject = isObject(original) ? clone(original) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) {
      delete result[key];
      continue;
    }
    const existing = result[key];
    if (Array.isArray(value) && Array.isArray(existing)) result[key] = mergeList(existing, value, path, key);
    else if (isObject(value)) {
      const merged = strategicMerge(existing, value, [...path, key]);
      if (merged === undefined) delete result[key];
      else result[key] = merged as Json;
    } else result[key] = strip(value);
  }
  return result;
}
