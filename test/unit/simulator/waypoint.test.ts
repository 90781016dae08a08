import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Simulation } from '../../../simulator/simulation';
import { podsWithLabels, runningPods } from '../../../simulator/queries';
import { lastMeshConnection } from '../../../simulator/mesh/traffic';
import {
  applyWaypoint,
  istioctlWaypointApplyOutput,
  podsBehindWaypoint,
  waypointEnrolment,
} from '../../../simulator/mesh/waypoint';
import { podsSharingFaultyProxy, type ProxiedPod } from '../../../simulator/cilium/envoy-blast-radius';
import type { ConnectionOutcome } from '../../../simulator/cilium/datapath-types';
import { listObjects } from '../../../simulator/k8s/api-store';
import { apply, clusterWithCilium, deploymentYaml, settle } from './support';

// Ambient waypoints: L7 AuthorizationPolicy attached by targetRefs, enforced by the waypoint on the
// client certificate its ztunnel presented; ztunnel-only traffic never sees such a policy.

const helloworldYaml = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: helloworld
---
apiVersion: v1
kind: Service
metadata:
  name: helloworld
spec:
  ports:
  - port: 5000
    name: http
  selector:
    app: helloworld
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: helloworld
spec:
  replicas: 2
  selector:
    matchLabels:
      app: helloworld
  template:
    metadata:
      labels:
        app: helloworld
    spec:
      serviceAccountName: helloworld
      containers:
      - name: helloworld
        image: docker.io/istio/examples-helloworld-v1
        ports:
        - containerPort: 5000
`;

const waypointPolicy = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: helloworld-l7
  namespace: default
spec:
  targetRefs:
  - kind: Gateway
    group: gateway.networking.k8s.io
    name: waypoint
  action: ALLOW
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/default/sa/sleep"]
    to:
    - operation:
        methods: ["GET"]
        paths: ["/hello"]
`;

function ambientCluster(seed: number): Simulation {
  const simulation = clusterWithCilium(seed, 2);
  const installed = simulation.input({
    type: 'istio.install',
    request: { tool: 'istioctl', profile: 'ambient' },
  });
  if (!installed.ok) throw new Error(installed.error);
  simulation.input({
    type: 'object.label',
    kind: 'Namespace',
    key: 'default',
    labels: { 'istio.io/dataplane-mode': 'ambient' },
  });
  settle(simulation);
  apply(simulation, helloworldYaml);
  apply(simulation, deploymentYaml('sleep', 1, { app: 'sleep' }));
  apply(simulation, deploymentYaml('intruder', 1, { app: 'intruder' }));
  settle(simulation);
  simulation.advance(2_000);
  return simulation;
}

/** `istioctl waypoint apply -n default --enroll-namespace`, then waits for the waypoint pod. */
function addWaypoint(simulation: Simulation): void {
  // Without the Gateway API CRDs a waypoint (a Gateway object) cannot be created.
  const refused = applyWaypoint(simulation.state, { namespace: 'default', enrollNamespace: true });
  expect(istioctlWaypointApplyOutput(refused)).toMatch(
    /^Error: missing Kubernetes Gateway CRDs need to be installed before applying a waypoint/,
  );
  expect(simulation.input({ type: 'gateway-api.crds.apply', version: 'v1.2.1' })).toMatchObject({
    ok: true,
    crds: expect.arrayContaining([
      'customresourcedefinition.apiextensions.k8s.io/gateways.gateway.networking.k8s.io created',
    ]) as unknown,
  });
  // The terminal wires this as an input; the test calls the handler on the world directly.
  const result = applyWaypoint(simulation.state, { namespace: 'default', enrollNamespace: true });
  expect(istioctlWaypointApplyOutput(result)).toBe(
    '✅ waypoint default/waypoint applied\n✅ namespace default labeled with "istio.io/use-waypoint: waypoint"',
  );
  simulation.input({
    type: 'object.label',
    kind: 'Namespace',
    key: 'default',
    labels: waypointEnrolment('waypoint'),
  });
  settle(simulation);
  simulation.advance(2_000);
}

function curl(simulation: Simulation, app: string, path = '/hello'): ConnectionOutcome {
  const pod = runningPods(podsWithLabels(simulation.state, { app }, 'default'))[0];
  if (pod === undefined) throw new Error(`no ${app} pod`);
  const result = simulation.input({
    type: 'pod.connect',
    request: {
      fromPodKey: `default/${pod.metadata.name}`,
      host: 'helloworld.default',
      port: 5000,
      protocol: 'TCP',
      http: { method: 'GET', path, headers: {} },
      timeoutMs: 2000,
    },
  });
  if (!result.ok || result.connection === undefined) throw new Error('no outcome');
  return result.connection;
}

