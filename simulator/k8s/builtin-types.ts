/**
 * The Go types of the built-in kinds whose fields the model reads (k8s.io/api core/v1 and apps/v1,
 * k8s.io/apimachinery meta/v1, at v0.33), as go-json-decoding.ts decodes them. Only the fields the
 * model reads are typed; the rest are kept as written. Types keep Go's names, which the API
 * server's decoding errors print (`v1.PodSpec`, `v1.Protocol`).
 */
import { decodeGoValue, GoDecodeError, type GoType } from './go-json-decoding';
import type { ApiRefusal } from './api-errors';
import type { ApiObject } from './objects';

const string: GoType = { kind: 'string' };
const int32: GoType = { kind: 'int', bits: 32 };
const int64: GoType = { kind: 'int', bits: 64 };
const bool: GoType = { kind: 'bool' };
const named = (name: string): GoType => ({ kind: 'string', name });
const sliceOf = (elem: GoType): GoType => ({ kind: 'slice', elem });
const mapOf = (elem: GoType): GoType => ({ kind: 'map', elem });
const struct = (name: string, fields: Record<string, GoType>): GoType => ({ kind: 'struct', name, fields });

const ownerReference = struct('v1.OwnerReference', {
  apiVersion: string,
  kind: string,
  name: string,
  uid: named('types.UID'),
  controller: bool,
  blockOwnerDeletion: bool,
});

const objectMeta = struct('v1.ObjectMeta', {
  name: string,
  generateName: string,
  namespace: string,
  uid: named('types.UID'),
  resourceVersion: string,
  generation: int64,
  deletionGracePeriodSeconds: int64,
  // `json:"labels,omitempty"` and `json:"annotations,omitempty"`: removing the last one leaves no key.
  labels: { kind: 'map', elem: string, omitEmpty: true },
  annotations: { kind: 'map', elem: string, omitEmpty: true },
  ownerReferences: sliceOf(ownerReference),
  finalizers: sliceOf(string),
});

const labelSelector = struct('v1.LabelSelector', {
  matchLabels: mapOf(string),
  matchExpressions: sliceOf(
    struct('v1.LabelSelectorRequirement', {
      key: string,
      operator: named('v1.LabelSelectorOperator'),
      values: sliceOf(string),
    }),
  ),
});

const containerPort = struct('v1.ContainerPort', {
  name: string,
  hostPort: int32,
  containerPort: int32,
  protocol: named('v1.Protocol'),
  hostIP: string,
});

const resourceList = mapOf({ kind: 'quantity' });

const container = struct('v1.Container', {
  name: string,
  image: string,
  command: sliceOf(string),
  args: sliceOf(string),
  workingDir: string,
  ports: sliceOf(containerPort),
  env: sliceOf(struct('v1.EnvVar', { name: string, value: string })),
  resources: struct('v1.ResourceRequirements', { limits: resourceList, requests: resourceList }),
  imagePullPolicy: named('v1.PullPolicy'),
  stdin: bool,
  tty: bool,
});

const nodeSelectorTerm = struct('v1.NodeSelectorTerm', {
  matchExpressions: sliceOf(
    struct('v1.NodeSelectorRequirement', {
      key: string,
      operator: named('v1.NodeSelectorOperator'),
      values: sliceOf(string),
    }),
  ),
  matchFields: sliceOf(
    struct('v1.NodeSelectorRequirement', {
      key: string,
      operator: named('v1.NodeSelectorOperator'),
      values: sliceOf(string),
    }),
  ),
});

const podAffinityTerm = struct('v1.PodAffinityTerm', {
  labelSelector,
  namespaces: sliceOf(string),
  topologyKey: string,
  namespaceSelector: labelSelector,
});

const weightedPodAffinityTerm = struct('v1.WeightedPodAffinityTerm', {
  weight: int32,
  podAffinityTerm,
});

const podAffinity = (name: string): GoType =>
  struct(name, {
    requiredDuringSchedulingIgnoredDuringExecution: sliceOf(podAffinityTerm),
    preferredDuringSchedulingIgnoredDuringExecution: sliceOf(weightedPodAffinityTerm),
  });

const affinity = struct('v1.Affinity', {
  nodeAffinity: struct('v1.NodeAffinity', {
    requiredDuringSchedulingIgnoredDuringExecution: struct('v1.NodeSelector', {
      nodeSelectorTerms: sliceOf(nodeSelectorTerm),
    }),
    preferredDuringSchedulingIgnoredDuringExecution: sliceOf(
      struct('v1.PreferredSchedulingTerm', { weight: int32, preference: nodeSelectorTerm }),
    ),
  }),
  podAffinity: podAffinity('v1.PodAffinity'),
  podAntiAffinity: podAffinity('v1.PodAntiAffinity'),
});

const toleration = struct('v1.Toleration', {
  key: string,
  operator: named('v1.TolerationOperator'),
  value: string,
  effect: named('v1.TaintEffect'),
  tolerationSeconds: int64,
});

