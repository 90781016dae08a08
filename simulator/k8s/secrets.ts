/**
 * How the API server admits a Secret (core v1), following its decoding and validation: `data`
 * values must be base64 (the JSON form of Go's []byte), `stringData` is write-only and merged over
 * `data` as UTF-8 bytes, keys must be valid config keys, the whole payload is capped at 1 MiB, and a
 * `kubernetes.io/tls` Secret must carry `tls.crt` and `tls.key`. A refusal keeps the API server's
 * reason (BadRequest for what cannot be decoded, Invalid with one cause per field) so kubectl can
 * print it the way it does for `apply` and for `create secret`.
 */
import { fromBase64, toBase64, utf8 } from '../pki/encoding';
import type { ObjectMeta, Secret } from './objects';

/** The Secret types the model gives a meaning to (any other string is stored as given). */
const secretTypeOpaque = 'Opaque';
export const secretTypeTls = 'kubernetes.io/tls';

/** The API server's limit on a Secret's data (validation.MaxSecretSize). */
const maxSecretBytes = 1024 * 1024;

const configKey = /^[-._a-zA-Z0-9]+$/;
const dnsSubdomain = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

/** Why the API server refused a Secret. */
export type SecretRefusal =
  { reason: 'BadRequest'; message: string } | { reason: 'Invalid'; name: string; causes: string[] };

/** The text of the API server's error (Go's StatusError.Error()), as `kubectl create secret` wraps it. */
export function secretRefusalText(refusal: SecretRefusal): string {
  if (refusal.reason === 'BadRequest') return refusal.message;
  const causes = refusal.causes.length === 1 ? (refusal.causes[0] ?? '') : `[${refusal.causes.join(', ')}]`;
  return `Secret "${refusal.name}" is invalid: ${causes}`;
}

/** What kubectl prints for the refusal when it reports the API error itself (`kubectl apply`). */
export function secretRefusalForKubectl(refusal: SecretRefusal): string {
  if (refusal.reason === 'BadRequest') return `Error from server (BadRequest): ${refusal.message}`;
  // kubectl's MultilineError: one cause on the same line, several as a bulleted list.
  if (refusal.causes.length === 1)
    return `The Secret "${refusal.name}" is invalid: ${refusal.causes[0] ?? ''}`;
  return `The Secret "${refusal.name}" is invalid: \n${refusal.causes.map((cause) => `* ${cause}`).join('\n')}`;
}

const undecodable = (message: string): SecretRefusal => ({
  reason: 'BadRequest',
  message: `Secret in version "v1" cannot be handled as a Secret: ${message}`,
});

/** Where Go's base64 decoder gives up on a value, as its "illegal base64 data at input byte N". */
function illegalBase64Offset(value: string): number | undefined {
  // Go's decoder skips line breaks, as a PEM-wrapped value may have them.
  const text = value.replace(/[\r\n]/g, '');
  const bad = /[^A-Za-z0-9+/=]/.exec(text);
  if (bad !== null) return bad.index;
  const padding = text.indexOf('=');
  if (padding >= 0 && !/^=*$/.test(text.slice(padding))) return padding;
  if (text.length % 4 !== 0) return text.length - (text.length % 4);
  try {
    fromBase64(text);
  } catch {
    return Math.max(0, text.length - 4);
  }
  return undefined;
}

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

/** Go's JSON type name of a value that should have been a string, for the decode error. */
function jsonTypeName(value: unknown): string {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return 'object';
}