const status = (outcome: ConnectionOutcome): number | string =>
  outcome.kind === 'response' ? outcome.response.status : outcome.kind;

describe('ambient waypoint', () => {
  it('ignores a waypoint-targeted L7 policy on ztunnel-only traffic', () => {
    const simulation = ambientCluster(21);
    apply(simulation, waypointPolicy);
    // The request reaches helloworld, which has no /hello3 (404): no RBAC 403 on the way.
    expect(status(curl(simulation, 'sleep', '/hello3'))).toBe(404);
    expect(lastMeshConnection(simulation.state)?.result).toBe('allowed');
    expect(status(curl(simulation, 'intruder'))).toBe(200);
    const record = lastMeshConnection(simulation.state);
    expect(record?.transport).toBe('hbone');
    expect(record?.waypoint).toBeUndefined();
  });

  it('enforces the L7 policy at the waypoint on the client certificate', () => {
    const simulation = ambientCluster(22);
    apply(simulation, waypointPolicy);
    addWaypoint(simulation);

    expect(status(curl(simulation, 'sleep'))).toBe(200);
    const allowed = lastMeshConnection(simulation.state);
    expect(allowed?.transport).toBe('hbone');
    expect(allowed?.waypoint?.name).toBe('waypoint');
    expect(allowed?.waypoint?.spiffeId).toBe('spiffe://cluster.local/ns/default/sa/waypoint');
    expect(allowed?.authorization?.allowed).toBe(true);

    for (const [app, path] of [
      ['sleep', '/hello3'],
      ['intruder', '/hello'],
    ] as const) {
      const denied = curl(simulation, app, path);
      expect(denied.kind === 'response' && denied.response.body).toBe('RBAC: access denied');
      expect(status(denied)).toBe(403);
      const record = lastMeshConnection(simulation.state);
      expect(record?.result).toBe('denied-403');
      expect(record?.authorization?.policy).toBeUndefined();
      expect(record?.accessLog).toContain('403');
    }
  });

  it('lets the destination ztunnel enforce L4 policy on the waypoint identity', () => {
    const simulation = ambientCluster(23);
    addWaypoint(simulation);
    // A selector-based L4 policy naming the client: behind a waypoint, ztunnel sees the waypoint.
    apply(
      simulation,
      `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: l4
  namespace: default
spec:
  selector:
    matchLabels:
      app: helloworld
  action: ALLOW
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/default/sa/sleep"]
`,
    );
    const outcome = curl(simulation, 'sleep');
    expect(outcome.kind).toBe('error');
    expect(lastMeshConnection(simulation.state)?.result).toBe('closed-by-policy');
  });

  it('decides on certificates whatever the ipcache says', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.constantFrom('sleep', 'intruder'), (corrupt, app) => {
        const simulation = ambientCluster(24);
        apply(simulation, waypointPolicy);
        addWaypoint(simulation);
        const cluster = simulation.state.cluster;
        if (corrupt && cluster?.cilium !== undefined) {
          // Every node believes every pod address belongs to the other client app.
          const other = runningPods(
            podsWithLabels(simulation.state, { app: app === 'sleep' ? 'intruder' : 'sleep' }),
          )[0];
          for (const view of Object.values(cluster.cilium.views)) {
            const otherEntry =
              other?.status.podIP === undefined ? undefined : view.ipcache[other.status.podIP];
            if (otherEntry === undefined) continue;
            for (const [ip, entry] of Object.entries(view.ipcache))
              if (entry.podName !== undefined)
                view.ipcache[ip] = {
                  ...entry,
                  identity: otherEntry.identity,
                  podName: otherEntry.podName ?? '',
                };
          }
        }
        return status(curl(simulation, app)) === (app === 'sleep' ? 200 : 403);
      }),
      { numRuns: 4 },
    );
  });

  it('is deterministic', () => {
    const run = (): unknown => {
      const simulation = ambientCluster(25);
      apply(simulation, waypointPolicy);
      addWaypoint(simulation);
      curl(simulation, 'sleep');
      curl(simulation, 'intruder');
      return simulation.state.cluster?.mesh?.connections.slice(-2);
    };
    expect(run()).toEqual(run());
  });

  it('a stalled waypoint takes down its enrolled services on every node, and nothing else', () => {
    const simulation = ambientCluster(26);
    addWaypoint(simulation);
    const behind = podsBehindWaypoint(simulation.state, 'default/waypoint');
    expect(behind.map((pod) => pod.services[0])).toEqual(['helloworld', 'helloworld']);
    expect(behind.every((pod) => pod.serviceAccount === 'helloworld')).toBe(true);
    // Cilium's node Envoy, over the same pods if all were redirected: a whole node, any workload.
    const cluster = simulation.state.cluster;
    if (cluster === undefined) throw new Error('no cluster');
    const pods: ProxiedPod[] = runningPods(listObjects(cluster.api, 'Pod')).map((pod) => ({
      name: pod.metadata.name,
      namespace: pod.metadata.namespace ?? 'default',
      serviceAccount: pod.spec.serviceAccountName ?? 'default',
      node: pod.spec.nodeName ?? '',
      services: [],
      l7: true,
    }));
    const first = behind[0];
    if (first === undefined) throw new Error('no pod behind the waypoint');
    const node = podsSharingFaultyProxy(pods, 'cilium-node-envoy', {
      node: first.node,
      namespace: first.namespace,
      services: first.services,
    });
    expect(node.some((pod) => pod.name.startsWith('helloworld') === false)).toBe(true);
  });

  interface AddressingCase {
    name: string;
    waypointFor: 'service' | 'workload' | 'all';
    enrol: 'namespace' | 'pod';
    address: 'service' | 'pod';
    viaWaypoint: boolean;
  }
  // istio.io docs, ambient/usage/waypoint: a waypoint handles only the traffic type its
  // istio.io/waypoint-for names; a Service, a pod or a namespace opts in with istio.io/use-waypoint.
  const addressing: AddressingCase[] = [
    {
      name: 'service waypoint, Service address',
      waypointFor: 'service',
      enrol: 'namespace',
      address: 'service',
      viaWaypoint: true,
    },
    {
      name: 'service waypoint, pod address',
      waypointFor: 'service',
      enrol: 'namespace',
      address: 'pod',
      viaWaypoint: false,
    },
    {
      name: 'workload waypoint on the pod, pod address',
      waypointFor: 'workload',
      enrol: 'pod',
      address: 'pod',
      viaWaypoint: true,
    },
    {
      name: 'workload waypoint on the namespace, pod address',
      waypointFor: 'workload',
      enrol: 'namespace',
      address: 'pod',
      viaWaypoint: true,
    },
    {
      name: 'workload waypoint, Service address',
      waypointFor: 'workload',
      enrol: 'namespace',
      address: 'service',
      viaWaypoint: false,
    },
    { name: 'all, pod address', waypointFor: 'all', enrol: 'pod', address: 'pod', viaWaypoint: true },
  ];

  it.each(addressing)(
    '$name: through the waypoint = $viaWaypoint',
    ({ waypointFor, enrol, address, viaWaypoint }) => {
      const simulation = ambientCluster(27);
      simulation.input({ type: 'gateway-api.crds.apply', version: 'v1.2.1' });
      const applied = applyWaypoint(simulation.state, { namespace: 'default', name: 'wp', waypointFor });
      expect(applied.ok).toBe(true);
      const server = runningPods(podsWithLabels(simulation.state, { app: 'helloworld' }, 'default'))[0];
      if (server === undefined) throw new Error('no helloworld pod');
      if (enrol === 'namespace')
        simulation.input({
          type: 'object.label',
          kind: 'Namespace',
          key: 'default',
          labels: waypointEnrolment('wp'),
        });
      else
        for (const pod of runningPods(podsWithLabels(simulation.state, { app: 'helloworld' }, 'default')))
          simulation.input({
            type: 'object.label',
            kind: 'Pod',
            key: `default/${pod.metadata.name}`,
            labels: waypointEnrolment('wp'),
          });
      settle(simulation);
      simulation.advance(2_000);
      const client = runningPods(podsWithLabels(simulation.state, { app: 'sleep' }, 'default'))[0];
      const result = simulation.input({
        type: 'pod.connect',
        request: {
          fromPodKey: `default/${client?.metadata.name ?? ''}`,
          host: address === 'service' ? 'helloworld.default' : (server.status.podIP ?? ''),
          port: 5000,
          protocol: 'TCP',
          http: { method: 'GET', path: '/hello', headers: {} },
          timeoutMs: 2000,
        },
      });
      expect(result.ok && result.connection !== undefined && status(result.connection)).toBe(200);
      expect(lastMeshConnection(simulation.state)?.waypoint?.name).toBe(viaWaypoint ? 'wp' : undefined);
    },
  );
});
