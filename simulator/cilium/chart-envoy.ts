/**
 * The cilium chart's `cilium-envoy` DaemonSet (install/kubernetes/cilium/templates/cilium-envoy/
 * daemonset.yaml and serviceaccount.yaml): Envoy in its own pod on every node, beside the agent.
 * The chart renders it when the L7 proxy is on and `envoy.enabled` is true, which from 1.16 is the
 * default for a new installation (the `envoyDaemonSetEnabled` helper of _helpers.tpl; 1.14 and 1.15
 * default to false). The model runs the proxy in its Envoy model whichever pod hosts it
 * (cilium/envoy.ts); these objects are what a reader sees of it in the cluster.
 */
import type { ApiObject, DaemonSet, ObjectMeta } from '../k8s/objects';
import { parseCiliumVersion } from './config';
import { envoyImage } from './envoy-images';

/** Whether the chart renders the cilium-envoy DaemonSet for this version and these values. */
export function envoyDaemonSetEnabled(version: string, values: Readonly<Record<string, string>>): boolean {
  const minor = parseCiliumVersion(version)?.minor ?? 18;
  if (minor < 14 || values.l7Proxy === 'false') return false;
  const enabled = values['envoy.enabled'];
  return enabled === undefined ? minor >= 16 : enabled === 'true';
}

const envoyLabels = {
  'k8s-app': 'cilium-envoy',
  name: 'cilium-envoy',
  'app.kubernetes.io/name': 'cilium-envoy',
  'app.kubernetes.io/part-of': 'cilium',
};

function envoyDaemonSet(image: string, meta: (name: string) => ObjectMeta): DaemonSet {
  const metadata = meta('cilium-envoy');
  metadata.labels = { ...metadata.labels, ...envoyLabels };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata,
    spec: {
      selector: { matchLabels: { 'k8s-app': 'cilium-envoy' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2, maxSurge: 0 } },
      template: {
        metadata: { labels: { ...envoyLabels } },
        spec: {
          containers: [
            {
              name: 'cilium-envoy',
              image,
              command: ['/usr/bin/cilium-envoy-starter'],
              args: [
                '--',
                '-c /var/run/cilium/envoy/bootstrap-config.json',
                '--base-id 0',
                '--log-level info',
              ],
              imagePullPolicy: 'IfNotPresent',
            },
          ],
          restartPolicy: 'Always',
          priorityClassName: 'system-node-critical',
          serviceAccountName: 'cilium-envoy',
          terminationGracePeriodSeconds: 1,
          hostNetwork: true,
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                {
                  labelSelector: { matchLabels: { 'k8s-app': 'cilium-envoy' } },
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

/** The envoy objects the chart renders (none when it runs no cilium-envoy DaemonSet). */
export function renderEnvoyObjects(
  version: string,
  values: Readonly<Record<string, string>>,
  meta: (name: string) => ObjectMeta,
): ApiObject[] {
  const image = envoyImage(version);
  if (image === undefined || !envoyDaemonSetEnabled(version, values)) return [];
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('cilium-envoy') },
    envoyDaemonSet(image, meta),
  ];
}
