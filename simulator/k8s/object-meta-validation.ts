/**
 * What the API server says of an object's labels and annotations, whatever its kind, as
 * ValidateObjectMeta does before the kind's own checks (k8s.io/apimachinery at v0.33.0:
 * pkg/api/validation/objectmeta.go, ValidateAnnotations; pkg/apis/meta/v1/validation, ValidateLabels;
 * the messages of pkg/util/validation, IsQualifiedName and IsValidLabelValue). Label keys and
 * annotation keys are qualified names (an annotation key is checked lowercased), and label values
 * at most 63 characters of a restricted set. Not modelled: the 256 KiB limit on all annotations.
 */
import type { ObjectMeta } from './objects';

const nameExamples =
  "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const namePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** validation.IsQualifiedName: what is wrong with a name with an optional DNS subdomain prefix. */
function qualifiedNameProblems(value: string): string[] {
  const parts = value.split('/');
  if (parts.length > 2)
    return [
      `a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character ${nameExamples} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  const name = parts.at(-1) ?? '';
  const prefix = parts.length === 2 ? (parts[0] ?? '') : undefined;
  const problems: string[] = [];
  if (prefix !== undefined) {
    if (prefix === '') problems.push('prefix part must be non-empty');
    else {
      if (prefix.length > 253) problems.push('prefix part must be no more than 253 characters');
      if (!subdomain.test(prefix))
        problems.push(
          "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        );
    }
  }
  if (name === '') problems.push('name part must be non-empty');
  else if (name.length > 63) problems.push('name part must be no more than 63 characters');
  if (name !== '' && !namePart.test(name))
    problems.push(
      `name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character ${nameExamples}`,
    );
  return problems;
}

/** validation.IsValidLabelValue (kubectl label checks values with it too). */
export function labelValueProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 63) problems.push('must be no more than 63 characters');
  if (!labelValue.test(value))
    problems.push(
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    );
  return problems;
}

/** A field.Invalid error as its Error() prints it (a string value is quoted as Go's %q does for ASCII). */
const invalid = (field: string, value: string, problem: string): string =>
  `${field}: Invalid value: ${JSON.stringify(value)}: ${problem}`;

/** The Invalid causes of an object's labels and annotations, labels first; none for valid metadata. */
export function objectMetaCauses(metadata: Pick<ObjectMeta, 'labels' | 'annotations'>): string[] {
  const causes: string[] = [];
  const labels = metadata.labels ?? {};
  for (const key in labels) {
    for (const problem of qualifiedNameProblems(key)) causes.push(invalid('metadata.labels', key, problem));
    const value = labels[key] ?? '';
    for (const problem of labelValueProblems(value)) causes.push(invalid('metadata.labels', value, problem));
  }
  for (const key in metadata.annotations ?? {})
    for (const problem of qualifiedNameProblems(key.toLowerCase()))
      causes.push(invalid('metadata.annotations', key, problem));
  return causes;
}
