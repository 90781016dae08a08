// Goal: every statement of issue 13 ("Cilium, Istio and the three guides: every statement and
// every output as the real systems give them") has a test that fails on the old behaviour. One row
// per bullet, under the issue's own section titles. A row either checks the behaviour here (in a
// world of its own, on structured state or on the output a user would check), or names the test
// that does, which must still exist under that title: deleting or renaming it fails this table.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveCiliumConfig, sourceIdentityTransport } from '../../../simulator/cilium/config';
import { agentStartRefusal } from '../../../simulator/cilium/agent-startup';
import { TerminalSession } from '../../../simulator/terminal/session';
import { clusterWithCilium } from '../simulator/support';
import { applyPolicy, clientAndServer } from '../simulator/traffic-support';

const root = new URL('../../../', import.meta.url);

/** A page of the site, with its line breaks and runs of spaces folded to one space. */
const page = (path: string): string => readFileSync(new URL(path, root), 'utf8').replace(/\s+/g, ' ');

interface FidelityRow {
  /** The bullet, in short. */
  readonly name: string;
  /** The test elsewhere that fails on the old behaviour: its file and (part of) its title. */
  readonly coveredBy?: readonly (readonly [file: string, title: string])[];
  /** A check made here. */
  readonly check?: () => void | Promise<void>;
}

const validationByRelease = 'test/unit/policy/validation-by-release.test.ts';

const policyValidation: readonly FidelityRow[] = [
  {
    name: 'port strings the 1.18 CRD pattern lets through are refused by the agent',
    coveredBy: [
      [validationByRelease, 'port "70000" passes the CRD pattern'],
      [validationByRelease, 'port "http_alt" passes the CRD pattern'],
      [validationByRelease, 'port "6581-6586" (a range written as a port) reaches the agent'],
    ],
  },
  {
    name: 'a matchExpressions operator outside the CRD enum fails kubectl apply',
    coveredBy: [
      [validationByRelease, 'a matchExpressions operator outside the CRD enum fails kubectl apply'],
    ],
  },
  {
    name: 'accepted by real 1.18: fromRequires, endPort below port, named port with endPort, Go named groups, l7proto',
    coveredBy: [
      [validationByRelease, 'fromRequires is valid (removed in 1.19)'],
      [validationByRelease, 'endPort below port: schema and sanitising accept it'],
      [validationByRelease, 'a named port with endPort is accepted'],
      [validationByRelease, 'a Go named group (?P<v>…) in an HTTP path is valid RE2'],
      [validationByRelease, 'generic L7 (l7proto, the docs Cassandra example): valid, stored and imported'],
    ],
  },
  {
    name: 'refused by real 1.18: VRRP, a ports entry without port, HTTP on ANY, bare fromCIDR, URL serverNames, DNS without 53, ingress listener, yes/on/off',
    coveredBy: [
      [validationByRelease, 'protocol VRRP: not in any enum up to 1.18'],
      [validationByRelease, 'a ports entry without port: required by every CRD modelled'],
      [validationByRelease, 'HTTP rules on protocol ANY'],
      [validationByRelease, 'HTTP rules on a port without protocol: ANY to the agent, which wants TCP'],
      [validationByRelease, 'fromCIDR with a bare address'],
      [validationByRelease, 'a URL as a server name'],
      [validationByRelease, 'DNS rules with no port: the agent wants port 53 written'],
      [validationByRelease, 'a listener on ingress'],
      [validationByRelease, 'an unquoted yes as a label value'],
      [validationByRelease, 'an unquoted off as a label value is a boolean too'],
    ],
  },
  {
    name: 'fromNodes needs nodeSelectorLabels=true',
    coveredBy: [
      [validationByRelease, 'fromNodes without nodeSelectorLabels: the agent refuses it'],
      [validationByRelease, 'fromNodes with nodeSelectorLabels=true'],
    ],
  },
  {
    name: "messages use the real wording (DNS on ingress, NetworkPolicy's operator and ipBlock)",
    coveredBy: [
      [validationByRelease, 'DNS rules on ingress'],
      [validationByRelease, 'an operator outside In/NotIn/Exists/DoesNotExist'],
      [validationByRelease, 'ipBlock together with a podSelector in one peer'],
    ],
  },
  {
    name: 'where a refusal shows: the Valid condition from 1.16, per-node status in 1.12',
    coveredBy: [
      ['test/unit/terminal/policy-refusal-display.test.ts', '1.18: the Valid condition and the VALID column'],
      ['test/unit/terminal/policy-refusal-display.test.ts', '1.16: the operator writes a Valid condition'],
      [
        'test/unit/terminal/policy-refusal-display.test.ts',
        '1.12 with enableCnpStatusUpdates: per-node status',
      ],
    ],
  },
];

