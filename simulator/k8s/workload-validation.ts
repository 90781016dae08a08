/**
 * The API server's validation of every workload kind after defaulting, one model for all of them:
 * a label selector that is well formed and that the pod template's labels satisfy, a template
 * that would itself be a valid pod with the restart policies its kind allows, and the counts and
 * strategies of each kind. Sources, kubernetes at v1.33: ValidateDeploymentSpec,
 * ValidateReplicaSetSpec, ValidatePodTemplateSpecForReplicaSet, ValidateDaemonSetSpec and
 * ValidateDeploymentStrategy in pkg/apis/apps/validation/validation.go;
 * ValidateReplicationControllerSpec and ValidatePodTemplateSpecForRC in
 * pkg/apis/core/validation/validation.go; validateJobSpec in pkg/apis/batch/validation/validation.go;
 * ValidateLabelSelector in staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go.
 *
 * The kinds differ only where upstream differs: a ReplicaSet's empty selector is refused with the
 * Deployment's wording (upstream reuses it), a DaemonSet has no "Required" check of its selector
 * (a missing one converts to a selector of nothing, which no template matches), and a
 * ReplicationController's map selector has a wording of its own.
 */
import type { ApiRefusal } from './api-errors';
import { mapSelectorMatches, selectorMatches } from './metadata';
import type { ApiObject, Deployment, LabelSelector, PodSpec } from './objects';
import { podSpecCauses } from './pod-admission';

