/**
 * What the API server does to a pod it is asked to create or update, whoever asks (a ReplicaSet, or
 * a reader applying a bare `kind: Pod`): the defaults the pod spec gets, the DefaultTolerationSeconds
 * admission plugin's tolerations, the ServiceAccount admission plugin's refusal when the account
 * does not exist, the basic validation of containers, and the rule that a pod's spec is immutable
 * apart from its images and a few other fields (ValidatePodCreate and ValidatePodUpdate in
 * kubernetes pkg/apis/core/validation/validation.go; plugin/pkg/admission/serviceaccount).
 */
import { getObject } from './api-store';
import type { ApiRefusal } from './api-errors';
import type { Cluster } from '../world';
import type { Container, Pod, PodSpec } from './objects';
import { schedulingCauses } from './pod-spec-validation';

/**
 * The tolerations the DefaultTolerationSeconds admission plugin adds. Shared by every pod that
 * gets them: stored objects are never mutated.
 */
const defaultTolerations: NonNullable<PodSpec['tolerations']> = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

/** A pod spec with the API server's defaults and the admission plugins' additions. */
export function withPodSpecDefaults(template: PodSpec): PodSpec {
  const spec = { ...template };
  spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
  spec.serviceAccount = spec.serviceAccountName;
  spec.terminationGracePeriodSeconds ??= 30;
  const own = spec.tolerations ?? [];
  // A toleration that already covers the taint (same key, or Exists without a key) keeps its own terms.
  const missing = defaultTolerations.filter(
    (added) =>
      !own.some(
        (toleration) =>
          (toleration.key === added.key ||
            ((toleration.key ?? '') === '' && toleration.operator === 'Exists')) &&
          ((toleration.effect ?? '') === '' || toleration.effect === added.effect),
      ),
  );
  spec.tolerations = own.length === 0 ? defaultTolerations : [...own, ...missing];
  return spec;
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const protocols = ['SCTP', 'TCP', 'UDP'];

/** A container's ports: each a number in range with a known protocol (validateContainerPorts). */
function portCauses(ports: unknown, path: string): string[] {
  if (!Array.isArray(ports)) return [];
  return ports.flatMap((value: unknown, index) => {
    const port = (value ?? {}) as { containerPort?: number; protocol?: string };
    const at = `${path}.ports[${index}]`;
    const causes: string[] = [];
    if (port.containerPort === undefined || port.containerPort === 0)
      causes.push(`${at}.containerPort: Required value`);
    else if (port.containerPort < 1 || port.containerPort > 65535)
      causes.push(
        `${at}.containerPort: Invalid value: ${port.containerPort}: must be between 1 and 65535, inclusive`,
      );
    if (port.protocol !== undefined && !protocols.includes(port.protocol))
      causes.push(
        `${at}.protocol: Unsupported value: "${port.protocol}": supported values: "SCTP", "TCP", "UDP"`,
      );
    return causes;
  });
}

function containerCauses(containers: unknown, path: string, required: boolean): string[] {
  if (!Array.isArray(containers) || containers.length === 0)
    return required ? [`${path}: Required value`] : [];
  const causes: string[] = [];
  const seen = new Set<string>();
  containers.forEach((value: unknown, index) => {
    const container = (value ?? {}) as Partial<Container>;
    const at = `${path}[${index}]`;
    const name = typeof container.name === 'string' ? container.name : '';
    if (name === '') causes.push(`${at}.name: Required value`);
    else if (!dnsLabel.test(name) || name.length > 63)
      causes.push(
        `${at}.name: Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      );
    else if (seen.has(name)) causes.push(`${at}.name: Duplicate value: "${name}"`);
    seen.add(name);
    if (typeof container.image !== 'string' || container.image.trim() === '')
      causes.push(`${at}.image: Required value`);
    causes.push(...portCauses(container.ports, at));
  });
  return causes;
}

/**
 * The field errors of a pod spec (a pod's `spec`, or a template's `spec.template.spec`): its
 * containers and init containers, named, with images and valid ports, and its scheduling fields.
 */
export function podSpecCauses(spec: PodSpec | undefined, path: string): string[] {
  return [
    ...containerCauses(spec?.containers, `${path}.containers`, true),
    ...containerCauses(spec?.initContainers, `${path}.initContainers`, false),
    ...(spec === undefined ? [] : schedulingCauses(spec, path)),
  ];
}

/**
 * Admits a pod a client creates directly: the pod to store (Pending, with defaults), or the refusal.
 * The ServiceAccount admission plugin refuses a pod whose account does not exist yet.
 */
export function admitNewPod(cluster: Cluster, pod: Pod): { pod: Pod } | { refusal: ApiRefusal } {
  const name = pod.metadata.name;
  const causes = podSpecCauses(pod.spec, 'spec');
  if (causes.length > 0) return { refusal: { reason: 'Invalid', kind: 'Pod', name, causes } };
  const spec = withPodSpecDefaults(pod.spec);
  const namespace = pod.metadata.namespace ?? 'default';
  const account = spec.serviceAccountName ?? 'default';
  if (getObject(cluster.api, 'ServiceAccount', `${namespace}/${account}`) === undefined)
    return {
      refusal: {
        reason: 'Forbidden',
        message: `pods "${name}" is forbidden: error looking up service account ${namespace}/${account}: serviceaccount "${account}" not found`,
      },
    };
  // Whatever status a manifest carries is ignored on create: the kubelet reports the real one.
  return { pod: { ...pod, spec, status: { phase: 'Pending' } } };
}

/** The fields of a container an update may change (its image); everything else must stay. */
function withoutImages(containers: readonly Container[] | undefined): string {
  return JSON.stringify((containers ?? []).map((container) => ({ ...container, image: '' })));
}

const forbiddenPodUpdate =
  'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/**
 * Containers of an update merged over the stored ones by name, as kubectl apply's strategic merge
 * does: a container the manifest does not name (Istio's injected istio-proxy) stays as it is.
 */
function mergeContainers(
  stored: readonly Container[] | undefined,
  requested: readonly Container[] | undefined,
): Container[] | undefined {
  if (requested === undefined) return stored === undefined ? undefined : [...stored];
  const merged = (stored ?? []).map((container) => {
    const update = requested.find((candidate) => candidate.name === container.name);
    return update === undefined ? container : { ...container, ...update };
  });
  for (const container of requested)
    if (!merged.some((candidate) => candidate.name === container.name)) merged.push(container);
  return merged;
}

/**
 * Applies an update to a stored pod: labels, annotations and images may change and tolerations may
 * be added; the rest of the spec is immutable. The server-set fields (node, status) stay. Real
 * kubectl follows the refusal with a diff of the two specs, which the model leaves out.
 */
export function updatePod(existing: Pod, next: Pod): { pod: Pod } | { refusal: ApiRefusal } {
  const requested = withPodSpecDefaults(next.spec);
  const containers = mergeContainers(existing.spec.containers, requested.containers) ?? [];
  const initContainers = mergeContainers(existing.spec.initContainers, requested.initContainers);
  const refused = {
    refusal: {
      reason: 'Invalid' as const,
      kind: 'Pod',
      name: existing.metadata.name,
      causes: [forbiddenPodUpdate],
    },
  };
  if (
    withoutImages(containers) !== withoutImages(existing.spec.containers) ||
    withoutImages(initContainers) !== withoutImages(existing.spec.initContainers)
  )
    return refused;
  const tolerations = requested.tolerations ?? [];
  const keptTolerations = (existing.spec.tolerations ?? []).every((old) =>
    tolerations.some((toleration) => JSON.stringify(sortKeys(toleration)) === JSON.stringify(sortKeys(old))),
  );
  // Everything but the fields compared above (containers, tolerations) and the node, which is set once.
  const comparable = (spec: PodSpec): string => {
    const rest: Record<string, unknown> = { ...spec };
    for (const field of ['containers', 'initContainers', 'tolerations', 'nodeName']) delete rest[field];
    return JSON.stringify(sortKeys(rest));
  };
  const movedNode = requested.nodeName !== undefined && requested.nodeName !== existing.spec.nodeName;
  if (
    !keptTolerations ||
    movedNode ||
    comparable({ ...existing.spec, ...requested }) !== comparable(existing.spec)
  )
    return refused;
  const spec: PodSpec = { ...existing.spec, containers, tolerations };
  if (initContainers !== undefined) spec.initContainers = initContainers;
  return { pod: { ...existing, metadata: next.metadata, spec } };
}

function sortKeys(value: object): Record<string, unknown> {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const field = (value as Record<string, unknown>)[key];
    if (field !== undefined) sorted[key] = field;
  }
  return sorted;
}
