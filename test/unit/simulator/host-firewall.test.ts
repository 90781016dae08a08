import { describe, expect, it } from 'vitest';
import { resolveCiliumConfig } from '../../../simulator/cilium/config';
import { stateHash } from '../../../simulator/engine/state-hash';
import { apply, clusterWithCilium, settle } from './support';
import { applyPolicy, connectFrom, flowsOf, keyOfPod, onePod, workload } from './traffic-support';

// Host policies (CiliumClusterwideNetworkPolicy with a nodeSelector) select the host endpoint
// (reserved:host plus the Node's labels); only the host firewall enforces them, in bpf_host.
const hostPolicy = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: control-plane-ssh-and-api
spec:
  nodeSelector:
    matchLabels:
      kubernetes.io/hostname: kind-control-plane
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