const topologySpreadConstraint = struct('v1.TopologySpreadConstraint', {
  maxSkew: int32,
  topologyKey: string,
  whenUnsatisfiable: named('v1.UnsatisfiableConstraintAction'),
  labelSelector,
  minDomains: int32,
  matchLabelKeys: sliceOf(string),
});

const podSpec = struct('v1.PodSpec', {
  initContainers: sliceOf(container),
  containers: sliceOf(container),
  restartPolicy: named('v1.RestartPolicy'),
  terminationGracePeriodSeconds: int64,
  activeDeadlineSeconds: int64,
  dnsPolicy: named('v1.DNSPolicy'),
  nodeSelector: mapOf(string),
  serviceAccountName: string,
  serviceAccount: string,
  automountServiceAccountToken: bool,
  nodeName: string,
  hostNetwork: bool,
  hostPID: bool,
  hostIPC: bool,
  hostname: string,
  subdomain: string,
  affinity,
  schedulerName: string,
  tolerations: sliceOf(toleration),
  priorityClassName: string,
  priority: int32,
  topologySpreadConstraints: sliceOf(topologySpreadConstraint),
});

const podTemplateSpec = struct('v1.PodTemplateSpec', { metadata: objectMeta, spec: podSpec });

const typeMeta = { apiVersion: string, kind: string };

/** The Go types of the kinds the API server decodes before the model reads them. */
export const builtinTypes: Readonly<Record<string, GoType>> = {
  Pod: struct('v1.Pod', { ...typeMeta, metadata: objectMeta, spec: podSpec }),
  Deployment: struct('v1.Deployment', {
    ...typeMeta,
    metadata: objectMeta,
    spec: struct('v1.DeploymentSpec', {
      replicas: int32,
      selector: labelSelector,
      template: podTemplateSpec,
      strategy: struct('v1.DeploymentStrategy', {
        type: named('v1.DeploymentStrategyType'),
        rollingUpdate: struct('v1.RollingUpdateDeployment', {
          maxUnavailable: { kind: 'intOrString' },
          maxSurge: { kind: 'intOrString' },
        }),
      }),
      minReadySeconds: int32,
      revisionHistoryLimit: int32,
      paused: bool,
      progressDeadlineSeconds: int32,
    }),
  }),
  Service: struct('v1.Service', {
    ...typeMeta,
    metadata: objectMeta,
    spec: struct('v1.ServiceSpec', {
      ports: sliceOf(
        struct('v1.ServicePort', {
          name: string,
          protocol: named('v1.Protocol'),
          appProtocol: string,
          port: int32,
          targetPort: { kind: 'intOrString' },
          nodePort: int32,
        }),
      ),
      selector: mapOf(string),
      clusterIP: string,
      clusterIPs: sliceOf(string),
      type: named('v1.ServiceType'),
      externalIPs: sliceOf(string),
      sessionAffinity: named('v1.ServiceAffinity'),
      loadBalancerIP: string,
      externalName: string,
      externalTrafficPolicy: named('v1.ServiceExternalTrafficPolicy'),
      healthCheckNodePort: int32,
      publishNotReadyAddresses: bool,
      allocateLoadBalancerNodePorts: bool,
      internalTrafficPolicy: named('v1.ServiceInternalTrafficPolicy'),
    }),
  }),
  Namespace: struct('v1.Namespace', {
    ...typeMeta,
    metadata: objectMeta,
    spec: struct('v1.NamespaceSpec', { finalizers: sliceOf(named('v1.FinalizerName')) }),
  }),
  ServiceAccount: struct('v1.ServiceAccount', {
    ...typeMeta,
    metadata: objectMeta,
    automountServiceAccountToken: bool,
  }),
};

/**
 * Decodes an object of a built-in kind as the API server does before defaulting and validation:
 * the object as stored from here on, or the BadRequest refusal
 * (`Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal …`).
 * Kinds without a type here pass unchanged.
 */
/** Every other kind's metadata is an ObjectMeta all the same; the rest is kept as written. */
const metadataOnlyTypes = new Map<string, GoType>();
function metadataOnly(kind: string): GoType {
  let type = metadataOnlyTypes.get(kind);
  if (type === undefined) {
    type = struct(`v1.${kind}`, { metadata: objectMeta });
    metadataOnlyTypes.set(kind, type);
  }
  return type;
}

export function decodeBuiltinObject(object: ApiObject): { object: ApiObject } | { refusal: ApiRefusal } {
  const type = builtinTypes[object.kind] ?? metadataOnly(object.kind);
  try {
    return { object: decodeGoValue(object, type, { struct: object.kind, path: [] }) as ApiObject };
  } catch (error) {
    if (!(error instanceof GoDecodeError)) throw error;
    const apiVersion = (object as { apiVersion?: unknown }).apiVersion;
    const version = typeof apiVersion === 'string' ? apiVersion.replace(/^.*\//, '') : '';
    return {
      refusal: {
        reason: 'BadRequest',
        message: `${object.kind} in version "${version}" cannot be handled as a ${object.kind}: ${error.message}`,
      },
    };
  }
}
