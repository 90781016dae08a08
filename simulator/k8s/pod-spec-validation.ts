/**
 * The scheduling fields of a pod spec that ValidatePodSpec checks and the scheduler reads:
 * tolerations, topology spread constraints, node affinity requirements and resource quantities
 * (validateTolerations, validateTopologySpreadConstraints, ValidateNodeSelectorRequirement and
 * ValidateResourceQuantityValue in kubernetes pkg/apis/core/validation/validation.go at v1.33).
 * Types were checked when the object was decoded (builtin-types.ts); these are the values.
 */
import type { PodSpec } from './objects';

interface SchedulingFields {
  tolerations?: {
    key?: string;
    operator?: string;
    value?: string;
    effect?: string;
    tolerationSeconds?: number;
  }[];
  topologySpreadConstraints?: { maxSkew?: number; topologyKey?: string; whenUnsatisfiable?: string }[];
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: {
        nodeSelectorTerms?: { matchExpressions?: { operator?: string; values?: string[] }[] }[];
      };
    };
  };
  containers?: {
    resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  }[];
}

const supported = (values: readonly string[]): string => values.map((value) => `"${value}"`).join(', ');
const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const scheduleActions = ['DoNotSchedule', 'ScheduleAnyway'];

function tolerationCauses(spec: SchedulingFields, path: string): string[] {
  return (spec.tolerations ?? []).flatMap((toleration, index) => {
    const at = `${path}.tolerations[${index}]`;
    const operator = toleration.operator ?? '';
    const causes: string[] = [];
    if (operator !== '' && operator !== 'Equal' && operator !== 'Exists')
      causes.push(`${at}.operator: Unsupported value: "${operator}": supported values: "Equal", "Exists"`);
    else if ((toleration.key ?? '') === '' && operator !== 'Exists')
      causes.push(
        `${at}.operator: Invalid value: "${operator}": operator must be Exists when \`key\` is empty, which means "match all values and all keys"`,
      );
    const effect = toleration.effect ?? '';
    if (effect !== '' && !taintEffects.includes(effect))
      causes.push(
        `${at}.effect: Unsupported value: "${effect}": supported values: ${supported(taintEffects)}`,
      );
    return causes;
  });
}

function spreadCauses(spec: SchedulingFields, path: string): string[] {
  return (spec.topologySpreadConstraints ?? []).flatMap((constraint, index) => {
    const at = `${path}.topologySpreadConstraints[${index}]`;
    const causes: string[] = [];
    const maxSkew = constraint.maxSkew ?? 0;
    if (maxSkew <= 0) causes.push(`${at}.maxSkew: Invalid value: ${maxSkew}: must be greater than zero`);
    if ((constraint.topologyKey ?? '') === '')
      causes.push(`${at}.topologyKey: Required value: can not be empty`);
    const action = constraint.whenUnsatisfiable ?? '';
    if (!scheduleActions.includes(action))
      causes.push(
        `${at}.whenUnsatisfiable: Unsupported value: "${action}": supported values: ${supported(scheduleActions)}`,
      );
    return causes;
  });
}

const nodeOperators = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'];

function nodeAffinityCauses(spec: SchedulingFields, path: string): string[] {
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const at = `${path}.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`;
  if (required !== undefined && (required.nodeSelectorTerms ?? []).length === 0)
    return [`${at}.nodeSelectorTerms: Required value: must have at least one node selector term`];
  return (required?.nodeSelectorTerms ?? []).flatMap((term, termIndex) =>
    (term.matchExpressions ?? []).flatMap((requirement, index) => {
      const operator = requirement.operator ?? '';
      return nodeOperators.includes(operator)
        ? []
        : [
            `${at}.nodeSelectorTerms[${termIndex}].matchExpressions[${index}].operator: Invalid value: "${operator}": not a valid selector operator`,
          ];
    }),
  );
}

function quantityCauses(spec: SchedulingFields, path: string): string[] {
  return (spec.containers ?? []).flatMap((container, index) =>
    (['requests', 'limits'] as const).flatMap((kind) =>
      Object.entries(container.resources?.[kind] ?? {}).flatMap(([name, quantity]) =>
        String(quantity).trim().startsWith('-')
          ? [
              `${path}.containers[${index}].resources.${kind}[${name}]: Invalid value: "${String(quantity)}": must be greater than or equal to 0`,
            ]
          : [],
      ),
    ),
  );
}

/** The field errors of a pod spec's scheduling fields, under the spec's path. */
export function schedulingCauses(spec: PodSpec, path: string): string[] {
  const fields = spec as SchedulingFields;
  return [
    ...quantityCauses(fields, path),
    ...nodeAffinityCauses(fields, path),
    ...tolerationCauses(fields, path),
    ...spreadCauses(fields, path),
  ];
}
