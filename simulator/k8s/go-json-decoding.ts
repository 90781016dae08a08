/**
 * The API server decodes every object it is sent into its Go type before anything else reads it
 * (encoding/json, through sigs.k8s.io/json): a value of the wrong JSON type ends the request with
 * `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`,
 * an integer out of its Go type's range likewise, and a `null` leaves the field at its zero value.
 * This module models that decoding for the Go types the model reads (builtin-types.ts); a field the
 * model does not type is kept as written, as it does not read it.
 *
 * The message follows encoding/json's UnmarshalTypeError at Go 1.24: the JSON value's type (with
 * the literal for a number that does not fit), the innermost struct's name, the field's path from
 * the object's root without list indexes or map keys, and the Go type's name.
 */

/** A Go type, as far as decoding JSON into it goes. */
export type GoType =
  | { readonly kind: 'string'; readonly name?: string }
  | { readonly kind: 'int'; readonly bits: 32 | 64 }
  | { readonly kind: 'bool' }
  | { readonly kind: 'struct'; readonly name: string; readonly fields: Readonly<Record<string, GoType>> }
  | { readonly kind: 'slice'; readonly elem: GoType }
  /** `omitEmpty`: the field's json tag has omitempty, so an empty map is not stored (nor shown). */
  | { readonly kind: 'map'; readonly elem: GoType; readonly omitEmpty?: boolean }
  /** intstr.IntOrString: a JSON string, or an int32. */
  | { readonly kind: 'intOrString' }
  /** resource.Quantity: a string or number in Kubernetes' quantity syntax. */
  | { readonly kind: 'quantity' }
  /** A field the model does not read: kept as written. */
  | { readonly kind: 'any' };

/** Go's `reflect.Type.String()` of a type, as the error names it (`[]v1.Container`, `int32`). */
function goTypeName(type: GoType): string {
  switch (type.kind) {
    case 'string':
      return type.name ?? 'string';
    case 'int':
      return `int${type.bits}`;
    case 'bool':
      return 'bool';
    case 'struct':
      return type.name;
    case 'slice':
      return `[]${goTypeName(type.elem)}`;
    case 'map':
      return `map[string]${goTypeName(type.elem)}`;
    case 'intOrString':
      return 'intstr.IntOrString';
    case 'quantity':
      return 'resource.Quantity';
    case 'any':
      return 'interface {}';
  }
}

/** What encoding/json calls a JSON value in its errors. */
function jsonValueName(value: unknown): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'array';
  return 'object';
}

/** The quantity syntax of k8s.io/apimachinery/pkg/api/resource (ParseQuantity). */
const quantityPattern = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const quantityError =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** Why decoding stopped: a message as the API server words it. */
export class GoDecodeError extends Error {}

/** Where the decoder is: the innermost struct's name and the field path from the root. */
interface DecodeContext {
  readonly struct: string;
  readonly path: readonly string[];
}

function typeError(value: unknown, context: DecodeContext, type: GoType, literal = false): GoDecodeError {
  const shown = literal ? `number ${String(value)}` : jsonValueName(value);
  const where =
    context.path.length > 0 ? `Go struct field ${context.struct}.${context.path.join('.')}` : 'Go value';
  return new GoDecodeError(`json: cannot unmarshal ${shown} into ${where} of type ${goTypeName(type)}`);
}

/** The zero value a `null` leaves: absent for fields, an empty item inside a list. */
function zeroValue(type: GoType): unknown {
  switch (type.kind) {
    case 'string':
      return '';
    case 'int':
      return 0;
    case 'bool':
      return false;
    case 'struct':
      return {};
    default:
      return undefined;
  }
}

function decodeInteger(
  value: unknown,
  type: Extract<GoType, { kind: 'int' }>,
  context: DecodeContext,
): number {
  if (typeof value !== 'number') throw typeError(value, context, type);
  const limit = 2 ** (type.bits - 1);
  if (!Number.isInteger(value) || value < -limit || value >= limit)
    throw typeError(value, context, type, true);
  return value;
}

function isEmptyRecord(value: unknown): boolean {
  for (const key in value as Record<string, unknown>) if (Object.hasOwn(value as object, key)) return false;
  return true;
}

function decodeStruct(
  value: unknown,
  type: Extract<GoType, { kind: 'struct' }>,
  context: DecodeContext,
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw typeError(value, context, type);
  const decoded: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    const fieldType = type.fields[key];
    if (fieldType === undefined) {
      decoded[key] = field;
      continue;
    }
    if (field === null) continue;
    const result = decodeGoValue(field, fieldType, {
      struct: type.name.replace(/^.*\./, ''),
      path: [...context.path, key],
    });
    if (result === undefined) continue;
    // Stored objects are encoded again: an empty map of an omitempty field leaves nothing.
    if (fieldType.kind === 'map' && fieldType.omitEmpty === true && isEmptyRecord(result)) continue;
    decoded[key] = result;
  }
  return decoded;
}

/**
 * Decodes a JSON value into a Go type: returns the value as the API server would store it (nulls
 * gone, kept values unchanged), or throws a GoDecodeError with the API server's message.
 */
export function decodeGoValue(value: unknown, type: GoType, context: DecodeContext): unknown {
  switch (type.kind) {
    case 'any':
      return value;
    case 'string':
      if (typeof value !== 'string') throw typeError(value, context, type);
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw typeError(value, context, type);
      return value;
    case 'int':
      return decodeInteger(value, type, context);
    case 'intOrString':
      // IntOrString's UnmarshalJSON decodes anything but a string as an int32.
      return typeof value === 'string' ? value : decodeInteger(value, { kind: 'int', bits: 32 }, context);
    case 'quantity':
      if (
        (typeof value !== 'string' && typeof value !== 'number') ||
        !quantityPattern.test(String(value).trim())
      )
        throw new GoDecodeError(quantityError);
      return value;
    case 'struct':
      return decodeStruct(value, type, context);
    case 'slice': {
      if (!Array.isArray(value)) throw typeError(value, context, type);
      return value.map((item: unknown) =>
        item === null ? zeroValue(type.elem) : decodeGoValue(item, type.elem, context),
      );
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw typeError(value, context, type);
      const decoded: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value as Record<string, unknown>))
        decoded[key] = item === null ? zeroValue(type.elem) : decodeGoValue(item, type.elem, context);
      return decoded;
    }
  }
}
