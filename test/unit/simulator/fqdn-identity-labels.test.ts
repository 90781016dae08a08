import { describe, expect, it } from 'vitest';
import { clusterDnsManifest } from '../../../simulator/k8s/dns-world';
import { listIpcache } from '../../../simulator/cilium/agent-ipcache';
import { localIdentityLabels } from '../../../simulator/cilium/local-identities';
import type { Simulation } from '../../../simulator/simulation';
import { apply, clusterWithCilium, settle } from './support';
import { applyPolicy, connectFrom, keyOfPod, onePod, workload } from './traffic-support';

// Goal: the identity an agent gives an address its DNS proxy learnt is the one Cilium 1.18 gives
// it, as `cilium-dbg ip list` and the docs' troubleshooting page show: labelled with each toFQDNs
// selector that matched (`fqdn:<matchName or matchPattern>`, not the name looked up), with
// `reserved:world`, without a `cidr:` label of its own but with the label of the closest CIDR the
// policies name (pkg/ipcache/metadata.go resolveIdentity, pkg/policy/api/fqdn.go IdentityLabel,
// cilium/cilium v1.18.5), and shared by every address with the same labels.

const dnsRule = `  - toEndpoints:
    - matchLabels:
        "k8s:io.kubernetes.pod.namespace": kube-system
        "k8s:k8s-app": kube-dns
    toPorts:
    - ports:
      - port: "53"
        protocol: ANY
      rules:
        dns:
        - matchPattern: "*"`;

function policy(egress: string): string {
  return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: fqdn
spec:
  endpointSelector:
    matchLabels:
      app: mediabot
  egress:
${egress}
${dnsRule}
`;
}

const api = '140.82.121.6';
const support = '140.82.113.21';

/** A world with mediabot under the policy, after it connected to each name on port 443. */
function afterLookups(
  seed: number,
  egress: string,
  names: readonly string[],
): { simulation: Simulation; node: string } {
  const simulation = clusterWithCilium(seed, 1, '1.18.5', { 'encryption.enabled': 'false' });
  const cluster = simulation.state.cluster;
  if (cluster === undefined) throw new Error('no cluster');
  apply(simulation, clusterDnsManifest(cluster));
  apply(simulation, workload('mediabot', { app: 'mediabot' }, 'docker.io/curlimages/curl'));
  settle(simulation);
  applyPolicy(simulation, policy(egress));
  const pod = onePod(simulation, { app: 'mediabot' });
  for (const host of names) {
    const outcome = connectFrom(simulation, { fromPodKey: keyOfPod(pod), host, port: 443 });
    expect(outcome.kind, host).toBe('response');
  }
  return { simulation, node: pod.spec.nodeName ?? '' };
}

/** The ipcache identity of an address on the node's agent, and that identity's labels. */
function identityOf(simulation: Simulation, node: string, ip: string): { id: number; labels: string[] } {
  const cluster = simulation.state.cluster;
  const agent = Object.values(cluster?.cilium?.agents ?? {}).find((candidate) => candidate.node === node);
  if (cluster === undefined || agent === undefined) throw new Error('no agent');
  const row = listIpcache(cluster, agent).find((candidate) => candidate.prefix === `${ip}/32`);
  if (row === undefined) throw new Error(`${ip} is not in the ipcache`);
  const labels = localIdentityLabels(cluster, node, row.entry.identity) ?? {};
  return { id: row.entry.identity, labels: Object.keys(labels).sort() };
}

const cases: {
  name: string;
  egress: string;
  names: string[];
  expected: Record<string, string[]>;
  shared?: boolean;
}[] = [
  {
    name: 'matchName: the selector’s name, no trailing dot, no cidr: label',
    egress: `  - toFQDNs:
    - matchName: "api.github.com"`,
    names: ['api.github.com'],
    expected: { [api]: ['fqdn:api.github.com', 'reserved:world'] },
  },
  {
    name: 'matchPattern: the pattern, for every name it matched, in one shared identity',
    egress: `  - toFQDNs:
    - matchPattern: "*.github.com"`,
    names: ['api.github.com', 'support.github.com'],
    expected: {
      [api]: ['fqdn:*.github.com', 'reserved:world'],
      [support]: ['fqdn:*.github.com', 'reserved:world'],
    },
    shared: true,
  },
  {
    name: 'two selectors matching one name: both labels',
    egress: `  - toFQDNs:
    - matchName: "api.github.com"
    - matchPattern: "*.github.com"`,
    names: ['api.github.com'],
    expected: { [api]: ['fqdn:*.github.com', 'fqdn:api.github.com', 'reserved:world'] },
  },
  {
    name: 'a CIDR rule containing the address: the closest policy prefix’s label is inherited',
    egress: `  - toFQDNs:
    - matchName: "api.github.com"
  - toCIDR:
    - 140.82.0.0/16
    - 140.82.121.0/24
    toPorts:
    - ports:
      - port: "22"
        protocol: TCP`,
    names: ['api.github.com'],
    expected: { [api]: ['cidr:140.82.121.0/24', 'fqdn:api.github.com', 'reserved:world'] },
  },
];

describe('toFQDNs identities on Cilium 1.18: their labels', () => {
  for (const testCase of cases) {
    it(testCase.name, () => {
      const { simulation, node } = afterLookups(21, testCase.egress, testCase.names);
      const identities = Object.entries(testCase.expected).map(([ip, labels]) => {
        const identity = identityOf(simulation, node, ip);
        expect(identity.labels, ip).toEqual(labels);
        expect(identity.id, ip).toBeGreaterThan(1 << 24);
        return identity.id;
      });
      if (testCase.shared === true) expect(new Set(identities).size).toBe(1);
    });
  }
});