/** Reads a string map field (`data`, `stringData`), or why it cannot be decoded. */
function stringMap(
  body: Record<string, unknown>,
  field: 'data' | 'stringData',
): Record<string, string> | SecretRefusal {
  const value = body[field];
  if (value === undefined || value === null) return {};
  const map = asRecord(value);
  const goType = field === 'data' ? 'map[string][]uint8' : 'map[string]string';
  if (map === undefined)
    return undecodable(
      `json: cannot unmarshal ${jsonTypeName(value)} into Go struct field Secret.${field} of type ${goType}`,
    );
  const result: Record<string, string> = {};
  for (const key of Object.keys(map).sort()) {
    const entry = map[key];
    if (typeof entry !== 'string')
      return undecodable(
        `json: cannot unmarshal ${jsonTypeName(entry)} into Go struct field Secret.${field} of type ${field === 'data' ? '[]uint8' : 'string'}`,
      );
    result[key] = entry;
  }
  return result;
}

const isRefusal = (value: unknown): value is SecretRefusal =>
  typeof value === 'object' && value !== null && 'reason' in value;

/** The number of bytes a base64 `data` value stands for. */
export function secretValueBytes(value: string): number {
  try {
    return fromBase64(value).length;
  } catch {
    return 0;
  }
}

/** The text a `data` value holds (certificates and keys are ASCII PEM), or '' when it is not base64. */
export function secretValueText(value: string | undefined): string {
  if (value === undefined) return '';
  try {
    let text = '';
    for (const byte of fromBase64(value)) text += String.fromCharCode(byte);
    return text;
  } catch {
    return '';
  }
}

/** base64 of a string's UTF-8 bytes, as `data` stores it. */
export function encodeSecretValue(text: string): string {
  return toBase64(utf8(text));
}

/**
 * Admits a Secret from a manifest (plain JSON): the stored object, or the API server's refusal.
 * Metadata is kept as given; the store fills in uid, resourceVersion and creationTimestamp.
 */
export function admitSecret(body: unknown): { secret: Secret } | { refusal: SecretRefusal } {
  const record = asRecord(body) ?? {};
  const metadata = (asRecord(record.metadata) ?? {}) as unknown as ObjectMeta;
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  const typeValue = record.type;
  if (typeValue !== undefined && typeValue !== null && typeof typeValue !== 'string')
    return {
      refusal: undecodable(
        `json: cannot unmarshal ${jsonTypeName(typeValue)} into Go struct field Secret.type of type v1.SecretType`,
      ),
    };
  const type = typeof typeValue === 'string' && typeValue !== '' ? typeValue : secretTypeOpaque;
  const data = stringMap(record, 'data');
  if (isRefusal(data)) return { refusal: data };
  const stringData = stringMap(record, 'stringData');
  if (isRefusal(stringData)) return { refusal: stringData };
  for (const key of Object.keys(data)) {
    const offset = illegalBase64Offset(data[key] ?? '');
    if (offset !== undefined) return { refusal: undecodable(`illegal base64 data at input byte ${offset}`) };
  }
  // The API server converts stringData into data, overwriting keys present in both.
  const merged: Record<string, string> = {};
  for (const key of Object.keys(data)) merged[key] = (data[key] ?? '').replace(/[\r\n]/g, '');
  for (const key of Object.keys(stringData)) merged[key] = encodeSecretValue(stringData[key] ?? '');
  const causes: string[] = [];
  if (name !== '' && (!dnsSubdomain.test(name) || name.length > 253))
    causes.push(
      `metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    );
  let total = 0;
  for (const key of Object.keys(merged).sort()) {
    if (!configKey.test(key))
      causes.push(
        `data[${key}]: Invalid value: "${key}": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
      );
    total += secretValueBytes(merged[key] ?? '');
  }
  if (total > maxSecretBytes) causes.push(`data: Too long: must have at most ${maxSecretBytes} bytes`);
  if (type === secretTypeTls) {
    for (const key of ['tls.crt', 'tls.key'])
      if (merged[key] === undefined) causes.push(`data[${key}]: Required value`);
  }
  if (causes.length > 0) return { refusal: { reason: 'Invalid', name, causes } };
  const secret: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { ...metadata }, type };
  if (Object.keys(merged).length > 0) secret.data = merged;
  if (typeof record.immutable === 'boolean') secret.immutable = record.immutable;
  return { secret };
}