const agentCli = 'test/unit/terminal/cilium-agent-cli.test.ts';

/** The `nodeid=` values of `bpf ipcache list` on one agent, for the other nodes' health addresses. */
async function ipcacheNodeIds(): Promise<{ shown: number[]; kept: number[] }> {
  const simulation = clusterWithCilium(17, 3, '1.14.5', { 'encryption.enabled': 'false' });
  const agents = Object.values(simulation.state.cluster?.cilium?.agents ?? {});
  const [agent, ...others] = agents;
  if (agent === undefined) throw new Error('no agent');
  const session = new TerminalSession(simulation);
  const listed = (
    await session.run(`kubectl -n kube-system exec ${agent.podName} -- cilium bpf ipcache list`)
  ).stdout;
  const shown = others.map((other) => {
    const line = listed.split('\n').find((row) => row.startsWith(`${other.healthIP}/32 `)) ?? '';
    return Number(/ nodeid=(\d+)/.exec(line)?.[1] ?? -1);
  });
  const nodes = simulation.state.cluster?.nodes ?? {};
  const kept = others.map((other) => agent.nodeIds?.[nodes[other.node]?.internalIP ?? ''] ?? -2);
  return { shown, kept };
}

/** What Hubble shows for a 2-second curl to a port the server's policy does not allow. */
async function deniedCurlInHubble(): Promise<{ verdicts: number; drops: number; exitCode: number }> {
  const bed = clientAndServer(21);
  applyPolicy(
    bed.simulation,
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: server-80
spec:
  endpointSelector:
    matchLabels:
      app: server
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: client
    toPorts:
    - ports:
      - port: "80"
        protocol: TCP
`,
  );
  const session = new TerminalSession(bed.simulation);
  const client = bed.clientKey.split('/')[1] ?? '';
  const curl = await session.run(
    `kubectl exec ${client} -- curl -s --max-time 2 http://${bed.serverIP}:8080/`,
  );
  const agent = bed.simulation.state.cluster?.cilium?.agents[bed.serverNode]?.podName ?? '';
  const observed = await session.run(
    `kubectl -n kube-system exec ${agent} -- hubble observe --to-ip ${bed.serverIP} --to-port 8080`,
  );
  const lines = observed.stdout.split('\n');
  return {
    verdicts: lines.filter((line) => line.includes('policy-verdict:none INGRESS DENIED')).length,
    drops: lines.filter((line) => line.includes('Policy denied DROPPED')).length,
    exitCode: curl.exitCode,
  };
}

