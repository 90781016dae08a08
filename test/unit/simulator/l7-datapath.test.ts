import { describe, expect, it } from 'vitest';
import { podsWithLabels, runningPods } from '../../../simulator/queries';
import type { Simulation } from '../../../simulator/simulation';
import { apply, clusterWithCilium, settle } from './support';
import { ciliumExample } from '../cilium-examples';

// An L7 HTTP rule redirects the connection to the node's Envoy, which answers refused requests with
// its own 403 "Access denied" (Cilium's getting-started Star Wars example, run through the datapath).
const starWars = `apiVersion: v1
kind: Service
metadata:
  name: deathstar
spec:
  selector:
    org: empire
    class: deathstar
  ports:
  - port: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: deathstar
spec:
  replicas: 1
  selector:
    matchLabels:
      org: empire
      class: deathstar
  template:
    metadata:
      labels:
        org: empire
        class: deathstar
    spec:
      containers:
      - name: deathstar
        image: docker.io/cilium/starwars
        ports:
        - containerPort: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: tiefighter
spec:
  replicas: 1
  selector:
    matchLabels:
      org: empire
      class: tiefighter
  template:
    metadata:
      labels:
        org: empire
        class: tiefighter
    spec:
      containers:
      - name: spaceship
        image: docker.io/tgraf/netperf
        command: ["/bin/sleep", "3650d"]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: xwing
spec:
  replicas: 1
  selector:
    matchLabels:
      org: alliance
      class: xwing
  template:
    metadata:
      labels:
        org: alliance
        class: xwing
    spec:
      containers:
      - name: spaceship
        image: docker.io/tgraf/netperf
        command: ["/bin/sleep", "3650d"]
---
${ciliumExample('minikube/sw_l3_l4_l7_policy.yaml')}`;

function request(simulation: Simulation, ship: string, method: string, path: string) {
  const pod = runningPods(podsWithLabels(simulation.state, { class: ship }))[0];
  if (pod === undefined) throw new Error(`no ${ship}`);
  const result = simulation.input({
    type: 'pod.connect',
    request: {
      fromPodKey: `default/${pod.metadata.name}`,
      host: 'deathstar.default.svc.cluster.local',
      port: 80,
      protocol: 'TCP',
      http: { method, path, headers: {} },
      timeoutMs: 2000,
    },
  });
  if (!result.ok || result.connection === undefined) throw new Error('no outcome');
  return result.connection;
}

describe('datapath: L7 HTTP policy', () => {
  const simulation = clusterWithCilium(4, 2, '1.18.5', { 'encryption.enabled': 'false' });
  apply(simulation, starWars);
  settle(simulation);
  simulation.advance(1000);

  it('lets the tiefighter land', () => {
    const outcome = request(simulation, 'tiefighter', 'POST', '/v1/request-landing');
    expect(outcome.kind).toBe('response');
    if (outcome.kind === 'response') expect(outcome.response.body).toBe('Ship landed\n');
  });

  it("answers the tiefighter's PUT /v1/exhaust-port with Envoy's 403 Access denied", () => {
    const outcome = request(simulation, 'tiefighter', 'PUT', '/v1/exhaust-port');
    expect(outcome.kind).toBe('response');
    if (outcome.kind === 'response') {
      expect(outcome.response.status).toBe(403);
      expect(outcome.response.body).toBe('Access denied\r\n');
    }
    const flows = simulation.state.cluster?.cilium?.flows ?? [];
    expect(
      flows.some(
        (flow) => flow.eventType === 'l7' && flow.verdict === 'DROPPED' && flow.l7?.method === 'PUT',
      ),
    ).toBe(true);
  });

  it('drops the xwing at L3/L4, so its request times out', () => {
    expect(request(simulation, 'xwing', 'POST', '/v1/request-landing').kind).toBe('timeout');
  });
});
