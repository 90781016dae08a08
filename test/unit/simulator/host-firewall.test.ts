import { describe, expect, it } from 'vitest';
import { resolveCiliumConfig } from '../../../simulator/cilium/config';
import { stateHash } from '../../../simulator/engine/state-hash';
import type { ConnectionOutcome, ConnectionRequest } from '../../../simulator/cilium/datapath-types';
import { listConntrack } from '../../../simulator/cilium/conntrack';
import { hostEndpointPolicyFor } from '../../../simulator/cilium/endpoint-policy-cache';
import { TerminalSession } from '../../../simulator/terminal/session';
import { apply, clusterWithCilium, settle } from './support';
import {
  applyPolicy,
  connectFrom,
  flowsOf,
  keyOfPod,
  labelNode,
  onePod,
  traffic,
  workload,
} from './traffic-support';

// Host policies (CiliumClusterwideNetworkPolicy with a nodeSelector) select the host endpoint
// (reserved:host plus the Node's labels); only the host firewall enforces them, in bpf_host.
const hostPolicy = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: control-plane-ssh-and-api
spec:
  nodeSelector:
    matchLabels:
      node-role.kubernetes.io/control-plane: ""
  ingress:
  - fromEntities:
    - cluster
    toPorts:
    - ports:
      - port: "22"
        protocol: TCP
      - port: "6443"
        protocol: TCP
