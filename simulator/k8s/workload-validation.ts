/**
 * The API server's validation of workload objects that kubectl reports as `The Job "pi" is
 * invalid: …` (pkg/apis/apps/validation, pkg/apis/batch/validation, pkg/apis/core/validation):
 * a selector that its template's labels must satisfy, and the restart policies each kind allows.
 */
import { mapSelectorMatches, selectorMatches } from './metadata';
import type { ApiObject, LabelSelector, PodTemplate } from './objects';
import type { ApiRefusal } from './api-errors';

/** Go's %#v of a map[string]string, as the messages print labels: keys sorted. */
function goMap(labels: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (labels === undefined) return 'map[string]string(nil)';
  return `map[string]string{${keys.map((key) => `"${key}":"${labels[key] ?? ''}"`).join(', ')}}`;
}

/** The restart policy a template ends up with after defaulting (Always when unset). */
const restartPolicyOf = (template: PodTemplate | undefined): string =>
  template?.spec?.restartPolicy ?? 'Always';

function selectorErrors(selector: LabelSelector | undefined, template: PodTemplate | undefined): string[] {
  const labels = template?.metadata?.labels;
  if (selector === undefined) {
    const errors = ['spec.selector: Required value'];
    if (labels !== undefined)
      errors.push(
        `spec.template.metadata.labels: Invalid value: ${goMap(labels)}: \`selector\` does not match template \`labels\``,
      );
    return errors;
  }
  if (!selectorMatches(selector, labels))
    return [
      `spec.template.metadata.labels: Invalid value: ${goMap(labels)}: \`selector\` does not match template \`labels\``,
    ];
  return [];
}

function restartPolicyErrors(template: PodTemplate | undefined, allowed: readonly string[]): string[] {
  const policy = restartPolicyOf(template);
  if (allowed.includes(policy)) return [];
  return [
    `spec.template.spec.restartPolicy: Unsupported value: "${policy}": supported values: ${allowed.map((value) => `"${value}"`).join(', ')}`,
  ];
}

/** The validation errors of one object, in the API server's order (empty when it is valid). */
function errorsOf(object: ApiObject): string[] {
  switch (object.kind) {
    // Deployments are validated whole after defaulting (deployment-validation.ts), with every cause.
    case 'ReplicaSet':
      return [
        ...selectorErrors(object.spec?.selector, object.spec?.template),
        ...restartPolicyErrors(object.spec?.template, ['Always']),
      ];
    case 'DaemonSet':
      return [
        ...selectorErrors(object.spec?.selector, object.spec?.template),
        ...restartPolicyErrors(object.spec?.template, ['Always']),
      ];
    case 'ReplicationController': {
      const selector = object.spec?.selector;
      const labels = object.spec?.template?.metadata?.labels;
      const errors: string[] = [];
      if (selector !== undefined && Object.keys(selector).length > 0 && !mapSelectorMatches(selector, labels))
        errors.push(
          `spec.template.metadata.labels: Invalid value: ${goMap(labels)}: selector does not match labels in template`,
        );
      return [...errors, ...restartPolicyErrors(object.spec?.template, ['Always'])];
    }
    case 'Job': {
      const selector = object.spec?.selector;
      const errors =
        object.spec?.manualSelector === true ? selectorErrors(selector, object.spec?.template) : [];
      return [...errors, ...restartPolicyErrors(object.spec?.template, ['OnFailure', 'Never'])];
    }
    default:
      return [];
  }
}

/** The API server's Invalid refusal of an object, or undefined when it is valid. */
export function workloadRefusal(object: ApiObject): ApiRefusal | undefined {
  const causes = errorsOf(object);
  if (causes.length === 0) return undefined;
  return { reason: 'Invalid', kind: object.kind, name: object.metadata.name, causes };
}
