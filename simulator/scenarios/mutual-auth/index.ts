/**
 * Mutual authentication inherits the stale ipcache (seed 002): the mistaken-identity cluster and
 * apps on Cilium 1.14 with WireGuard and SPIRE-backed mutual authentication, both policies
 * requiring it. The first SYN of a new pair is dropped ("Authentication required") until the
 * agents' handshake fills the auth map, then the retransmission passes. After the helloworld-v1
 * node is cut off and a sleep-v2 pod inherits a sleep-v1 address, the cut-off node still resolves
 * that address to sleep-v1's identity, authenticates *that* identity with the peer node's agent
 * (which holds every identity's SVID), and lets sleep-v2 in.
 */
import type { ScenarioVariant } from '../types';
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
} from '../mistaken-identity/experiment-steps';
import { helloworldYaml } from '../mistaken-identity/helloworld.yaml';
import { sleepYaml } from '../mistaken-identity/sleep.yaml';
import { authPolicyV1Yaml, authPolicyV2Yaml } from './policies';

/** The Cilium release the scenario installs: 1.14 sends WireGuard pod traffic without VXLAN by default. */
const mutualAuthCiliumVersion = '1.14.5';

/** The experiment's values plus SPIRE-backed mutual authentication. */
const mutualAuthHelmValues: Record<string, string> = {
  ...experimentHelmValues,
  'authentication.mutual.spire.enabled': 'true',
  'authentication.mutual.spire.install.enabled': 'true',
};

/** The same steps on 1.15, where the source identity crosses in the tunnel header and the bypass fails. */
export const mutualAuthTunnelIdentityVariant: ScenarioVariant = { ciliumVersion: '1.15.6' };

export const mutualAuth: Scenario = {
  id: 'mutual-auth',
  title: 'Mutual authentication inherits the stale ipcache',
  summary:
    "Cilium 1.14's SPIRE-backed mutual authentication drops a flow's first SYN until two agents complete a handshake, but the identity it authenticates is the one the enforcing node's ipcache names, so a stale entry still lets the wrong client in.",
  defaultSeed: 2,
  files: {
    'yamls/helloworld.yaml': helloworldYaml,
    'yamls/sleep.yaml': sleepYaml,
    'yamls/policy-v1.yaml': authPolicyV1Yaml,
    'yamls/policy-v2.yaml': authPolicyV2Yaml,
  },
  steps: [
    {
      id: 'cluster',
      title: 'Create the cluster and install Cilium 1.14 with WireGuard, SPIRE and mutual authentication',
      summary:
        'A kind cluster with three workers, then Cilium 1.14 with WireGuard and authentication.mutual.spire.enabled: the chart adds a SPIRE server and an agent per node.',
      actions: clusterActions(mutualAuthCiliumVersion, mutualAuthHelmValues),
    },
    {
      id: 'deploy',
      title: 'Deploy helloworld and sleep, and the two policies with authentication required',
      summary:
        'The same L4 policies as the experiment, each ingress rule now carrying authentication: {mode: required}. The operator registers a SPIRE entry per new identity, and every SPIRE agent fetches its SVID within a sync period.',
      actions: [
        ...deployActions([
          'yamls/helloworld.yaml',
          'yamls/sleep.yaml',
          'yamls/policy-v1.yaml',
          'yamls/policy-v2.yaml',
        ]),
        // New identities reach every node's delegate store on its SPIRE agent's next 5 s sync.
        { do: 'wait', ms: 10_000 },
        { do: 'record-identity', of: helloworldV1, as: 'HELLOV1_ID' },
        { do: 'record-identity', of: sleepV1, as: 'SLEEPV1_ID' },
      ],
    },
    {
      id: 'first-curl',
      title: 'The first curl from sleep-v1 to helloworld-v1: dropped, authenticated, retransmitted',
      summary:
        'The first SYN finds no auth map entry and is dropped with reason 189; the agents run their handshake, and the SYN the client retransmits a second later passes.',
      actions: [
        {
          do: 'curl',
          from: 'sleep-v1',
          server: 'helloworld-v1',
          port: 5000,
          path: '/hello',
          timeoutMs: 5000,
          expect: 'success',
          expectDrops: ['AUTH_REQUIRED'],
          minElapsedMs: 1000,
          showFlows: true,
        },
        {
          do: 'show-auth-map',
          nodeOf: helloworldV1,
          expectEntry: { local: 'HELLOV1_ID', remote: 'SLEEPV1_ID' },
        },
      ],
    },
    {
      id: 'matrix',
      title: 'Check that v1 talks only to v1 and v2 only to v2',
      summary: 'Authentication comes on top of policy: pairs the policies refuse never get to a handshake.',
      actions: [
        {
          do: 'connectivity-matrix',
          ...matrixPairs,
          timeoutMs: 5000,
          expect: {
            'sleep-v1 -> helloworld-v1': 'success',
            'sleep-v1 -> helloworld-v2': 'failure',
            'sleep-v2 -> helloworld-v1': 'failure',
            'sleep-v2 -> helloworld-v2': 'success',
          },
        },
      ],
    },
    cutOffStep(
      "The same two iptables rules as the experiment. They match only the API server's addresses, so SPIRE and the agents' port 4250 still work.",
    ),
    {
      id: 'recycle',
      title: 'Swap sleep-v1 for sleep-v2 and restart until an address is reused',
      summary:
        'As in the experiment, a sleep-v2 pod soon takes an address the cut-off node still maps to sleep-v1.',
      actions: [...recycleActions],
    },
    {
      id: 'bypass',
      title: 'Curl helloworld-v1 from that sleep-v2 pod, with mutual authentication on',
      summary:
        "The cut-off node resolves the address to sleep-v1's identity and authenticates that identity; the handshake proves the peer agent holds sleep-v1's SVID, not which pod sent the packet.",
      actions: [
        {
          do: 'curl-from-recorded',
          pod: 'SLEEPV2POD',
          server: 'helloworld-v1',
          port: 5000,
          path: '/hello',
          timeoutMs: 5000,
          expect: 'success',
          showFlows: true,
        },
        staleEntryCheck,
        {
          do: 'show-auth-map',
          nodeOf: helloworldV1,
          expectEntry: { local: 'HELLOV1_ID', remote: 'SLEEPV1_ID' },
        },
      ],
    },
  ],
};