`;

function setup(seed: number, values: Record<string, string>) {
  const simulation = clusterWithCilium(seed, 2, '1.18.5', { 'encryption.enabled': 'false', ...values });
  apply(simulation, workload('client', { app: 'client' }, 'docker.io/curlimages/curl'));
  settle(simulation);
  applyPolicy(simulation, hostPolicy);
  const nodes = simulation.state.cluster?.nodes ?? {};
  const controlPlaneIP = nodes['kind-control-plane']?.internalIP ?? '';
  const workerIP =
    Object.values(nodes).find((node) => node.role === 'worker' && node.name !== 'kind-control-plane')
      ?.internalIP ?? '';
  const client = keyOfPod(onePod(simulation, { app: 'client' }));
  const curl = (host: string, port: number) =>
    connectFrom(simulation, {
      fromPodKey: client,
      host,
      port,
      http: { method: 'GET', path: '/', headers: {} },
    });
  const lastOf = (eventType: string) => flowsOf(simulation).findLast((flow) => flow.eventType === eventType);
  return { simulation, controlPlaneIP, workerIP, curl, lastOf };
}

describe('host firewall: configuration', () => {
  it('reads hostFirewall.enabled and accepts devices without a warning', () => {
    const resolved = resolveCiliumConfig({
      version: '1.18.5',
      values: { 'hostFirewall.enabled': 'true', devices: '{eth0}' },
    });
    expect(resolved.config?.hostFirewall).toBe(true);
    expect(resolved.warnings).toEqual([]);
    expect(resolveCiliumConfig({ version: '1.12.0', values: {} }).config?.hostFirewall).toBe(false);
  });
});

describe('host firewall: enforcing a host policy', () => {
  const { simulation, controlPlaneIP, workerIP, curl, lastOf } = setup(41, {
    'hostFirewall.enabled': 'true',
  });

  it('drops a pod curling the kubelet port of a selected node, explaining the host policy', () => {
    const outcome = curl(controlPlaneIP, 10250);
    expect(outcome.kind).toBe('timeout');
    if (outcome.kind === 'timeout') expect(outcome.explanation.join('\n')).toContain('host firewall');
    const verdict = lastOf('policy-verdict');
    expect(verdict?.verdict).toBe('DROPPED');
    expect(verdict?.node).toBe('kind-control-plane');
    expect(verdict?.trafficDirection).toBe('INGRESS');
    expect(verdict?.destination.identity).toBe(1);
    expect(verdict?.destination.ip).toBe(controlPlaneIP);
    expect(verdict?.destination.port).toBe(10250);
    expect(verdict?.explanation).toContain('ingress policy');
    const drop = lastOf('drop');
    expect(drop?.dropReason).toBe('POLICY_DENIED');
    expect(drop?.destination.identity).toBe(1);
  });

  it('lets an allowed port through (the API server answers 403)', () => {
    const outcome = curl(controlPlaneIP, 6443);
    expect(outcome.kind).toBe('response');
    if (outcome.kind === 'response') expect(outcome.response.status).toBe(403);
    const verdict = lastOf('policy-verdict');
    expect(verdict?.verdict).toBe('FORWARDED');
    expect(verdict?.destination.identity).toBe(1);
    expect(verdict?.explanation).toContain('CiliumClusterwideNetworkPolicy');
  });

  it('sees another node as reserved:remote-node, and lets the node itself through', () => {
    const worker = Object.values(simulation.state.cluster?.nodes ?? {}).find(
      (node) => node.role === 'worker',
    );
    const fromWorker = connectFrom(simulation, {
      fromPodKey: '',
      fromNode: worker?.name ?? '',
      host: controlPlaneIP,
      port: 10250,
    });
    expect(fromWorker.kind).toBe('timeout');
    expect(lastOf('policy-verdict')?.source.identity).toBe(6);
    const fromItself = connectFrom(simulation, {
      fromPodKey: '',
      fromNode: 'kind-control-plane',
      host: controlPlaneIP,
      port: 10250,
    });
    expect(fromItself.kind).toBe('response');
  });

  it('applies no default deny to a node no host policy selects', () => {
    const before = flowsOf(simulation).length;
    const outcome = curl(workerIP, 10250);
    expect(outcome.kind).toBe('response');
    if (outcome.kind === 'response') expect(outcome.response.status).toBe(401);
    if (outcome.kind === 'response') expect(outcome.explanation.join('\n')).toContain('no host policy');
    expect(
      flowsOf(simulation)
        .slice(before)
        .some((flow) => flow.eventType === 'policy-verdict'),
    ).toBe(false);
  });
});

describe('host firewall: off, audit mode and determinism', () => {
  it('lets the same traffic pass without the host firewall', () => {
    const { controlPlaneIP, curl, lastOf } = setup(42, {});
    const outcome = curl(controlPlaneIP, 10250);
    expect(outcome.kind).toBe('response');
    if (outcome.kind === 'response')
      expect(outcome.explanation.join('\n')).toContain('without the host firewall');
    expect(lastOf('drop')).toBeUndefined();
  });

  it('reports AUDIT instead of dropping in policy audit mode', () => {
    const { controlPlaneIP, curl, lastOf } = setup(43, {
      'hostFirewall.enabled': 'true',
      policyAuditMode: 'true',
    });
    const outcome = curl(controlPlaneIP, 10250);
    expect(outcome.kind).toBe('response');
    expect(lastOf('policy-verdict')?.verdict).toBe('AUDIT');
    expect(lastOf('drop')).toBeUndefined();
  });

  it('gives the same world and flows for the same seed', () => {
    const run = () => {
      const { simulation, controlPlaneIP, curl } = setup(44, { 'hostFirewall.enabled': 'true' });
      curl(controlPlaneIP, 10250);
      curl(controlPlaneIP, 6443);
      return { hash: stateHash(simulation.state), flows: JSON.stringify(flowsOf(simulation)) };
    };
    expect(run()).toEqual(run());
  });
});

// Host egress: a host policy with an egress section puts the host endpoint into default deny for
// what the node's own stack sends. bpf_host checks it with the destination identity of the node's
// ipcache, on cilium_host (local pods; remote pods in tunnel mode) or on eth0 (everything else).
const workerEgressPolicy = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: worker-egress
spec:
  nodeSelector:
    matchLabels:
      host-policy: kind-worker
  egress:
  - toEntities:
    - kube-apiserver
  - toCIDR:
    - 93.184.215.0/24
`;

/** A Deployment of one pod pinned to a node (spec.nodeName), as the tests need both ends placed. */
function pinned(name: string, node: string, port?: number): string {
  const image = port === undefined ? 'docker.io/curlimages/curl' : 'docker.io/library/nginx';
  return workload(name, { app: name }, image, port === undefined ? {} : { port }).replace(
    '    spec:\n',
    `    spec:\n      nodeName: ${node}\n`,
  );
}