/** Go's `%#v` of a map[string]string, as a field error prints a value: keys sorted, Go-quoted. */
function goStringMap(map: Readonly<Record<string, string>> | undefined): string {
  if (map === undefined) return 'map[string]string(nil)';
  const entries = Object.keys(map)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${JSON.stringify(map[key])}`);
  return `map[string]string{${entries.join(', ')}}`;
}

/** Go's `%#v` of a v1.LabelSelector, as the "empty selector" error prints it. */
function goLabelSelector(selector: LabelSelector): string {
  const expressions =
    selector.matchExpressions === undefined
      ? '[]v1.LabelSelectorRequirement(nil)'
      : `[]v1.LabelSelectorRequirement{}`;
  return `v1.LabelSelector{MatchLabels:${goStringMap(selector.matchLabels)}, MatchExpressions:${expressions}}`;
}

const nonNegative = (path: string, value: number | undefined): string[] =>
  value !== undefined && value < 0
    ? [`${path}: Invalid value: ${value}: must be greater than or equal to 0`]
    : [];

const selectorOperators = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** ValidateLabelSelector's checks of each requirement's operator and values. */
function labelSelectorCauses(selector: LabelSelector, path: string): string[] {
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

const isEmpty = (selector: LabelSelector): boolean =>
  Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0;

/** How one kind checks its selector: whether a missing one is Required, and its empty-selector wording. */
interface SelectorRules {
  /** Whether a missing selector is reported as `spec.selector: Required value`. */
  readonly required: boolean;
  /** The kind named by "empty selector is invalid for …", or undefined when an empty one is valid. */
  readonly emptyInvalidFor?: string;
  /** Whether the template check comes before the empty-selector check (ValidateDaemonSetSpec's order). */
  readonly templateFirst?: boolean;
}

/**
 * One selector against its template's labels. A missing selector converts to one that selects
 * nothing (so the template check fails), an empty one to one that selects everything.
 */
function selectorCauses(
  selector: LabelSelector | undefined,
  labels: Readonly<Record<string, string>> | undefined,
  rules: SelectorRules,
): string[] {
  const causes: string[] = [];
  if (selector === undefined && rules.required) causes.push('spec.selector: Required value');
  if (selector !== undefined) causes.push(...labelSelectorCauses(selector, 'spec.selector'));
  const empty =
    selector !== undefined && isEmpty(selector) && rules.emptyInvalidFor !== undefined
      ? [
          `spec.selector: Invalid value: ${goLabelSelector(selector)}: empty selector is invalid for ${rules.emptyInvalidFor}`,
        ]
      : [];
  const mismatch =
    (selector === undefined || !isEmpty(selector)) && !selectorMatches(selector, labels)
      ? [
          `spec.template.metadata.labels: Invalid value: ${goStringMap(labels)}: \`selector\` does not match template \`labels\``,
        ]
      : [];
  return rules.templateFirst === true
    ? [...causes, ...mismatch, ...empty]
    : [...causes, ...empty, ...mismatch];
}

/** A template's pod spec and the restart policies its kind allows (Always when unset, after defaulting). */
function templateSpecCauses(spec: PodSpec | undefined, allowed: readonly string[]): string[] {
  const policy = (spec as { restartPolicy?: string } | undefined)?.restartPolicy ?? 'Always';
  const causes = podSpecCauses(spec, 'spec.template.spec');
  if (!allowed.includes(policy))
    causes.push(
      `spec.template.spec.restartPolicy: Unsupported value: "${policy}": supported values: ${allowed.map((value) => `"${value}"`).join(', ')}`,
    );
  return causes;
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

/** ValidateDeploymentSpec: replicas, selector and template, strategy, history and deadline. */
function deploymentCauses(deployment: Deployment): string[] {
  const spec = deployment.spec;
  const causes = [
    ...nonNegative('spec.replicas', spec.replicas),
    ...selectorCauses(spec.selector, spec.template.metadata.labels, {
      required: true,
      emptyInvalidFor: 'deployment',
    }),
    ...templateSpecCauses(spec.template.spec, ['Always']),
    ...strategyCauses(spec.strategy),
    ...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit),
  ];
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

/** The fields every workload's spec shares, read loosely: after defaulting, but from any input. */
interface WorkloadSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: { metadata?: { labels?: Record<string, string> }; spec?: PodSpec };
}

/** ValidateReplicationControllerSpec: a map selector, which defaulting filled from the template. */
function replicationControllerCauses(spec: WorkloadSpec): string[] {
  const selector = spec.selector as Readonly<Record<string, string>> | undefined;
  const labels = spec.template?.metadata?.labels;
  const causes = Object.keys(selector ?? {}).length === 0 ? ['spec.selector: Required value'] : [];
  causes.push(...nonNegative('spec.replicas', spec.replicas));
  if (selector !== undefined && Object.keys(selector).length > 0 && !mapSelectorMatches(selector, labels))
    causes.push(
      `spec.template.metadata.labels: Invalid value: ${goStringMap(labels)}: selector does not match labels in template`,
    );
  return [...causes, ...templateSpecCauses(spec.template?.spec, ['Always'])];
}

/** The field errors of one defaulted object of a workload kind, in the API server's order. */
function workloadCauses(object: ApiObject): string[] {
  if (object.kind === 'Deployment') return deploymentCauses(object);
  const spec = (object as { spec?: WorkloadSpec }).spec ?? {};
  const labels = spec.template?.metadata?.labels;
  switch (object.kind) {
    case 'ReplicaSet':
      return [
        ...nonNegative('spec.replicas', spec.replicas),
        ...selectorCauses(spec.selector, labels, { required: true, emptyInvalidFor: 'deployment' }),
        ...templateSpecCauses(spec.template?.spec, ['Always']),
      ];
    case 'DaemonSet':
      return [
        ...selectorCauses(spec.selector, labels, {
          required: false,
          emptyInvalidFor: 'daemonset',
          templateFirst: true,
        }),
        ...templateSpecCauses(spec.template?.spec, ['Always']),
      ];
    case 'ReplicationController':
      return replicationControllerCauses(spec);
    case 'Job':
      // The selector is generated unless `manualSelector` asks for the one written.
      return [
        ...selectorCauses(spec.selector, labels, { required: true }),
        ...templateSpecCauses(spec.template?.spec, ['OnFailure', 'Never']),
      ];
    default:
      return [];
  }
}

/** The API server's Invalid refusal of a defaulted workload object, or undefined when it is valid. */
export function workloadRefusal(object: ApiObject): ApiRefusal | undefined {
  const causes = workloadCauses(object);
  if (causes.length === 0) return undefined;
  return { reason: 'Invalid', kind: object.kind, name: object.metadata.name, causes };
}
