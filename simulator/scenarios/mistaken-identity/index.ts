/**
 * The mistaken-identity experiment (seed 001): Cilium 1.12 with WireGuard on a four-node kind
 * cluster, two L4 policies, a node cut off from the API server, and pods recycled until a sleep-v2
 * pod inherits a sleep-v1 address that the cut-off node still maps to sleep-v1's identity.
 */
import type { Scenario } from '../types';
import {
  clusterActions,
  cutOffStep,
  deployActions,
  experimentHelmValues,
  helloworldV1,
  matrixPairs,
  recycleActions,
  sleepV1,
  staleEntryCheck,
} from './experiment-steps';
import { helloworldYaml } from './helloworld.yaml';
import { policyV1Yaml, policyV2Yaml } from './policies';
import { runTestScript } from './run-test.sh';
import { sleepYaml } from './sleep.yaml';

export { experimentHelmValues } from './experiment-steps';

export const mistakenIdentity: Scenario = {
  id: 'mistaken-identity',
  title: 'Mistaken identity: a stale ipcache lets the wrong client in',
  summary:
    'A node cut off from the API server keeps mapping recycled pod addresses to the identities of pods that are gone, and an L4 policy admits the wrong client.',
  defaultSeed: 1,
  // The week seed 001 published the experiment (Cilium 1.12.0, kind v0.14 with Kubernetes 1.24).
  date: '2022-07-29',
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
      actions: clusterActions('1.12.0', experimentHelmValues),
    },
    {
      id: 'deploy',
      title: 'Deploy helloworld and sleep, v1 and v2, and the two L4 policies',
      summary:
        'Each helloworld version admits only the sleep version with the same number, by service account.',
      actions: deployActions([
        'yamls/helloworld.yaml',
        'yamls/sleep.yaml',
        'yamls/policy-v1.yaml',
        'yamls/policy-v2.yaml',
      ]),
    },
    {
      id: 'matrix',
      title: 'Check that v1 talks only to v1 and v2 only to v2',
      summary: 'Every client tries every server; the policies let only the matching pairs through.',
      actions: [
        {
          do: 'connectivity-matrix',
          ...matrixPairs,
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
    cutOffStep(
      "Two iptables rules drop the API server's packets on that node; its agent and kubelet stop hearing anything.",
    ),
    {
      id: 'recycle',
      title:
        'Record the sleep-v1 addresses, swap sleep-v1 for sleep-v2, and restart until an address is reused',
      summary:
        'Freed addresses go straight back into the node pool, so a new sleep-v2 pod soon gets a former sleep-v1 address.',
      actions: [...recycleActions],
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
        staleEntryCheck,
      ],
    },
  ],
};