function egressSetup(seed: number, values: Record<string, string>, policies = [workerEgressPolicy]) {
  const simulation = clusterWithCilium(seed, 2, '1.18.5', {
    'encryption.enabled': 'false',
    'hostFirewall.enabled': 'true',
    ...values,
  });
  apply(
    simulation,
    [
      pinned('local-web', 'kind-worker', 80),
      pinned('remote-web', 'kind-worker2', 80),
      pinned('client', 'kind-worker2'),
    ].join('---\n'),
  );
  settle(simulation);
  labelNode(simulation, 'kind-worker', { 'host-policy': 'kind-worker' });
  for (const policy of policies) applyPolicy(simulation, policy);
  const nodes = simulation.state.cluster?.nodes ?? {};
  const nodeIP = (name: string) => nodes[name]?.internalIP ?? '';
  const podIP = (app: string) => onePod(simulation, { app }).status?.podIP ?? '';
  const identityOf = (app: string) => {
    const pod = onePod(simulation, { app });
    const node = pod.spec.nodeName ?? '';
    const agent = simulation.state.cluster?.cilium?.agents[node];
    return Object.values(agent?.endpoints ?? {}).find((endpoint) => endpoint.podName === pod.metadata.name)
      ?.identity;
  };
  const fromNode = (node: string, host: string, port: number, extra: Partial<ConnectionRequest> = {}) =>
    connectFrom(simulation, {
      fromPodKey: '',
      fromNode: node,
      host,
      port,
      http: { method: 'GET', path: '/', headers: {} },
      ...extra,
    });
  const since = (count: number) => flowsOf(simulation).slice(count);
  const lastOf = (eventType: string) => flowsOf(simulation).findLast((flow) => flow.eventType === eventType);
  return { simulation, nodeIP, podIP, identityOf, fromNode, since, lastOf };
}

const text = (outcome: ConnectionOutcome) => outcome.explanation.join('\n');

