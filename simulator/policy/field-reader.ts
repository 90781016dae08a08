/**
 * Typed access to a SourceNode tree that records API-server-shaped errors instead of throwing, so one
 * pass reports every problem of a document with its path and position.
 */
import { joinPath, type PolicyError, type SourcePosition } from './policy-error';
import type { SourceEntry, SourceNode } from './source-tree';
import { latestSchema, type SchemaFeatures } from './release-schema';

export type { SchemaFeatures } from './release-schema';
export { latestSchema } from './release-schema';

/** What the readers need to word and place an error. */
export class ValidationContext {
  readonly errors: PolicyError[] = [];
  /** Valid features the simulator stores but does not enforce, named for a note to the reader. */
  readonly unsimulated: string[] = [];

  constructor(
    readonly documentIndex: number,
    readonly kind: string,
    readonly version: string,
    public name: string,
    readonly schema: SchemaFeatures = latestSchema,
  ) {}

  /** An error the CRD schema (or built-in type validation) would return from `kubectl apply`. */
  invalid(path: string, position: SourcePosition, detail: string): void {
    this.errors.push({
      documentIndex: this.documentIndex,
      path,
      line: position.line,
      column: position.column,
      message: `The ${this.kind} "${this.name}" is invalid: ${path === '' ? '' : `${path}: `}${detail}`,
      stage: 'apiserver',
    });
  }

  /** A field the schema does not know; kubectl's default strict field validation refuses the object. */
  unknownField(path: string, position: SourcePosition): void {
    this.errors.push({
      documentIndex: this.documentIndex,
      path,
      line: position.line,
      column: position.column,
      message: `${this.kind} in version "${this.version}" cannot be handled as a ${this.kind}: strict decoding error: unknown field "${path}"`,
      stage: 'apiserver',
    });
  }

  /**
   * A rule the API server stores but the agent refuses to import (reported in its log and policy
   * status). `complete` marks a message that is already the whole import error, not a sanitize error.
   */
  agent(path: string, position: SourcePosition, message: string, complete = false): void {
    this.errors.push({
      documentIndex: this.documentIndex,
      path,
      line: position.line,
      column: position.column,
      message,
      stage: 'agent',
      ...(complete ? { complete } : {}),
    });
  }

  /**
   * Removes and returns the agent's findings recorded since the given count, so a caller can put
   * them in the order the agent's sanitising meets them (it reports only the first).
   */
  takeAgentErrorsSince(count: number): PolicyError[] {
    const taken = this.errors.slice(count).filter((error) => error.stage === 'agent');
    const kept = this.errors.slice(count).filter((error) => error.stage !== 'agent');
    this.errors.splice(count, this.errors.length - count, ...kept);
    return taken;
  }

  /** Notes a valid feature the simulator does not enforce (once per feature). */
  notSimulated(feature: string): void {
    if (!this.unsimulated.includes(feature)) this.unsimulated.push(feature);
  }

  /** Records an agent finding taken earlier. */
  putAgentError(error: PolicyError): void {
    this.errors.push(error);
  }

  /** Whether an API-server error was recorded since the given count. */
  refusedSince(count: number): boolean {
    return this.errors.slice(count).some((error) => error.stage === 'apiserver');
  }

  /** Whether an error was recorded since the given count (used to skip semantic checks on broken input). */
  failedSince(count: number): boolean {
    return this.errors.length > count;
  }
}