const datapathAndIdentity: readonly FidelityRow[] = [
  {
    name: 'mutual authentication between two pods on the same node succeeds',
    coveredBy: [
      [
        'test/unit/simulator/node-ids.test.ts',
        'the retransmitted SYN passes once the node-0 entry is written',
      ],
    ],
  },
  {
    name: 'cilium-dbg exists only from 1.15; cilium is the agent CLI on 1.12 and 1.14',
    coveredBy: [
      [agentCli, '1.14 has no cilium-dbg'],
      [agentCli, '1.15 has cilium-dbg'],
    ],
  },
  {
    name: "bpf ipcache list prints each version's value format",
    coveredBy: [
      [agentCli, '1.14: the node map id of the tunnel endpoint'],
      [agentCli, '1.15: flags, none set'],
    ],
  },
  {
    name: 'cilium ip list prints labels, numbers only with -n',
    coveredBy: [
      [agentCli, '1.18: every identity as labels'],
      [agentCli, '1.18 -n: numbers'],
    ],
  },
  {
    name: '1.12 CiliumIdentity and CiliumEndpoint metadata as seed 003 shows them',
    coveredBy: [
      ['test/unit/simulator/cilium-objects.test.ts', "CoreDNS's identity and endpoint"],
      ['test/unit/terminal/seed-003.test.ts', 'with neither controller nor blockOwnerDeletion'],
    ],
  },
  {
    name: 'node IDs are random free IDs, as nodeid= in bpf ipcache list shows them',
    coveredBy: [
      ['test/unit/simulator/node-ids.test.ts', 'gives every other node a random free id in 1-65535'],
    ],
    check: async () => {
      const { shown, kept } = await ipcacheNodeIds();
      expect(shown).toEqual(kept);
      expect(shown.every((id) => id >= 1 && id <= 65535)).toBe(true);
      // Handed out 1, 2, 3 in address order they would all be small.
      expect(shown.some((id) => id > shown.length)).toBe(true);
    },
  },
  {
    name: 'a denied SYN is retransmitted: a 2 s curl gives two DENIED verdicts and two drops in Hubble',
    coveredBy: [['test/unit/simulator/syn-retransmission.test.ts', 'ingress deny, 2 s curl']],
    check: async () => {
      expect(await deniedCurlInHubble()).toEqual({ verdicts: 2, drops: 2, exitCode: 28 });
    },
  },
  {
    name: 'allowed traffic increments the bpf policy get packet and byte counters',
    coveredBy: [
      [
        'test/unit/simulator/syn-retransmission.test.ts',
        'counts the packets of an allowed curl on the entry it hit',
      ],
    ],
  },
  {
    name: 'cilium status: cilium_wg0 (Pubkey, Port: 51871, Peers: N) and the git hash on the Cilium line',
    coveredBy: [[agentCli, '1.12: the commit, and the WireGuard device with its key']],
  },
  {
    name: 'encryption.wireguard.encapsulate exists only from 1.14.4',
    coveredBy: [
      ['test/unit/simulator/cilium-chart.test.ts', '1.14.0 ignores encryption.wireguard.encapsulate'],
      [
        'test/unit/simulator/labels-and-config.test.ts',
        'warns that encryption.wireguard.encapsulate does nothing before 1.14.4',
      ],
    ],
  },
  {
    name: 'a kind cluster runs the control plane as mirror pods, kube-proxy and local-path-provisioner',
    coveredBy: [
      ['test/unit/simulator/clusters.test.ts', 'runs as a mirror pod on the control-plane node'],
      ['test/unit/terminal/kind-node-images.test.ts', 'docker.io/kindest/local-path-provisioner'],
    ],
  },
  {
    name: "Istio's resources are listed and described once Istio is installed",
    coveredBy: [
      ['test/unit/terminal/kubectl-istio-resources.test.ts', 'a resource type once Istio is installed'],
    ],
  },
  {
    name: 'versions fit together: Istio 1.24 on a Kubernetes it supports, the clock after the releases',
    coveredBy: [
      ['test/unit/simulator/setup.test.ts', 'runs Istio 1.24 on a Kubernetes it supports'],
      ['test/unit/simulator/setup.test.ts', 'Cilium 1.14.5: the day after its chart'],
      ['test/unit/terminal/istio.test.ts', 'shows the sidecar chain and the certificate_required alert'],
      ['test/unit/terminal/istio.test.ts', '7F0000:error:0A00045C:SSL routines'],
    ],
  },
];

/** The transport of the source identity for a release and its Helm values, as the model resolves it. */
function transport(version: string, values: Record<string, string>): string {
  const { config } = resolveCiliumConfig({ version, values });
  if (config === undefined) throw new Error(`no configuration for ${version}`);
  return sourceIdentityTransport(config);
}

const wireguard = { 'encryption.enabled': 'true', 'encryption.type': 'wireguard' };
const l7Guide = 'content/guides/l7-cilium-vs-istio.mdx';
const mutualAuthGuide = 'content/guides/mutual-auth.mdx';