describe('host firewall: a host egress policy (kube-apiserver and one CIDR)', () => {
  const { simulation, nodeIP, podIP, identityOf, fromNode, since, lastOf } = egressSetup(45, {}, [
    workerEgressPolicy,
    hostPolicy,
  ]);

  it('drops the node’s own connection to a pod on the same node, on cilium_host', () => {
    const before = flowsOf(simulation).length;
    const outcome = fromNode('kind-worker', podIP('local-web'), 80);
    expect(outcome.kind).toBe('timeout');
    expect(text(outcome)).toContain('host firewall on kind-worker drops the SYN');
    expect(text(outcome)).toContain('on cilium_host');
    const verdict = lastOf('policy-verdict');
    expect(verdict?.node).toBe('kind-worker');
    expect(verdict?.trafficDirection).toBe('EGRESS');
    expect(verdict?.verdict).toBe('DROPPED');
    expect(verdict?.tcpFlags).toBe('SYN');
    // From cilium_host's address, as the node's own stack: reserved:host.
    expect(verdict?.source.identity).toBe(1);
    expect(verdict?.source.ip).toBe(simulation.state.cluster?.cilium?.agents['kind-worker']?.routerIP);
    expect(verdict?.destination.identity).toBe(identityOf('local-web'));
    expect(verdict?.destination.podName).toBe(onePod(simulation, { app: 'local-web' }).metadata.name);
    expect(verdict?.explanation).toContain('egress policy (default-deny)');
    expect(lastOf('drop')?.dropReason).toBe('POLICY_DENIED');
    // The pod never saw the packet: nothing on its ingress side.
    expect(since(before).filter((flow) => flow.trafficDirection === 'INGRESS')).toEqual([]);
  });

  it('drops it toward a pod on another node and toward another node (remote-node)', () => {
    expect(fromNode('kind-worker', podIP('remote-web'), 80).kind).toBe('timeout');
    expect(lastOf('policy-verdict')?.destination.identity).toBe(identityOf('remote-web'));
    const toNode = fromNode('kind-worker', nodeIP('kind-worker2'), 10250);
    expect(toNode.kind).toBe('timeout');
    expect(text(toNode)).toContain('eth0');
    expect(lastOf('policy-verdict')?.destination.identity).toBe(6);
  });

  it('drops the internet outside the allowed CIDR as reserved:world', () => {
    const outcome = fromNode('kind-worker', '140.82.121.3', 80);
    expect(outcome.kind).toBe('timeout');
    const verdict = lastOf('policy-verdict');
    expect(verdict?.verdict).toBe('DROPPED');
    expect(verdict?.destination.identity).toBe(2);
  });

  it('lets the kube-apiserver entity through, by node address and through the kubernetes Service', () => {
    const direct = fromNode('kind-worker', nodeIP('kind-control-plane'), 6443);
    expect(direct.kind).toBe('response');
    if (direct.kind === 'response') expect(direct.response.status).toBe(403);
    // kind-control-plane's own host policy admits 6443 from the cluster on ingress; look at kind-worker.
    const workerEgress = () =>
      flowsOf(simulation).findLast(
        (flow) =>
          flow.eventType === 'policy-verdict' &&
          flow.node === 'kind-worker' &&
          flow.trafficDirection === 'EGRESS',
      );
    let verdict = workerEgress();
    expect(verdict?.verdict).toBe('FORWARDED');
    expect(verdict?.destination.identity).toBe(7);
    expect(verdict?.explanation).toContain('toEntities[0]: kube-apiserver');
    expect(lastOf('policy-verdict')?.node).toBe('kind-control-plane');
    // Socket load-balancing translates 10.96.0.1:443 first: bpf_host sees the backend.
    const service = fromNode('kind-worker', '10.96.0.1', 443, { tls: { insecure: true } });
    expect(service.kind).toBe('response');
    verdict = workerEgress();
    expect(verdict?.destination.ip).toBe(nodeIP('kind-control-plane'));
    expect(verdict?.destination.port).toBe(6443);
    expect(verdict?.verdict).toBe('FORWARDED');
  });

  it('lets the allowed CIDR through as one of the node’s own CIDR identities', () => {
    const outcome = fromNode('kind-worker', '93.184.215.14', 80);
    expect(outcome.kind).toBe('response');
    if (outcome.kind === 'response') expect(outcome.response.status).toBe(200);
    expect(text(outcome)).toContain('cidr:93.184.215.0/24, local to kind-worker');
    const verdict = lastOf('policy-verdict');
    expect(verdict?.verdict).toBe('FORWARDED');
    expect(verdict?.destination.identity).toBeGreaterThan(1 << 24);
    expect(verdict?.explanation).toContain('93.184.215.0/24');
  });

  it('passes the reply of a connection the host accepted, which its egress policy would not allow', () => {
    const before = flowsOf(simulation).length;
    const outcome = connectFrom(simulation, {
      fromPodKey: keyOfPod(onePod(simulation, { app: 'client' })),
      host: nodeIP('kind-worker'),
      port: 10250,
      http: { method: 'GET', path: '/', headers: {} },
    });
    expect(outcome.kind).toBe('response');
    if (outcome.kind === 'response') expect(outcome.response.status).toBe(401);
    expect(text(outcome)).toContain('kind-worker (leaving its host endpoint)');
    expect(since(before).some((flow) => flow.verdict === 'DROPPED')).toBe(false);
    // The host's ingress entry (endpoint 0) saw the request and its reply.
    const entry = listConntrack(simulation.state.cluster!, 'kind-worker', simulation.state.timeMs).find(
      (candidate) =>
        candidate.direction === 'ingress' &&
        candidate.destinationIP === nodeIP('kind-worker') &&
        candidate.destinationPort === 10250,
    );
    expect(entry?.endpointId).toBe(0);
    expect(entry?.replyPackets).toBeGreaterThanOrEqual(1);
  });

  it('passes the reply of the host’s own connection through an ingress-only host policy’s default deny', () => {
    // kind-control-plane's host policy only admits ports 22 and 6443 from the cluster; the answer of
    // kind-worker's kubelet comes back as CT_REPLY and is not looked up.
    const before = flowsOf(simulation).length;
    const outcome = fromNode('kind-control-plane', nodeIP('kind-worker'), 10250);
    expect(outcome.kind).toBe('response');
    expect(text(outcome)).toContain('kind-control-plane (entering its host endpoint)');
    expect(text(outcome)).toContain('no host policy');
    expect(
      since(before).filter((flow) => flow.node === 'kind-control-plane' && flow.eventType !== 'trace'),
    ).toEqual([]);
    const entry = listConntrack(
      simulation.state.cluster!,
      'kind-control-plane',
      simulation.state.timeMs,
    ).find((candidate) => candidate.direction === 'egress' && candidate.destinationPort === 10250);
    expect(entry?.sourceIdentity).toBe(1);
    expect(entry?.replyPackets).toBeGreaterThanOrEqual(1);
    // A new connection the other way is still dropped there.
    expect(fromNode('kind-worker2', nodeIP('kind-control-plane'), 10250).kind).toBe('timeout');
  });

  it('applies no egress default deny to a node no egress host policy selects', () => {
    const before = flowsOf(simulation).length;
    const outcome = fromNode('kind-worker2', '140.82.121.3', 80);
    expect(outcome.kind).toBe('response');
    expect(text(outcome)).toContain(
      'no host policy (a CiliumClusterwideNetworkPolicy with a nodeSelector) selects kind-worker2',
    );
    expect(since(before).some((flow) => flow.eventType === 'policy-verdict')).toBe(false);
    // Conntrack still records the connection, so its reply is recognised.
    expect(
      listConntrack(simulation.state.cluster!, 'kind-worker2', simulation.state.timeMs).some(
        (entry) =>
          entry.direction === 'egress' && entry.destinationIP === '140.82.121.3' && entry.endpointId === 0,
      ),
    ).toBe(true);
  });
});

