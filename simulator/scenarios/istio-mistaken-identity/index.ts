/**
 * The mistaken-identity experiment (seed 001) run again with Istio: the same kind cluster and
 * Cilium 1.12 with WireGuard, the same cut-off and the same address recycling, but authorization
 * is Istio's AuthorizationPolicy over mutual TLS instead of a CiliumNetworkPolicy.
 *
 * To keep the comparison honest, Cilium stays installed exactly as in the experiment (so the cut-off
 * node's ipcache goes just as stale) but no Cilium policy is applied: every verdict in the transcript
 * is Istio's, decided on the client certificate, and the stale ipcache entry is shown beside it.
 */
import type { ScenarioVariant } from '../types';
import type { Scenario } from '../types';
import {
  clusterActions,
  cutOffStep,
  deployActions,
  experimentHelmValues,
  matrixPairs,
  recycleActions,
  sleepV1,
  staleEntryCheck,
} from '../mistaken-identity/experiment-steps';
import { helloworldYaml } from '../mistaken-identity/helloworld.yaml';
import { sleepYaml } from '../mistaken-identity/sleep.yaml';
import { istioPoliciesSharedAccountYaml, istioPoliciesYaml } from './istio-policies';

/** sleep.yaml with one ServiceAccount, `sleep`, for both versions. */
const sleepSharedAccountYaml = sleepYaml
  .replace(
    'kind: ServiceAccount\nmetadata:\n  name: sleep-v1\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sleep-v2\n',
    'kind: ServiceAccount\nmetadata:\n  name: sleep\n',
  )
  .replace(/serviceAccountName: sleep-v[12]/g, 'serviceAccountName: sleep');

export const istioMistakenIdentity: Scenario = {
  id: 'istio-mistaken-identity',
  title: 'Mistaken identity under Istio: the certificate names the real sender',
  summary:
    'The stale-ipcache experiment with Istio sidecars: the recycled address still looks like sleep-v1 to the cut-off node, but the client certificate says sleep-v2, so the AuthorizationPolicy refuses it.',
  defaultSeed: 1,
  files: {
    'yamls/helloworld.yaml': helloworldYaml,
    'yamls/sleep.yaml': sleepYaml,
    'yamls/istio-policies.yaml': istioPoliciesYaml,
  },
  steps: [
    {
      id: 'cluster',
      title: 'Create the cluster and install Cilium 1.12 with WireGuard',
      summary:
        'The same kind cluster and Cilium settings as the experiment; Cilium is the CNI and keeps its ipcache.',
      actions: clusterActions('1.12.0', experimentHelmValues),
    },
    {
      id: 'istio',
      title: 'Install Istio and enrol the default namespace',
      summary:
        'istiod comes up with a self-signed root; the default namespace is labelled so that new pods join the mesh.',
      actions: [
        { do: 'install-istio', profile: 'default' },
        { do: 'enroll-namespace', namespace: 'default' },
      ],
    },
    {
      id: 'deploy',
      title: 'Deploy helloworld and sleep, v1 and v2, with STRICT mTLS and two AuthorizationPolicies',
      summary:
        'No CiliumNetworkPolicy this time: helloworld-vN admits only the principal of sleep-vN, checked on the client certificate.',
      actions: [
        ...deployActions(['yamls/helloworld.yaml', 'yamls/sleep.yaml', 'yamls/istio-policies.yaml']),
        { do: 'show-mesh-identities', apps: ['helloworld-v1', 'sleep-v1', 'sleep-v2'] },
      ],
    },
    {
      id: 'matrix',
      title: 'Check that v1 talks only to v1 and v2 only to v2',
      summary:
        'The matching pairs get the hello page; the others get 403 from the server sidecar, which curl -s reports as exit 0.',
      actions: [
        {
          do: 'mesh-matrix',
          ...matrixPairs,
          timeoutMs: 2000,
          expect: {
            'sleep-v1 -> helloworld-v1': 'hello',
            'sleep-v1 -> helloworld-v2': 'rbac-denied',
            'sleep-v2 -> helloworld-v1': 'rbac-denied',
            'sleep-v2 -> helloworld-v2': 'hello',
          },
        },
        { do: 'record-identity', of: sleepV1, as: 'SLEEPV1_ID' },
      ],
    },
    cutOffStep(
      "The experiment's two iptables rules: that node's Cilium agent and kubelet stop hearing anything.",
    ),
    {
      id: 'recycle',
      title:
        'Record the sleep-v1 addresses, swap sleep-v1 for sleep-v2, and restart until an address is reused',
      summary: 'As in the experiment, a new sleep-v2 pod soon gets a former sleep-v1 address.',
      actions: [...recycleActions],
    },
    {
      id: 'bypass',
      title: 'Curl helloworld-v1 from that sleep-v2 pod',
      summary:
        "The cut-off node still maps the address to sleep-v1's Cilium identity, but Istio checks the certificate, which names sleep-v2.",
      actions: [
        {
          do: 'mesh-curl-from-recorded',
          label: 'bypass',
          pod: 'SLEEPV2POD',
          server: 'helloworld-v1',
          port: 5000,
          path: '/hello',
          timeoutMs: 2000,
          expect: 'rbac-denied',
        },
        staleEntryCheck,
      ],
    },
  ],
};

/** Named variants: ambient mode, and both sleeps sharing one service account. */
export const istioMistakenIdentityVariants: Readonly<
  Record<'ambient' | 'shared-service-account', ScenarioVariant>
> = {
  // ztunnel enforces the same L4 rules; a denied connection is closed, so curl fails with exit 56.
  ambient: {
    istioProfile: 'ambient',
    meshExpect: {
      'sleep-v1 -> helloworld-v2': 'reset',
      'sleep-v2 -> helloworld-v1': 'reset',
      bypass: 'reset',
    },
  },
  // Istio's identity is the service account: with one account for both sleeps, the policy cannot tell them apart.
  'shared-service-account': {
    files: {
      'yamls/sleep.yaml': sleepSharedAccountYaml,
      'yamls/istio-policies.yaml': istioPoliciesSharedAccountYaml,
    },
    meshExpect: {
      'sleep-v1 -> helloworld-v2': 'hello',
      'sleep-v2 -> helloworld-v1': 'hello',
      bypass: 'hello',
    },
  },
};
