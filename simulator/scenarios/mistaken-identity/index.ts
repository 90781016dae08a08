/**
 * The mistaken-identity experiment (seed 001): Cilium 1.12 with WireGuard on a four-node kind
 * cluster, two L4 policies, a node cut off from the API server, and pods recycled until a sleep-v2
 * pod inherits a sleep-v1 address that the cut-off node still maps to sleep-v1's identity.
 */
import type { Scenario } from '../types';
import { helloworldYaml } from './helloworld.yaml';
import { policyV1Yaml, policyV2Yaml } from './policies';
import { runTestScript } from './run-test.sh';
import { sleepYaml } from './sleep.yaml';

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

const helloworldV1 = { labels: { app: 'helloworld', version: 'v1' } };
const sleepV1 = { labels: { app: 'sleep', version: 'v1' } };

export const mistakenIdentity: Scenario = {
  id: 'mistaken-identity',
  title: 'Mistaken identity: a stale ipcache lets the wrong client in',
  summary:
    'A node cut off from the API server keeps mapping recycled pod addresses to the identities of pods that are gone, and an L4 policy admits the wrong client.',
  defaultSeed: 1,
  files: {
    'yamls/helloworld.yaml': helloworldYaml,
    'yamls/sleep.yaml': sleepYaml,
    'yamls/policy-v1.yaml': policyV1Yaml,
    'yamls/policy-v2.yaml': policyV2Yaml,
    'run-test.sh': runTestScript,
  },
  steps: [
    {
      id: 'cluster',
      title: 'Create the cluster and install Cilium 1.12 with WireGuard',
      summary:
        'A kind cluster with three workers and no default CNI, then Cilium 1.12.0 with pod-to-pod WireGuard encryption.',
      actions: [
        { do: 'create-cluster', workers: 3, disableDefaultCNI: true },
        { do: 'install-cilium', version: '1.12.0', values: experimentHelmValues },
        { do: 'wait-cilium-ready' },
      ],
    },
    {
      id: 'deploy',
      title: 'Deploy helloworld and sleep, v1 and v2, and the two L4 policies',
      summary:
        'Each helloworld version admits only the sleep version with the same number, by service account.',
      actions: [
        { do: 'apply', file: 'yamls/helloworld.yaml' },
        { do: 'apply', file: 'yamls/sleep.yaml' },
        { do: 'apply', file: 'yamls/policy-v1.yaml' },
        { do: 'apply', file: 'yamls/policy-v2.yaml' },
        { do: 'wait-rollouts' },
      ],
    },
    {
      id: 'matrix',
      title: 'Check that v1 talks only to v1 and v2 only to v2',
      summary: 'Every client tries every server; the policies let only the matching pairs through.',
      actions: [
        {
          do: 'connectivity-matrix',
          clients: ['sleep-v1', 'sleep-v2'],
          servers: ['helloworld-v1', 'helloworld-v2'],
          port: 5000,
          path: '/hello',
          timeoutMs: 2000,
          expect: {
            'sleep-v1 -> helloworld-v1': 'success',
            'sleep-v1 -> helloworld-v2': 'failure',
            'sleep-v2 -> helloworld-v1': 'failure',
            'sleep-v2 -> helloworld-v2': 'success',
          },
        },
      ],
    },
    {
      id: 'inspect',
      title: "Inspect the ipcache of helloworld-v1's node and sleep-v1's identity",
      summary: 'The node maps every sleep-v1 address to one numeric identity, learnt from CiliumEndpoints.',
      actions: [
        { do: 'show-ipcache', nodeOf: helloworldV1 },
        { do: 'record-identity', of: sleepV1, as: 'SLEEPV1_ID' },
      ],
    },
    {
      id: 'cut-off',
      title: "Cut helloworld-v1's node off from the API server",
      summary:
        "Two iptables rules drop the API server's packets on that node; its agent and kubelet stop hearing anything.",
      actions: [{ do: 'cut-off', nodeOf: helloworldV1 }],
    },
    {
      id: 'recycle',
      title:
        'Record the sleep-v1 addresses, swap sleep-v1 for sleep-v2, and restart until an address is reused',
      summary:
        'Freed addresses go straight back into the node pool, so a new sleep-v2 pod soon gets a former sleep-v1 address.',
      actions: [
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
      ],
    },
    {
      id: 'bypass',
      title: 'Curl helloworld-v1 from that sleep-v2 pod',
      summary:
        "The v1 policy should refuse it, but the cut-off node still believes the address is sleep-v1's.",
      actions: [
        {
          do: 'curl-from-recorded',
          pod: 'SLEEPV2POD',
          server: 'helloworld-v1',
          port: 5000,
          path: '/hello',
          timeoutMs: 2000,
          expect: 'success',
        },
        { do: 'check-stale-entry', nodeOf: helloworldV1, pod: 'SLEEPV2POD', expectIdentity: 'SLEEPV1_ID' },
      ],
    },
  ],
};