describe('host firewall: established host connections', () => {
  it('emits no verdict for further packets, but drops them once the policy stops allowing them', () => {
    const { simulation, nodeIP, fromNode, since, lastOf } = egressSetup(46, {});
    const opened = fromNode('kind-worker', nodeIP('kind-control-plane'), 6443, { keepOpen: true });
    expect(opened.kind).toBe('response');
    const connectionId = opened.kind === 'response' ? (opened.connectionId ?? '') : '';
    let before = flowsOf(simulation).length;
    const again = traffic(simulation, { kind: 'send', connectionId, timeoutMs: 2000 });
    expect(again.request === 'send' && again.kind).toBe('response');
    expect(since(before).some((flow) => flow.eventType === 'policy-verdict')).toBe(false);
    applyPolicy(simulation, workerEgressPolicy.replace('  - toEntities:\n    - kube-apiserver\n', ''));
    before = flowsOf(simulation).length;
    const dropped = traffic(simulation, { kind: 'send', connectionId, timeoutMs: 2000 });
    expect(dropped.request === 'send' && dropped.kind).toBe('timeout');
    if (dropped.request === 'send') expect(dropped.explanation.join('\n')).toContain('CT_ESTABLISHED');
    const verdict = lastOf('policy-verdict');
    expect(flowsOf(simulation).length).toBeGreaterThan(before);
    expect(verdict?.verdict).toBe('DROPPED');
    expect(verdict?.trafficDirection).toBe('EGRESS');
    expect(verdict?.tcpFlags).toBe('ACK, PSH');
  });
});

describe('host firewall: egress in audit mode and under the enforcement modes', () => {
  it('reports AUDIT and lets the packet leave in policy audit mode', () => {
    const { simulation, fromNode, lastOf } = egressSetup(47, { policyAuditMode: 'true' });
    const outcome = fromNode('kind-worker', '140.82.121.3', 80);
    expect(outcome.kind).toBe('response');
    expect(text(outcome)).toContain('policy audit mode');
    const verdict = lastOf('policy-verdict');
    expect(verdict?.verdict).toBe('AUDIT');
    expect(verdict?.trafficDirection).toBe('EGRESS');
    expect(verdict?.source.identity).toBe(1);
    expect(lastOf('drop')).toBeUndefined();
    expect(flowsOf(simulation).some((flow) => flow.verdict === 'DROPPED')).toBe(false);
  });

  it('enforces nothing on the host with policyEnforcementMode=never', () => {
    const { fromNode, lastOf } = egressSetup(48, { policyEnforcementMode: 'never' });
    expect(fromNode('kind-worker', '140.82.121.3', 80).kind).toBe('response');
    expect(lastOf('policy-verdict')).toBeUndefined();
  });

  it('puts every host endpoint into default deny with policyEnforcementMode=always', () => {
    const { fromNode, lastOf } = egressSetup(49, { policyEnforcementMode: 'always' }, []);
    const outcome = fromNode('kind-worker2', '140.82.121.3', 80);
    expect(outcome.kind).toBe('timeout');
    expect(lastOf('policy-verdict')?.node).toBe('kind-worker2');
    expect(lastOf('drop')?.trafficDirection).toBe('EGRESS');
  });

  it('gives the same world and flows for the same seed', () => {
    const run = () => {
      const { simulation, nodeIP, podIP, fromNode } = egressSetup(50, {});
      fromNode('kind-worker', podIP('local-web'), 80);
      fromNode('kind-worker', nodeIP('kind-control-plane'), 6443);
      fromNode('kind-worker', '93.184.215.14', 80);
      return { hash: stateHash(simulation.state), flows: JSON.stringify(flowsOf(simulation)) };
    };
    expect(run()).toEqual(run());
  });
});

