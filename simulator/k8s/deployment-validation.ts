/**
 * The API server's validation of a Deployment after defaulting (ValidateDeploymentSpec,
 * ValidatePodTemplateSpecForReplicaSet and ValidateDeploymentStrategy in kubernetes
 * pkg/apis/apps/validation/validation.go, ValidateLabelSelector in
 * staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go, at v1.33): what
 * the Deployment and ReplicaSet controllers rely on — a selector that is not empty and matches the
 * template's labels, replica counts and strategy bounds that make sense, and a pod template that
 * would itself be a valid pod.
 */
import type { Deployment, LabelSelector } from './objects';
import { selectorMatches } from './metadata';
import { podSpecCauses } from './pod-admission';

const nonNegative = (path: string, value: number): string[] =>
  value < 0 ? [`${path}: Invalid value: ${value}: must be greater than or equal to 0`] : [];

const selectorOperators = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** ValidateLabelSelector's checks of each requirement's operator and values. */
export function labelSelectorCauses(selector: LabelSelector, path: string): string[] {
  const causes: string[] = [];
  (selector.matchExpressions ?? []).forEach((requirement, index) => {
    const at = `${path}.matchExpressions[${index}]`;
    const operator = requirement.operator as string;
    const values = requirement.values ?? [];
    if (!selectorOperators.includes(operator))
      causes.push(`${at}.operator: Invalid value: "${operator}": not a valid selector operator`);
    else if ((operator === 'In' || operator === 'NotIn') && values.length === 0)
      causes.push(`${at}.values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`);
    else if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0)
      causes.push(
        `${at}.values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`,
      );
  });
  return causes;
}

/** Go's `%#v` of a string map, as a field error prints one: keys sorted, Go-quoted. */
function goStringMap(map: Readonly<Record<string, string>> | undefined): string {
  if (map === undefined) return 'map[string]string(nil)';
  const entries = Object.keys(map)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${JSON.stringify(map[key])}`);
  return `map[string]string{${entries.join(', ')}}`;
}

const percent = /^[0-9]+%$/;

/** An int-or-percent's value for the "both zero" rule (getIntOrPercentValue). */
function intOrPercentValue(value: string | number): number {
  return typeof value === 'number' ? value : Number.parseInt(value, 10) || 0;
}

/** ValidatePositiveIntOrPercent of one rolling-update bound. */
function boundCauses(value: string | number, path: string): string[] {
  if (typeof value === 'number') return nonNegative(path, value);
  return percent.test(value)
    ? []
    : [
        `${path}: Invalid value: "${value}": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
      ];
}

function strategyCauses(strategy: Deployment['spec']['strategy']): string[] {
  const path = 'spec.strategy.rollingUpdate';
  const type = strategy.type as string;
  if (type === 'Recreate') return [];
  if (type !== 'RollingUpdate')
    return [
      `spec.strategy.type: Unsupported value: "${type}": supported values: "Recreate", "RollingUpdate"`,
    ];
  const { maxSurge, maxUnavailable } = strategy.rollingUpdate;
  const causes = [
    ...boundCauses(maxUnavailable, `${path}.maxUnavailable`),
    ...boundCauses(maxSurge, `${path}.maxSurge`),
  ];
  if (intOrPercentValue(maxUnavailable) === 0 && intOrPercentValue(maxSurge) === 0)
    causes.push(
      `${path}.maxUnavailable: Invalid value: ${JSON.stringify(maxUnavailable)}: may not be 0 when \`maxSurge\` is 0`,
    );
  if (
    typeof maxUnavailable === 'string' &&
    percent.test(maxUnavailable) &&
    intOrPercentValue(maxUnavailable) > 100
  )
    causes.push(`${path}.maxUnavailable: Invalid value: "${maxUnavailable}": must not be greater than 100%`);
  return causes;
}

/** The field errors of a defaulted Deployment, in the order the API server reports them. */
export function deploymentCauses(deployment: Deployment): string[] {
  const spec = deployment.spec;
  const causes = nonNegative('spec.replicas', spec.replicas);
  const selector = spec.selector as LabelSelector | undefined;
  if (selector === undefined)
    // A missing selector converts to one that matches nothing, so the template check fails too.
    causes.push(
      'spec.selector: Required value',
      `spec.template.metadata.labels: Invalid value: ${goStringMap(spec.template.metadata.labels)}: \`selector\` does not match template \`labels\``,
    );
  else {
    causes.push(...labelSelectorCauses(selector, 'spec.selector'));
    if (Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0)
      causes.push(
        `spec.selector: Invalid value: v1.LabelSelector{MatchLabels:${goStringMap(selector.matchLabels)}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment`,
      );
    else if (!selectorMatches(selector, spec.template.metadata.labels))
      causes.push(
        `spec.template.metadata.labels: Invalid value: ${goStringMap(spec.template.metadata.labels)}: \`selector\` does not match template \`labels\``,
      );
  }
  causes.push(...podSpecCauses(spec.template.spec, 'spec.template.spec'));
  const restartPolicy = (spec.template.spec as { restartPolicy?: string }).restartPolicy;
  if (restartPolicy !== undefined && restartPolicy !== 'Always')
    causes.push(
      `spec.template.spec.restartPolicy: Unsupported value: "${restartPolicy}": supported values: "Always"`,
    );
  causes.push(...strategyCauses(spec.strategy));
  if (spec.revisionHistoryLimit !== undefined)
    causes.push(...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  if (spec.progressDeadlineSeconds !== undefined) {
    causes.push(...nonNegative('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds));
    const minReady = (spec as { minReadySeconds?: number }).minReadySeconds ?? 0;
    if (spec.progressDeadlineSeconds <= minReady)
      causes.push(
        `spec.progressDeadlineSeconds: Invalid value: ${spec.progressDeadlineSeconds}: must be greater than minReadySeconds`,
      );
  }
  return causes;
}
