import { describe, expect, it } from 'vitest';
import { apply, clusterWithCilium, settle } from './support';
import { applyPolicy, connectFrom, flowsOf, keyOfPod, onePod, workload } from './traffic-support';

// Traffic that leaves the cluster or comes from nodes: world and CIDR identities on egress (CIDR
// rules never select pods), host and remote-node on ingress, kube-apiserver for the API server.
describe('CIDR and world identities on egress', () => {
  const simulation = clusterWithCilium(31, 2, '1.18.5', { 'encryption.enabled': 'false' });
  apply(
    simulation,
    `${workload('crawler', { role: 'crawler' }, 'docker.io/curlimages/curl')}---
${workload('helloworld', { app: 'helloworld' }, 'docker.io/istio/examples-helloworld-v1', { port: 5000, service: true })}`,
  );
  settle(simulation);
  applyPolicy(
    simulation,
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: crawler
spec:
  endpointSelector:
    matchLabels:
      role: crawler
  egress:
  - toCIDRSet:
    - cidr: 140.82.0.0/16
      except:
      - 140.82.121.3/32
    - cidr: 10.244.0.0/16
    toPorts:
    - ports:
      - port: "443"
        protocol: TCP
      - port: "5000"
        protocol: TCP
`,
  );
  const crawler = keyOfPod(onePod(simulation, { role: 'crawler' }));
  const curl = (host: string, port = 443) => connectFrom(simulation, { fromPodKey: crawler, host, port });
  const lastVerdict = () => flowsOf(simulation).findLast((flow) => flow.eventType === 'policy-verdict');

  it('allows an address inside the CIDR through its node-local CIDR identity', () => {
    expect(curl('140.82.121.6').kind).toBe('response');
    expect(lastVerdict()?.destination.identity).toBeGreaterThanOrEqual(16777216);
  });

  it('drops an address in the except list', () => {
    expect(curl('140.82.121.3').kind).toBe('timeout');
    expect(lastVerdict()?.verdict).toBe('DROPPED');
  });

  it('drops an address no rule names as reserved:world', () => {
    const outcome = curl('1.1.1.1');
    expect(outcome.kind).toBe('timeout');
    expect(lastVerdict()?.destination.identity).toBe(2);
    if (outcome.kind === 'timeout') expect(outcome.explanation.join('\n')).toContain('default deny');
  });

  it('never lets a CIDR rule select a pod, even one inside the CIDR', () => {
    const server = onePod(simulation, { app: 'helloworld' });
    expect(curl(server.status.podIP ?? '', 5000).kind).toBe('timeout');
    expect(lastVerdict()?.destination.identity).not.toBe(2);
    expect(lastVerdict()?.destination.podName).toBe(server.metadata.name);
  });
});

describe('traffic from nodes and to the API server', () => {
  const simulation = clusterWithCilium(32, 2, '1.18.5', { 'encryption.enabled': 'false' });
  apply(
    simulation,
    `${workload('client', { app: 'client' }, 'docker.io/curlimages/curl')}---
${workload('helloworld', { app: 'helloworld' }, 'docker.io/istio/examples-helloworld-v1', { port: 5000, service: true })}`,
  );
  settle(simulation);
  applyPolicy(
    simulation,
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: only-client
spec:
  endpointSelector:
    matchLabels:
      app: helloworld
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: client
`,
  );
  const server = onePod(simulation, { app: 'helloworld' });
  const serverNode = server.spec.nodeName ?? '';
  const otherWorker =
    Object.keys(simulation.state.cluster?.nodes ?? {}).find(
      (name) => name !== serverNode && !name.endsWith('control-plane'),
    ) ?? '';

  it('sees its own node as reserved:host, which allow-localhost lets in', () => {
    const outcome = connectFrom(simulation, {
      fromPodKey: '',
      fromNode: serverNode,
      host: server.status.podIP ?? '',
      port: 5000,
      http: { method: 'GET', path: '/hello', headers: {} },
    });
    expect(outcome.kind).toBe('response');
    const verdict = flowsOf(simulation).findLast((flow) => flow.eventType === 'policy-verdict');
    expect(verdict?.source.identity).toBe(1);
  });

  it('sees another node as reserved:remote-node, which the policy does not allow', () => {
    const outcome = connectFrom(simulation, {
      fromPodKey: '',
      fromNode: otherWorker,
      host: server.status.podIP ?? '',
      port: 5000,
    });
    expect(outcome.kind).toBe('timeout');
    const verdict = flowsOf(simulation).findLast((flow) => flow.eventType === 'policy-verdict');
    expect(verdict?.source.identity).toBe(6);
    expect(verdict?.verdict).toBe('DROPPED');
  });

  it('classifies the API server behind the kubernetes Service as reserved:kube-apiserver', () => {
    const client = keyOfPod(onePod(simulation, { app: 'client' }));
    const open = connectFrom(simulation, { fromPodKey: client, host: '10.96.0.1', port: 443 });
    expect(open.kind).toBe('response');
    if (open.kind === 'response') expect(open.response.status).toBe(403);
    applyPolicy(
      simulation,
      `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: client-egress
spec:
  endpointSelector:
    matchLabels:
      app: client
  egress:
  - toEntities:
    - kube-apiserver
`,
    );
    expect(connectFrom(simulation, { fromPodKey: client, host: '10.96.0.1', port: 443 }).kind).toBe(
      'response',
    );
    const verdict = flowsOf(simulation).findLast((flow) => flow.eventType === 'policy-verdict');
    expect(verdict?.destination.identity).toBe(7);
    expect(verdict?.trafficDirection).toBe('EGRESS');
    expect(connectFrom(simulation, { fromPodKey: client, host: '1.1.1.1', port: 443 }).kind).toBe('timeout');
  });
});