// toFQDNs in a host policy: the agent accepts it (no release refuses it) and compiles it against
// the node's own FQDN identities, which exist once the node's DNS proxy has seen an answer, from
// whichever local endpoint asked. The model does not send the node's own lookups to the proxy.
const mediabotPolicy = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: fqdn
spec:
  endpointSelector:
    matchLabels:
      class: mediabot
  egress:
  - toFQDNs:
    - matchPattern: "*.github.com"
  - toEndpoints:
    - matchLabels:
        "k8s:io.kubernetes.pod.namespace": kube-system
        "k8s:k8s-app": kube-dns
    toPorts:
    - ports:
      - port: "53"
        protocol: ANY
      rules:
        dns:
        - matchPattern: "*"
`;

describe('host firewall: toFQDNs in a host policy', () => {
  const simulation = clusterWithCilium(52, 2, '1.18.5', {
    'encryption.enabled': 'false',
    'hostFirewall.enabled': 'true',
  });
  apply(simulation, workload('mediabot', { class: 'mediabot' }, 'docker.io/curlimages/curl'));
  settle(simulation);
  const mediabot = onePod(simulation, { class: 'mediabot' });
  const node = mediabot.spec.nodeName ?? '';
  labelNode(simulation, node, { 'host-policy': node });
  applyPolicy(simulation, mediabotPolicy);
  applyPolicy(
    simulation,
    `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: host-fqdn
spec:
  nodeSelector:
    matchLabels:
      host-policy: ${node}
  egress:
  - toFQDNs:
    - matchName: api.github.com
`,
  );
  const fromNode = (host: string) =>
    connectFrom(simulation, {
      fromPodKey: '',
      fromNode: node,
      host,
      port: 80,
      http: { method: 'GET', path: '/', headers: {} },
    });

  it('is accepted, but selects nothing before the node’s DNS proxy has seen the name', () => {
    const agent = simulation.state.cluster?.cilium?.agents[node];
    const policy = agent === undefined ? undefined : hostEndpointPolicyFor(simulation.state.cluster!, agent);
    expect(policy?.egress.enforced).toBe(true);
    const outcome = fromNode('api.github.com');
    expect(outcome.kind).toBe('timeout');
    expect(text(outcome)).toContain('reserved:world (2)');
  });

  it('admits the address a pod’s lookup on the same node taught the DNS proxy', () => {
    const pod = connectFrom(simulation, {
      fromPodKey: keyOfPod(mediabot),
      host: 'api.github.com',
      port: 80,
      http: { method: 'GET', path: '/', headers: {} },
    });
    expect(pod.kind).toBe('response');
    const outcome = fromNode('api.github.com');
    expect(outcome.kind).toBe('response');
    expect(text(outcome)).toContain('fqdn:api.github.com');
    expect(text(outcome)).toContain('toFQDNs[0] matchName api.github.com');
    // A name nobody on the node looked up stays reserved:world, and the host policy drops it.
    expect(fromNode('github.com').kind).toBe('timeout');
  });
});

describe('host firewall: through the terminal', () => {
  const { simulation, podIP } = egressSetup(53, {});
  const session = new TerminalSession(simulation);

  it('times out docker exec kind-worker curl to a pod, and answers the API server', async () => {
    const blocked = await session.run(`docker exec kind-worker curl -sS -m 2 http://${podIP('remote-web')}`);
    expect(blocked.exitCode).toBe(28);
    expect(blocked.stderr).toBe('curl: (28) Connection timed out after 2001 milliseconds\n');
    const api = await session.run('docker exec kind-worker curl -sk https://10.96.0.1/version');
    expect(api.exitCode).toBe(0);
    expect(api.stdout).toContain('"reason": "Forbidden"');
    const elsewhere = await session.run(`docker exec kind-worker2 curl -s -m 2 http://${podIP('local-web')}`);
    expect(elsewhere.exitCode).toBe(0);
  });

  it("runs curl in a bash -c script on the node, and from the reader's machine only into the kind network", async () => {
    const script = await session.run(
      `docker exec kind-worker bash -c 'curl -s -o /dev/null -w "%{http_code}" -m 2 http://93.184.215.14 && curl -s -m 2 http://1.1.1.1'`,
    );
    expect(script.stdout).toBe('200');
    expect(script.exitCode).toBe(28);
    // The reader's own machine reaches the kind network only.
    const local = await session.run('curl -s http://93.184.215.14');
    expect(local.exitCode).toBe(1);
    expect(local.stderr).toContain('outside the kind network');
  });

  it('shows egress enforcement on the host endpoint and the drop in Hubble', async () => {
    const agent = simulation.state.cluster?.cilium?.agents['kind-worker']?.podName ?? '';
    const endpoints = await session.run(`kubectl -n kube-system exec ${agent} -- cilium-dbg endpoint list`);
    expect(endpoints.stdout).toMatch(
      /\n\d+ +Disabled +Enabled +1 +k8s:host-policy=kind-worker +ready +\n +reserved:host +\n/,
    );
    const observed = await session.run(
      `kubectl -n kube-system exec ${agent} -- hubble observe --type policy-verdict --last 2`,
    );
    expect(observed.stdout).toContain('policy-verdict:none EGRESS DENIED');
  });
});