/** The JSON type name the API server prints for a node. */
function jsonTypeOf(node: SourceNode): string {
  if (node.type === 'map') return 'object';
  if (node.type === 'seq') return 'array';
  const value = node.value;
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** A value with the path and position it came from. */
export interface Located<T> {
  readonly value: T;
  readonly path: string;
  readonly position: SourcePosition;
}

/** A mapping node after its keys were checked against the schema. */
export class ObjectReader {
  constructor(
    readonly context: ValidationContext,
    readonly path: string,
    readonly position: SourcePosition,
    private readonly entries: ReadonlyMap<string, SourceEntry>,
  ) {}

  /** The child node, treating an explicit null as absent (as the API server's pruning does). */
  node(key: string): SourceNode | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.value.type === 'scalar' && entry.value.value === null) return undefined;
    return entry.value;
  }

  /** Whether the key is written at all, even with an empty value. */
  has(key: string): boolean {
    return this.node(key) !== undefined;
  }

  childPath(key: string): string {
    return joinPath(this.path, key);
  }

  keyPosition(key: string): SourcePosition {
    return this.entries.get(key)?.keyPosition ?? this.position;
  }

  /** A nested object, checked against its own allowed keys. */
  object(key: string, allowed: readonly string[]): ObjectReader | undefined {
    const node = this.node(key);
    return node ? readObject(this.context, node, this.childPath(key), allowed) : undefined;
  }

  string(key: string): Located<string> | undefined {
    const node = this.node(key);
    if (!node) return undefined;
    return expectType(this.context, node, this.childPath(key), 'string') as Located<string> | undefined;
  }

  integer(key: string): Located<number> | undefined {
    const node = this.node(key);
    if (!node) return undefined;
    return expectType(this.context, node, this.childPath(key), 'integer') as Located<number> | undefined;
  }

  boolean(key: string): Located<boolean> | undefined {
    const node = this.node(key);
    if (!node) return undefined;
    return expectType(this.context, node, this.childPath(key), 'boolean') as Located<boolean> | undefined;
  }

  /** A list; each item is handed to `item` with its own path. Undefined when absent or not a list. */
  list<T>(key: string, item: (node: SourceNode, path: string) => T | undefined): T[] | undefined {
    const node = this.node(key);
    if (!node) return undefined;
    const path = this.childPath(key);
    if (node.type !== 'seq') {
      typeError(this.context, node, path, 'array');
      return undefined;
    }
    const result: T[] = [];
    node.items.forEach((child, index) => {
      const value = item(child, joinPath(path, index));
      if (value !== undefined) result.push(value);
    });
    return result;
  }

  /** A map of string to string (matchLabels, metadata.labels). */
  stringMap(key: string): [string, string][] | undefined {
    const node = this.node(key);
    if (!node) return undefined;
    const path = this.childPath(key);
    if (node.type !== 'map') {
      typeError(this.context, node, path, 'object');
      return undefined;
    }
    const pairs: [string, string][] = [];
    for (const [name, entry] of node.entries) {
      const located = expectType(this.context, entry.value, joinPath(path, name), 'string');
      if (located) pairs.push([name, located.value as string]);
    }
    return pairs;
  }
}

/** Records the API server's type error for a node. */
export function typeError(
  context: ValidationContext,
  node: SourceNode,
  path: string,
  expected: string,
): void {
  const actual = jsonTypeOf(node);
  context.invalid(
    path,
    node.position,
    `Invalid value: "${actual}": ${path} in body must be of type ${expected}: "${actual}"`,
  );
}

/** Checks a scalar's JSON type; returns it located, or undefined after recording an error. */
function expectType(
  context: ValidationContext,
  node: SourceNode,
  path: string,
  expected: 'string' | 'integer' | 'boolean',
): Located<string | number | boolean> | undefined {
  if (jsonTypeOf(node) !== expected || node.type !== 'scalar' || node.value === null) {
    typeError(context, node, path, expected);
    return undefined;
  }
  return { value: node.value, path, position: node.position };
}

/** Reads a mapping and reports every key the schema does not allow. */
export function readObject(
  context: ValidationContext,
  node: SourceNode,
  path: string,
  allowed: readonly string[],
): ObjectReader | undefined {
  if (node.type !== 'map') {
    typeError(context, node, path, 'object');
    return undefined;
  }
  for (const [key, entry] of node.entries) {
    if (!allowed.includes(key)) context.unknownField(joinPath(path, key), entry.keyPosition);
  }
  return new ObjectReader(context, path, node.position, node.entries);
}
