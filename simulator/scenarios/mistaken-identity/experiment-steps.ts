/**
 * The parts of seed 001's experiment that the other scenarios run again unchanged: the cluster and
 * its Cilium install, the two-by-two connectivity pairs, the cut-off and the address recycling.
 * The mutual-auth and Istio scenarios differ only in what authorises a connection, so they build
 * their steps from these and the comparison stays honest: same cluster, same recycling, same seed.
 */
import type { PodSelector, ScenarioAction, ScenarioStep } from '../types';

/** Helm values of the experiment's `helm install cilium`. */
export const experimentHelmValues: Record<string, string> = {
  'socketLB.enabled': 'false',
  'externalIPs.enabled': 'true',
  'bpf.masquerade': 'false',
  'image.pullPolicy': 'IfNotPresent',
  'ipam.mode': 'kubernetes',
  l7Proxy: 'false',
  'encryption.enabled': 'true',
  'encryption.type': 'wireguard',
};

export const helloworldV1: PodSelector = { labels: { app: 'helloworld', version: 'v1' } };
export const sleepV1: PodSelector = { labels: { app: 'sleep', version: 'v1' } };

/** Who talks to whom in the connectivity matrices, and the request each client sends. */
export const matrixPairs = {
  clients: ['sleep-v1', 'sleep-v2'],
  servers: ['helloworld-v1', 'helloworld-v2'],
  port: 5000,
  path: '/hello',
};

/** Three workers without kind's default CNI, then Cilium with the given values. */
export function clusterActions(ciliumVersion: string, values: Record<string, string>): ScenarioAction[] {
  return [
    { do: 'create-cluster', workers: 3, disableDefaultCNI: true },
    { do: 'install-cilium', version: ciliumVersion, values },
    { do: 'wait-cilium-ready' },
  ];
}

/** Applies the manifests in order and waits for every rollout. */
export function deployActions(files: readonly string[]): ScenarioAction[] {
  return [...files.map((file): ScenarioAction => ({ do: 'apply', file })), { do: 'wait-rollouts' }];
}

/** The step that drops the API server's packets on helloworld-v1's node. */
export function cutOffStep(summary: string): ScenarioStep {
  return {
    id: 'cut-off',
    title: "Cut helloworld-v1's node off from the API server",
    summary,
    actions: [{ do: 'cut-off', nodeOf: helloworldV1 }],
  };
}

/**
 * Records sleep-v1's addresses (SLEEPV1_IPs), swaps sleep-v1 for sleep-v2 and restarts sleep-v2
 * until one of its pods (SLEEPV2POD) holds a recorded address.
 */
export const recycleActions: readonly ScenarioAction[] = [
  { do: 'record-addresses', of: sleepV1, as: 'SLEEPV1_IPs' },
  { do: 'scale', deployment: 'sleep-v1', replicas: 0 },
  { do: 'scale', deployment: 'sleep-v2', replicas: 15 },
  {
    do: 'restart-until-reuse',
    deployment: 'sleep-v2',
    addresses: 'SLEEPV1_IPs',
    maxRestarts: 200,
    as: 'SLEEPV2POD',
  },
];

/** That the cut-off node still maps SLEEPV2POD's address to sleep-v1's identity. */
export const staleEntryCheck: ScenarioAction = {
  do: 'check-stale-entry',
  nodeOf: helloworldV1,
  pod: 'SLEEPV2POD',
  expectIdentity: 'SLEEPV1_ID',
};
