/**
 * `kubectl get -o yaml|json` as kubectl prints them: the object goes through a generic map on its way
 * out, so keys come out in alphabetical order at every level; YAML is written as go-yaml v2 writes it
 * (sequences not indented under their key, YAML 1.1 quoting, so timestamps, numbers-as-strings and
 * words like "on" or "y" are quoted) and JSON with four spaces.
 */
import { stringify } from 'yaml';

/** A copy of a JSON-like value with every object's keys sorted. */
function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const field = (value as Record<string, unknown>)[key];
    if (field !== undefined) sorted[key] = sortKeysDeep(field);
  }
  return sorted;
}

/** `-o yaml`. */
export function kubectlYaml(value: unknown): string {
  return stringify(sortKeysDeep(value), { indentSeq: false, schema: 'yaml-1.1' });
}

/** `-o json`. */
export function kubectlJson(value: unknown): string {
  return `${JSON.stringify(sortKeysDeep(value), null, 4)}\n`;
}
