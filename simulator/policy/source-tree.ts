/**
 * A plain, positioned copy of one YAML document; the `yaml` package's own objects are never handed
 * to the rest of the engine: converting node by node lets us bound depth and size, refuse
 * prototype-polluting keys and keep a line/column for every value we later validate.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { SourcePosition } from './policy-error';

/** A scalar as the core schema resolves it. */
export type ScalarValue = string | number | boolean | null;

/** One node of a converted document, with the position of its first character. */
export type SourceNode =
  | {
      readonly type: 'map';
      readonly entries: ReadonlyMap<string, SourceEntry>;
      readonly position: SourcePosition;
    }
  | { readonly type: 'seq'; readonly items: readonly SourceNode[]; readonly position: SourcePosition }
  | { readonly type: 'scalar'; readonly value: ScalarValue; readonly position: SourcePosition };

/** A mapping entry: the key's own position is where "unknown field" errors point. */
export interface SourceEntry {
  readonly keyPosition: SourcePosition;
  readonly value: SourceNode;
}

/** Limits that keep conversion bounded whatever the input. */
export interface SourceLimits {
  readonly maxDepth: number;
  readonly maxNodes: number;
  readonly maxAliases: number;
}

/** Why a document could not be converted, and where. */
export class SourceTreeError extends Error {
  constructor(
    message: string,
    readonly position: SourcePosition,
    readonly path: string,
  ) {
    super(message);
    this.name = 'SourceTreeError';
  }
}

/** Keys that could reach Object.prototype if any later code ever used user keys on a plain object. */
export const forbiddenKeys: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

interface ConversionState {
  nodes: number;
  aliases: number;
  readonly limits: SourceLimits;
  readonly yamlDocument: Document;
  readonly lineCounter: LineCounter;
}

function positionOf(state: ConversionState, node: unknown): SourcePosition {
  const range = (node as { range?: readonly number[] | null }).range;
  const offset = range?.[0] ?? 0;
  const { line, col } = state.lineCounter.linePos(offset);
  return { line, column: col };
}

function pathWith(path: string, segment: string | number): string {
  if (typeof segment === 'number') return `${path}[${segment}]`;
  return path === '' ? segment : `${path}.${segment}`;
}

function convert(state: ConversionState, node: unknown, depth: number, path: string): SourceNode {
  const position = positionOf(state, node);
  if (depth > state.limits.maxDepth) {
    throw new SourceTreeError(`nesting deeper than ${state.limits.maxDepth} levels`, position, path);
  }
  state.nodes += 1;
  if (state.nodes > state.limits.maxNodes) {
    throw new SourceTreeError(`yamlDocument has more than ${state.limits.maxNodes} nodes`, position, path);
  }
  if (isAlias(node)) {
    state.aliases += 1;
    if (state.aliases > state.limits.maxAliases) {
      throw new SourceTreeError(`more than ${state.limits.maxAliases} aliases`, position, path);
    }
    const target = node.resolve(state.yamlDocument);
    if (target === undefined) throw new SourceTreeError(`unresolved alias *${node.source}`, position, path);
    // Converting the target again keeps counting its nodes, so a chain of aliases cannot grow unbounded.
    return convert(state, target, depth + 1, path);
  }
  if (isScalar(node)) {
    const value: unknown = node.value;
    if (
      value === null ||
      typeof value === 'string' ||
      typeof value === 'number' ||
      typeof value === 'boolean'
    ) {
      return { type: 'scalar', value, position };
    }
    throw new SourceTreeError('unsupported scalar type', position, path);
  }
  if (isSeq(node)) {
    const items: SourceNode[] = [];
    node.items.forEach((item, index) => {
      items.push(convert(state, item, depth + 1, pathWith(path, index)));
    });
    return { type: 'seq', items, position };
  }
  if (isMap(node)) {
    const entries = new Map<string, SourceEntry>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      const keyPosition = keyNode ? positionOf(state, keyNode) : position;
      if (!isScalar(keyNode)) throw new SourceTreeError('mapping keys must be scalars', keyPosition, path);
      const rawKey: unknown = keyNode.value;
      if (
        rawKey !== null &&
        typeof rawKey !== 'string' &&
        typeof rawKey !== 'number' &&
        typeof rawKey !== 'boolean'
      ) {
        throw new SourceTreeError('unsupported mapping key', keyPosition, path);
      }
      const key = rawKey === null ? 'null' : String(rawKey);
      if (forbiddenKeys.has(key)) {
        throw new SourceTreeError(`forbidden key "${key}"`, keyPosition, pathWith(path, key));
      }
      const valueNode = pair.value ?? null;
      const value: SourceNode =
        valueNode === null
          ? { type: 'scalar', value: null, position: keyPosition }
          : convert(state, valueNode, depth + 1, pathWith(path, key));
      entries.set(key, { keyPosition, value });
    }
    return { type: 'map', entries, position };
  }
  if (node === null || node === undefined) return { type: 'scalar', value: null, position };
  throw new SourceTreeError('unsupported YAML node', position, path);
}

/** Converts a parsed document into a SourceNode tree, or throws SourceTreeError when a limit is hit. */
export function toSourceTree(
  yamlDocument: Document,
  lineCounter: LineCounter,
  limits: SourceLimits,
): SourceNode {
  const state: ConversionState = { nodes: 0, aliases: 0, limits, yamlDocument, lineCounter };
  return convert(state, yamlDocument.contents, 0, '');
}

/** A JSON-like plain value of a source node, for passing non-policy objects through (null-prototype maps). */
export function toPlainValue(node: SourceNode): unknown {
  if (node.type === 'scalar') return node.value;
  if (node.type === 'seq') return node.items.map(toPlainValue);
  const result = Object.create(null) as Record<string, unknown>;
  for (const [key, entry] of node.entries) result[key] = toPlainValue(entry.value);
  return result;
}
