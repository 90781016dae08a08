/**
 * The objects the cilium Helm chart renders for a version and a release's values, as the model
 * keeps them: the agents' DaemonSet `cilium`, the operator's Deployment `cilium-operator`, their
 * ServiceAccounts and RBAC, and the `cilium-config` ConfigMap (install/kubernetes/cilium/templates:
 * cilium-agent/daemonset.yaml, cilium-operator/deployment.yaml, cilium-configmap.yaml), Envoy's
 * DaemonSet (chart-envoy.ts) and Hubble Relay when enabled (chart-hubble-relay.ts). Init
 * containers, volumes, probes and the Hubble certificates are left out.
 */
import { hashString64 } from '../engine/state-hash';
import type { ApiObject, ConfigMap, DaemonSet, Deployment, ObjectMeta } from '../k8s/objects';
import { ciliumChartRbac } from './chart-rbac';
import { renderEnvoyObjects } from './chart-envoy';
import { renderCiliumConfigMap } from './chart-config';
import { renderHubbleRelay } from './chart-hubble-relay';

/** What Helm stamps on every object of a release (pkg/action setMetadataVisitor). */
function helmMetadata(
  name: string,
  namespace: string | undefined,
  release: string,
  releaseNamespace: string,
  labels: Record<string, string> = {},
): ObjectMeta {
  const metadata: ObjectMeta = {
    name,
    uid: '',
    resourceVersion: '',
    creationTimestamp: '',
    labels: { ...labels, 'app.kubernetes.io/managed-by': 'Helm' },
    annotations: { 'meta.helm.sh/release-name': release, 'meta.helm.sh/release-namespace': releaseNamespace },
  };
  if (namespace !== undefined) metadata.namespace = namespace;
  return metadata;
}

/** The chart's sha256sum of the rendered ConfigMap, for the rollOut* checksum annotations. */
function configChecksum(data: Record<string, string>): string {
  const text = JSON.stringify(data);
  return [0, 1, 2, 3].map((part) => hashString64(`${text}#${part}`)).join('');
}

const agentLabels = {
  'k8s-app': 'cilium',
  'app.kubernetes.io/part-of': 'cilium',
  'app.kubernetes.io/name': 'cilium-agent',
};
const operatorLabels = {
  'io.cilium/app': 'operator',
  name: 'cilium-operator',
  'app.kubernetes.io/part-of': 'cilium',
  'app.kubernetes.io/name': 'cilium-operator',
};

/** The agents' DaemonSet: host network, every node, rolled out two nodes at a time (updateStrategy). */
function agentDaemonSet(version: string, namespace: string, release: string, checksum?: string): DaemonSet {
  const annotations: Record<string, string> = {};
  if (checksum !== undefined) annotations['cilium.io/cilium-configmap-checksum'] = checksum;
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: helmMetadata('cilium', namespace, release, namespace, agentLabels),
    spec: {
      selector: { matchLabels: { 'k8s-app': 'cilium' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2, maxSurge: 0 } },
      template: {
        metadata: {
          ...(checksum !== undefined ? { annotations } : {}),
          labels: { ...agentLabels },
        },
        spec: {
          containers: [
            {
              name: 'cilium-agent',
              image: `quay.io/cilium/cilium:v${version}`,
              command: ['cilium-agent'],
              args: ['--config-dir=/tmp/cilium/config-map'],
              imagePullPolicy: 'IfNotPresent',
            },
          ],
          restartPolicy: 'Always',
          priorityClassName: 'system-node-critical',
          serviceAccountName: 'cilium',
          terminationGracePeriodSeconds: 1,
          hostNetwork: true,
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                {
                  labelSelector: { matchLabels: { 'k8s-app': 'cilium' } },
                  topologyKey: 'kubernetes.io/hostname',
                },
              ],
            },
          },
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          tolerations: [{ operator: 'Exists' }],
        },
      },
    },
    status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
  };
}

/** The operator's Deployment: two replicas on different nodes (operator.replicas). */
function operatorDeployment(
  version: string,
  namespace: string,
  release: string,
  replicas: number,
  checksum?: string,
): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: helmMetadata('cilium-operator', namespace, release, namespace, operatorLabels),
    spec: {
      replicas,
      selector: { matchLabels: { 'io.cilium/app': 'operator', name: 'cilium-operator' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '50%' } },
      template: {
        metadata: {
          ...(checksum !== undefined
            ? { annotations: { 'cilium.io/cilium-configmap-checksum': checksum } }
            : {}),
          labels: { ...operatorLabels },
        },
        spec: {
          containers: [
            {
              name: 'cilium-operator',
              image: `quay.io/cilium/operator-generic:v${version}`,
              command: ['cilium-operator-generic'],
              args: ['--config-dir=/tmp/cilium/config-map', '--debug=$(CILIUM_DEBUG)'],
              imagePullPolicy: 'IfNotPresent',
            },
          ],
          restartPolicy: 'Always',
          priorityClassName: 'system-cluster-critical',
          serviceAccountName: 'cilium-operator',
          hostNetwork: true,
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                {
                  labelSelector: { matchLabels: { 'io.cilium/app': 'operator' } },
                  topologyKey: 'kubernetes.io/hostname',
                },
              ],
            },
          },
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          tolerations: [{ operator: 'Exists' }],
        },
      },
    },
    status: {},
  };
}

/** Everything the chart renders for a release of this version with these (flattened) values. */
export function renderCiliumChart(
  version: string,
  values: Record<string, string>,
  release = 'cilium',
  namespace = 'kube-system',
): ApiObject[] {
  const data = renderCiliumConfigMap(version, values);
  const checksum = configChecksum(data);
  const configMap: ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: helmMetadata('cilium-config', namespace, release, namespace),
    data,
  };
  const replicas = Number(values['operator.replicas'] ?? '2');
  return [
    // ServiceAccounts, ClusterRoles, Roles and their bindings (cilium/chart-rbac.ts).
    ...ciliumChartRbac(
      (name, objectNamespace, labels) => helmMetadata(name, objectNamespace, release, namespace, labels),
      namespace,
    ),
    configMap,
    agentDaemonSet(version, namespace, release, values.rollOutCiliumPods === 'true' ? checksum : undefined),
    operatorDeployment(
      version,
      namespace,
      release,
      Number.isInteger(replicas) && replicas >= 0 ? replicas : 2,
      values['operator.rollOutPods'] === 'true' ? checksum : undefined,
    ),
    ...renderEnvoyObjects(version, values, (name) => helmMetadata(name, namespace, release, namespace)),
    ...renderHubbleRelay(version, values, namespace, (name) =>
      helmMetadata(name, namespace, release, namespace),
    ),
  ];
}
