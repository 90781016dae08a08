/**
 * `kubectl get --sort-by=FIELD`: orders the listed objects by the value a JSONPath selects, as
 * kubectl's SortingPrinter does (k8s.io/kubectl/pkg/cmd/get/sorter.go and customcolumn.go's
 * RelaxedJSONPathExpression at v1.33.0): `.a.b`, `a.b`, `{.a.b}` and `{a.b}` all mean `{.a.b}`;
 * numbers compare as numbers, strings that both parse as quantities (`100m`, `1Gi`) as quantities
 * and other strings in natural order (`pod-2` before `pod-10`), objects without the field come
 * first, and a field no object has is an error.
 */
import { jsonPathValues } from './jsonpath';

/** The relaxed path kubectl accepts, rewritten as a JSONPath template, or kubectl's error. */
function relaxedJsonPath(field: string): string | { error: string } {
  if (field === '') return field;
  const match = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/.exec(field);
  if (match === null)
    return {
      error:
        "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'",
    };
  return `{.${match[1] ?? match[2] ?? ''}}`;
}

/** Binary and decimal suffixes of a Kubernetes quantity (apimachinery resource/suffix.go). */
const quantitySuffixes: Readonly<Record<string, number>> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A string's value as a quantity (`250m` → 0.25), or undefined when it is not one. */
function quantityValue(text: string): number | undefined {
  const match = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(e[+-]?\d+)|([numkMGTPE]|[KMGTPE]i))?$/i.exec(text);
  if (match === null) return undefined;
  const [, number = '', exponent, suffix = ''] = match;
  const scale = quantitySuffixes[suffix];
  if (exponent === undefined && scale === undefined) return undefined;
  return Number(`${number}${exponent ?? ''}`) * (scale ?? 1);
}

/** fvbommel/sortorder's NaturalLess: runs of digits compare by their number, the rest by bytes. */
export function naturalLess(a: string, b: string): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const digitA = /\d/.test(a[i] ?? '');
    const digitB = /\d/.test(b[j] ?? '');
    if (digitA && digitB) {
      const runA = /^\d+/.exec(a.slice(i))?.[0] ?? '';
      const runB = /^\d+/.exec(b.slice(j))?.[0] ?? '';
      const trimmedA = runA.replace(/^0+/, '');
      const trimmedB = runB.replace(/^0+/, '');
      if (trimmedA.length !== trimmedB.length) return trimmedA.length < trimmedB.length;
      if (trimmedA !== trimmedB) return trimmedA < trimmedB;
      // The same number: fewer leading zeros first.
      if (runA.length !== runB.length) return runA.length < runB.length;
      i += runA.length;
      j += runB.length;
      continue;
    }
    if (a[i] !== b[j]) return (a[i] ?? '') < (b[j] ?? '');
    i += 1;
    j += 1;
  }
  return a.length - i < b.length - j;
}

/** Go's name for a decoded JSON value's type, as kubectl's unsortable-type error prints it. */
function goTypeName(value: unknown): string {
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** sorter.go's isLess for two decoded JSON values, or the type that cannot be ordered. */
function isLess(a: unknown, b: unknown): boolean | { unsortable: string } {
  if (typeof a === 'number' && typeof b === 'number') return a < b;
  if (typeof a === 'string' && typeof b === 'string') {
    const quantityA = quantityValue(a);
    const quantityB = quantityValue(b);
    if (quantityA !== undefined && quantityB !== undefined) return quantityA < quantityB;
    return naturalLess(a, b);
  }
  if (typeof a === 'number' || typeof a === 'string') return false;
  return { unsortable: goTypeName(a) };
}

/**
 * The objects in kubectl's order for `--sort-by`, or kubectl's error. A table of one row is not
 * sorted at all, so a missing field only fails a listing of several (sorter.go PrintObj).
 */
export function sortByField<T>(
  objects: readonly T[],
  field: string,
  table: boolean,
): T[] | { error: string } {
  if (field === '' || objects.length === 0 || (table && objects.length < 2)) return [...objects];
  const path = relaxedJsonPath(field);
  if (typeof path !== 'string') return { error: `error: ${path.error}` };
  const keyed: { object: T; value: unknown; found: boolean }[] = [];
  for (const object of objects) {
    const values = jsonPathValues(path, object);
    if (!Array.isArray(values)) return { error: `error: sorting error: ${values.error}` };
    keyed.push({ object, value: values[0], found: values.length > 0 && values[0] !== undefined });
  }
  if (!keyed.some((entry) => entry.found))
    return { error: `error: couldn't find any field with path "${path}" in the list of objects` };
  let unsortable: string | undefined;
  // A stable sort: Go's sort.Sort is not, but ties keep the API server's order here.
  const sorted = keyed.sort((first, second) => {
    if (!first.found || !second.found) return Number(first.found) - Number(second.found);
    const less = isLess(first.value, second.value);
    const greater = isLess(second.value, first.value);
    if (typeof less === 'object') unsortable ??= less.unsortable;
    if (typeof greater === 'object') unsortable ??= greater.unsortable;
    return less === true ? -1 : greater === true ? 1 : 0;
  });
  if (unsortable !== undefined)
    return {
      error: `error: Field ${path} is an unsortable type: interface, err: unsortable type: ${unsortable}`,
    };
  return sorted.map((entry) => entry.object);
}
