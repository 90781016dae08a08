/**
 * How the API server admits a ConfigMap (core v1): `data` values must be strings (YAML numbers and
 * booleans fail JSON decoding into map[string]string), `binaryData` values base64, every key a
 * valid config key present in only one of the two maps, and the whole payload at most 1 MiB
 * (ValidateConfigMap in kubernetes pkg/apis/core/validation/validation.go).
 *
 * Every namespace also gets a `kube-root-ca.crt` ConfigMap holding the cluster CA bundle, which the
 * root-ca-cert-publisher controller in kube-controller-manager writes (k8s/namespace-defaults.ts).
 */
import { fromBase64 } from '../pki/encoding';
import type { ApiRefusal } from './api-errors';
import type { ConfigMap, ObjectMeta } from './objects';

/** validation.MaxSecretSize, which ConfigMaps share (1 MiB). */
const maxConfigMapBytes = 1024 * 1024;

const configKey = /^[-._a-zA-Z0-9]+$/;
const dnsSubdomain = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

/** Go's JSON type name of a value that should have been a string, for the decode error. */
export function jsonTypeName(value: unknown): string {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return 'object';
}

const undecodable = (message: string): ApiRefusal => ({
  reason: 'BadRequest',
  message: `ConfigMap in version "v1" cannot be handled as a ConfigMap: ${message}`,
});

/** Reads `data` or `binaryData` as a string map, or the JSON decoding error. */
function stringMap(
  body: Record<string, unknown>,
  field: 'data' | 'binaryData',
): Map<string, string> | ApiRefusal {
  const value = body[field];
  const result = new Map<string, string>();
  if (value === undefined || value === null) return result;
  const goType = field === 'data' ? 'map[string]string' : 'map[string][]uint8';
  const map = asRecord(value);
  if (map === undefined)
    return undecodable(
      `json: cannot unmarshal ${jsonTypeName(value)} into Go struct field ConfigMap.${field} of type ${goType}`,
    );
  for (const key of Object.keys(map).sort()) {
    const entry = map[key];
    if (typeof entry !== 'string')
      return undecodable(
        `json: cannot unmarshal ${jsonTypeName(entry)} into Go struct field ConfigMap.${field} of type ${field === 'data' ? 'string' : '[]uint8'}`,
      );
    result.set(key, entry);
  }
  return result;
}

function invalidKey(field: string, key: string): string {
  return `${field}[${key}]: Invalid value: "${key}": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`;
}

/** The field errors ValidateConfigMap reports, in its order. */
function configMapCauses(name: string, data: Map<string, string>, binary: Map<string, string>): string[] {
  const causes: string[] = [];
  if (name !== '' && (!dnsSubdomain.test(name) || name.length > 253))
    causes.push(
      `metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    );
  let total = 0;
  for (const [key, value] of data) {
    if (!configKey.test(key)) causes.push(invalidKey('data', key));
    total += new TextEncoder().encode(value).length;
  }
  for (const [key, value] of binary) {
    if (!configKey.test(key)) causes.push(invalidKey('binaryData', key));
    if (data.has(key))
      causes.push(`data[${key}]: Invalid value: "${key}": duplicate of key present in binaryData`);
    total += value.length;
  }
  if (total > maxConfigMapBytes) causes.push(`data: Too long: must have at most ${maxConfigMapBytes} bytes`);
  return causes;
}

/**
 * Admits a ConfigMap from a manifest (plain JSON): the object to store, or the API server's refusal.
 * Metadata is kept as given; the store fills in uid, resourceVersion and creationTimestamp.
 */
export function admitConfigMap(body: unknown): { configMap: ConfigMap } | { refusal: ApiRefusal } {
  const record = asRecord(body) ?? {};
  const metadata = (asRecord(record.metadata) ?? {}) as unknown as ObjectMeta;
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  const data = stringMap(record, 'data');
  if (!(data instanceof Map)) return { refusal: data };
  const binary = stringMap(record, 'binaryData');
  if (!(binary instanceof Map)) return { refusal: binary };
  for (const value of binary.values()) {
    try {
      fromBase64(value);
    } catch {
      return { refusal: undecodable('illegal base64 data at input byte 0') };
    }
  }
  const immutable = record.immutable;
  if (immutable !== undefined && immutable !== null && typeof immutable !== 'boolean')
    return {
      refusal: undecodable(
        `json: cannot unmarshal ${jsonTypeName(immutable)} into Go struct field ConfigMap.immutable of type bool`,
      ),
    };
  const causes = configMapCauses(name, data, binary);
  if (causes.length > 0) return { refusal: { reason: 'Invalid', kind: 'ConfigMap', name, causes } };
  const configMap: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...metadata } };
  if (data.size > 0) configMap.data = Object.fromEntries(data);
  if (binary.size > 0) configMap.binaryData = Object.fromEntries(binary);
  if (typeof immutable === 'boolean') configMap.immutable = immutable;
  return { configMap };
}

/**
 * The refusal of an update to an immutable ConfigMap (ValidateConfigMapUpdate): once `immutable`
 * is true, neither the data nor the flag may change.
 */
export function immutableConfigMapRefusal(existing: ConfigMap, next: ConfigMap): ApiRefusal | undefined {
  if (existing.immutable !== true) return undefined;
  const causes: string[] = [];
  if (next.immutable !== true)
    causes.push('immutable: Forbidden: field is immutable when `immutable` is set');
  const same = (a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean =>
    JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b ?? {}).sort());
  if (!same(existing.data, next.data))
    causes.push('data: Forbidden: field is immutable when `immutable` is set');
  if (!same(existing.binaryData, next.binaryData))
    causes.push('binaryData: Forbidden: field is immutable when `immutable` is set');
  return causes.length === 0
    ? undefined
    : { reason: 'Invalid', kind: 'ConfigMap', name: existing.metadata.name, causes };
}
