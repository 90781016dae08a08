/**
 * Hubble Relay as the cilium chart renders it when `hubble.relay.enabled` is true (and Hubble
 * itself is not switched off): its ServiceAccount, the `hubble-relay-config` ConfigMap, the
 * `hubble-relay` Deployment and its ClusterIP Service, after install/kubernetes/cilium/templates/
 * hubble-relay/{serviceaccount,configmap,deployment,service}.yaml and values.yaml at v1.18.5
 * (one replica, gRPC on port 4245 behind Service port 80 while the relay's own server TLS is off,
 * required pod affinity to a node running a cilium agent). `cilium hubble enable` turns it on with a
 * Helm upgrade (terminal/cilium-hubble.ts). As for the agents, volumes, probes and the Hubble TLS
 * certificates are left out, and so is the `hubble-peer` Service the chart renders whenever Hubble
 * is on: the model's relay asks each node's agent directly (terminal/hubble-relay.ts).
 */
import type { ApiObject, ConfigMap, Deployment, ObjectMeta, Service } from '../k8s/objects';

/** The relay's gRPC port (hubble.relay.listenPort) and the Service port in front of it. */
export const relayListenPort = 4245;
const relayServicePort = 80;

const relayLabels = {
  'k8s-app': 'hubble-relay',
  'app.kubernetes.io/name': 'hubble-relay',
  'app.kubernetes.io/part-of': 'cilium',
};

/** Whether the chart renders Hubble Relay for these (flattened) values. */
function hubbleRelayEnabled(values: Readonly<Record<string, string>>): boolean {
  return values['hubble.enabled'] !== 'false' && values['hubble.relay.enabled'] === 'true';
}

function relayConfig(values: Readonly<Record<string, string>>, namespace: string): string {
  return [
    `cluster-name: ${values['cluster.name'] ?? 'default'}`,
    `peer-service: "hubble-peer.${namespace}.svc.cluster.local.:443"`,
    `listen-address: :${relayListenPort}`,
    'gops: true',
    'gops-port: "9893"',
    'dial-timeout: ',
    'retry-timeout: ',
    'sort-buffer-len-max: ',
    'sort-buffer-drain-timeout: ',
    'tls-hubble-client-cert-file: /var/lib/hubble-relay/tls/client.crt',
    'tls-hubble-client-key-file: /var/lib/hubble-relay/tls/client.key',
    'tls-hubble-server-ca-files: /var/lib/hubble-relay/tls/hubble-server-ca.crt',
    'disable-server-tls: true',
    '',
  ].join('\n');
}

function relayDeployment(version: string, metadata: ObjectMeta): Deployment {
  metadata.labels = { ...metadata.labels, ...relayLabels };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: 1,
      selector: { matchLabels: { 'k8s-app': 'hubble-relay' } },
      // The chart sets maxUnavailable; the API server defaults maxSurge.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: {
        metadata: { labels: { ...relayLabels } },
        spec: {
          containers: [
            {
              name: 'hubble-relay',
              image: `quay.io/cilium/hubble-relay:v${version}`,
              command: ['hubble-relay'],
              args: ['serve'],
              ports: [{ name: 'grpc', containerPort: relayListenPort }],
              imagePullPolicy: 'IfNotPresent',
            },
          ],
          restartPolicy: 'Always',
          serviceAccountName: 'hubble-relay',
          terminationGracePeriodSeconds: 1,
          affinity: {
            podAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                {
                  labelSelector: { matchLabels: { 'k8s-app': 'cilium' } },
                  topologyKey: 'kubernetes.io/hostname',
                },
              ],
            },
          },
          nodeSelector: { 'kubernetes.io/os': 'linux' },
        },
      },
    },
    status: {},
  };
}

function relayService(metadata: ObjectMeta): Service {
  metadata.labels = { ...metadata.labels, ...relayLabels };
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      type: 'ClusterIP',
      clusterIP: '',
      clusterIPs: [],
      selector: { 'k8s-app': 'hubble-relay' },
      ports: [{ port: relayServicePort, targetPort: relayListenPort, protocol: 'TCP' }],
    },
    status: {},
  };
}

/** The relay's objects for a release, or none when the values leave it off. */
export function renderHubbleRelay(
  version: string,
  values: Readonly<Record<string, string>>,
  namespace: string,
  meta: (name: string) => ObjectMeta,
): ApiObject[] {
  if (!hubbleRelayEnabled(values)) return [];
  const configMap: ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta('hubble-relay-config'),
    data: { 'config.yaml': relayConfig(values, namespace) },
  };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('hubble-relay') },
    configMap,
    relayService(meta('hubble-relay')),
    relayDeployment(version, meta('hubble-relay')),
  ];
}
