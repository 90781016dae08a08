/**
 * A deep copy of plain data (objects, arrays, primitives), as structuredClone makes it but without
 * its serialisation overhead, which dominates for the small objects the model copies on hot paths.
 * Each object is copied with a spread, so the copy has the original's shape (and code that ran on
 * the original stays fast on the copy), then its object-valued fields are copied in turn. Shared
 * references stay shared in the copy, as with structuredClone; a Map is copied the same way (its
 * values through the same table of copies); anything else that is not plain data (a Date, a class
 * instance) is handed to structuredClone. Objects passed as `shared`, which
 * the caller guarantees are never mutated, are not copied at all: the copy refers to them.
 */
export function clonePlain<T>(value: T, shared?: Iterable<object>): T {
  if (typeof value !== 'object' || value === null) return value;
  const seen = new Map<object, unknown>();
  // Objects the caller knows are never mutated are referenced from the copy, not copied.
  if (shared !== undefined) for (const object of shared) seen.set(object, object);
  return copy(value, seen) as T;
}

function copy(value: object, seen: Map<object, unknown>): unknown {
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (Array.isArray(value)) {
    const result: unknown[] = value.slice();
    seen.set(value, result);
    for (let i = 0; i < result.length; i++) {
      const item = result[i];
      if (typeof item === 'object' && item !== null) result[i] = copy(item, seen);
    }
    return result;
  }
  if (value instanceof Map) {
    // A Map keeps its entries' order and the sharing of its values, as a record would.
    const result = new Map<unknown, unknown>();
    seen.set(value, result);
    for (const [key, item] of value as Map<unknown, unknown>)
      result.set(key, typeof item === 'object' && item !== null ? copy(item, seen) : item);
    return result;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    const cloned: unknown = structuredClone(value);
    seen.set(value, cloned);
    return cloned;
  }
  // A record without a prototype (a hash table from the start, see k8s/api-store.ts) stays one.
  const result: Record<string, unknown> =
    prototype === null
      ? Object.assign(Object.create(null) as Record<string, unknown>, value)
      : { ...(value as Record<string, unknown>) };
  seen.set(value, result);
  for (const key in result) {
    const item = result[key];
    if (typeof item === 'object' && item !== null) result[key] = copy(item, seen);
  }
  return result;
}