const theGuides: readonly FidelityRow[] = [
  {
    name: "l7 and about: where the L7 proxy's caller identity comes from, per version, routing and encryption",
    check: () => {
      const l7 = page(l7Guide);
      // Tunnel header in every version without encryption.
      expect(l7).toContain('writes the source identity into the tunnel header');
      for (const version of ['1.12.0', '1.14.5', '1.18.5'])
        expect(transport(version, {})).toBe('tunnel-header');
      // Native routing: the receiver's ipcache.
      expect(l7).toContain('**Native routing**: nothing carries the identity');
      expect(transport('1.12.0', { tunnel: 'disabled' })).toBe('ipcache');
      expect(transport('1.18.5', { routingMode: 'native', ...wireguard })).toBe('ipcache');
      // 1.12 with WireGuard cannot run the L7 proxy: the page quotes the agent's exit.
      const { config } = resolveCiliumConfig({ version: '1.12.0', values: wireguard });
      const refusal = config === undefined ? undefined : agentStartRefusal(config);
      expect(refusal).toBeDefined();
      expect(l7).toContain(`\`${refusal ?? ''}\``);
      // From 1.14: ipcache unless encapsulated (always from 1.15, on request from 1.14.4).
      expect(transport('1.14.5', wireguard)).toBe('ipcache');
      expect(transport('1.14.5', { ...wireguard, 'encryption.wireguard.encapsulate': 'true' })).toBe(
        'tunnel-header',
      );
      expect(transport('1.15.0', wireguard)).toBe('tunnel-header');
      expect(l7).toContain('always from 1.15, and in 1.14.4 and later 1.14 releases');
      const about = page('content/about.mdx');
      expect(about).toContain('(native routing, WireGuard without encapsulation)');
      expect(about).not.toMatch(/always (learns|looks up) the (caller|source)/);
    },
  },
  {
    name: 'mutual-auth: which transports carry the identity',
    check: () => {
      const guide = page(mutualAuthGuide);
      expect(guide).toContain('VXLAN or Geneve without encryption in every version');
      expect(guide).toContain('WireGuard with native routing never carries it');
      expect(transport('1.18.5', { routingMode: 'native', ...wireguard })).toBe('ipcache');
      expect(transport('1.16.0', { ...wireguard, tunnelProtocol: 'geneve' })).toBe('tunnel-header');
    },
  },
  {
    name: 'l7: ztunnel fails closed on a policy that needs L7 and has no waypoint; waypoints are not per service account',
    coveredBy: [
      [
        'test/unit/istio/istio.test.ts',
        'ztunnel: refuses even the allowed principal when the ALLOW rule names methods and paths',
      ],
      [
        'test/unit/simulator/l7-cilium.test.ts',
        'merges the HTTP rules of two policies with the same selector, and still checks no identity',
      ],
      [
        'test/unit/terminal/guides.test.ts',
        'l7: the Istio policies shown are documents of the lab file, with the same content',
      ],
    ],
    check: () => {
      const l7 = page(l7Guide);
      expect(l7).toContain('The policy fails closed.');
      expect(l7).not.toMatch(/enforces? only the L4 part/);
      expect(l7).toContain('A waypoint is not tied to a service account.');
      expect(l7).toContain('`remote_policies` (`remotePolicies` in its JSON) is missing');
    },
  },
  {
    name: 'mutual-auth: one static WireGuard key pair per node, session keys per pair rotating about every two minutes',
    coveredBy: [
      ['test/unit/terminal/guides.test.ts', 'mutual-auth: describes WireGuard keys as the model keeps them'],
      [agentCli, 'One static key per node: every agent shows its own.'],
    ],
  },
  {
    name: 'mistaken-identity: every Helm flag of the seed, and the timings of the model',
    coveredBy: [
      [
        'test/unit/terminal/guides.test.ts',
        'mistaken-identity: the Helm install shows every value of the scenario',
      ],
      ['test/unit/terminal/guides.test.ts', "mistaken-identity: the timings the page quotes are the model's"],
    ],
    check: () => {
      expect(page('content/guides/mistaken-identity.mdx')).not.toContain('within milliseconds');
    },
  },
  {
    name: 'blast radius: a tenant adds a listener of its own, not a filter in cilium-http-ingress; a stuck worker needs an Envoy restart',
    coveredBy: [
      [
        'test/unit/simulator/l7-envoy-blast-radius.test.ts',
        "adds the tenant's listener beside the agent's, whose HTTP filters stay Cilium's own",
      ],
      [
        'test/unit/simulator/l7-envoy-blast-radius.test.ts',
        'keeps the workers stuck when the CiliumEnvoyConfig is deleted, and frees them on an Envoy restart',
      ],
    ],
    check: () => {
      const l7 = page(l7Guide);
      expect(l7).toContain('a team cannot slip a filter of its own');
      expect(l7).toContain('Deleting the CiliumEnvoyConfig removes the listener but frees nothing');
    },
  },
];

const sections: readonly (readonly [string, readonly FidelityRow[]])[] = [
  ['Policy validation, per version', policyValidation],
  ['Datapath and identity', datapathAndIdentity],
  ['The guides', theGuides],
];

describe('issue 13: Cilium, Istio and the three guides', () => {
  for (const [section, rows] of sections)
    describe(section, () => {
      for (const row of rows)
        it(row.name, async () => {
          expect(row.coveredBy !== undefined || row.check !== undefined).toBe(true);
          for (const [file, title] of row.coveredBy ?? [])
            expect(readFileSync(new URL(file, root), 'utf8'), `${file}: ${title}`).toContain(title);
          await row.check?.();
        });
    });
});