// The reader's machine reaches kind's published API server from the Docker network's gateway,
// outside the cluster: a host policy admits it as world, or by a CIDR that contains the gateway,
// whose prefix then has a CIDR identity of its own on the node (as fromCIDR does in Cilium).
describe("host firewall: the reader's machine and the API server", () => {
  const rows: { name: string; ingress: string; reaches: boolean; identity?: number | 'cidr' }[] = [
    {
      name: 'the cluster only: locked out',
      ingress: '- fromEntities: [cluster]',
      reaches: false,
      identity: 2,
    },
    {
      name: 'world on 6443',
      ingress:
        '- fromEntities: [cluster]\n  - fromEntities: [world]\n    toPorts: [{ports: [{port: "6443", protocol: TCP}]}]',
      reaches: true,
    },
    {
      name: "the gateway's /32 on 6443",
      ingress:
        '- fromEntities: [cluster]\n  - fromCIDR: [172.18.0.1/32]\n    toPorts: [{ports: [{port: "6443", protocol: TCP}]}]',
      reaches: true,
      identity: 'cidr',
    },
    {
      name: "the Docker network's /16",
      ingress: '- fromCIDRSet: [{cidr: 172.18.0.0/16}]',
      reaches: true,
      identity: 'cidr',
    },
    {
      name: 'another address on 6443',
      ingress: '- fromCIDR: [172.18.0.99/32]\n    toPorts: [{ports: [{port: "6443", protocol: TCP}]}]',
      reaches: false,
    },
  ];
  it.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const simulation = clusterWithCilium(43, 1, '1.18.5', {
      'encryption.enabled': 'false',
      'hostFirewall.enabled': 'true',
    });
    applyPolicy(
      simulation,
      `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: host
spec:
  nodeSelector: {}
  ingress:
  ${row.ingress}
`,
    );
    const apiServer = simulation.state.cluster?.apiServer;
    const outcome = connectFrom(simulation, {
      fromPodKey: '',
      fromNode: 'docker-host',
      host: apiServer?.endpointIP ?? '',
      port: apiServer?.port ?? 6443,
    });
    expect(outcome.kind).toBe(row.reaches ? 'response' : 'timeout');
    const verdict = flowsOf(simulation).findLast((flow) => flow.eventType === 'policy-verdict');
    expect(verdict?.verdict).toBe(row.reaches ? 'FORWARDED' : 'DROPPED');
    if (row.identity === 'cidr') expect(verdict?.source.identity).toBeGreaterThanOrEqual(1 << 24);
    else if (row.identity !== undefined) expect(verdict?.source.identity).toBe(row.identity);
  });
});
