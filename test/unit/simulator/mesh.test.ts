import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Simulation } from '../../../simulator/simulation';
import { parseManifests } from '../../../simulator/k8s/manifests';
import { customKinds } from '../../../simulator/k8s/extension-points';
import { podsWithLabels, runningPods } from '../../../simulator/queries';
import { istioctlInstallOutput } from '../../../simulator/mesh/install';
import { certificateForPod } from '../../../simulator/mesh/workloads';
import { lastMeshConnection } from '../../../simulator/mesh/traffic';
import { lookupIpcache } from '../../../simulator/cilium/agent-ipcache';
import type { ConnectionOutcome } from '../../../simulator/cilium/datapath-types';
import { apply, clusterWithCilium, deploymentYaml, settle } from './support';

// Istio in the simulated cluster: injection, workload certificates, STRICT mTLS and
// AuthorizationPolicy decided on the certificate of the pod that really sent the request.

const helloworldYaml = (version: string): string => `apiVersion: v1
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
  replicas: 1
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
        image: docker.io/istio/examples-helloworld-${version}
        ports:
        - containerPort: 5000
`;

const strictAndAllowSleep = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: default
spec:
  mtls:
    mode: STRICT
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata:
  name: helloworld
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
    to:
    - operation:
        methods: ["GET"]
        paths: ["/hello"]
`;

function meshCluster(seed: number, profile: 'default' | 'ambient' = 'default'): Simulation {
  const simulation = clusterWithCilium(seed, 2);
  const installed = simulation.input({ type: 'istio.install', request: { tool: 'istioctl', profile } });
  if (!installed.ok) throw new Error(installed.error);
  simulation.input({
    type: 'object.label',
    kind: 'Namespace',
    key: 'default',
    labels:
      profile === 'ambient' ? { 'istio.io/dataplane-mode': 'ambient' } : { 'istio-injection': 'enabled' },
  });
  settle(simulation);
  apply(simulation, helloworldYaml('v1'));
  apply(simulation, deploymentYaml('sleep', 1, { app: 'sleep' }));
  apply(simulation, deploymentYaml('intruder', 1, { app: 'intruder' }));
  settle(simulation);
  simulation.advance(2_000);
  return simulation;
}

function curl(
  simulation: Simulation,
  app: string,
  path = '/hello',
  method = 'GET',
  namespace = 'default',
): ConnectionOutcome {
  const pod = runningPods(podsWithLabels(simulation.state, { app }, namespace))[0];
  if (pod === undefined) throw new Error(`no ${app} pod`);
  const result = simulation.input({
    type: 'pod.connect',
    request: {
      fromPodKey: `${namespace}/${pod.metadata.name}`,
      host: 'helloworld.default',
      port: 5000,
      protocol: 'TCP',
      http: { method, path, headers: {} },
      timeoutMs: 2000,
    },
  });
  if (!result.ok || result.connection === undefined) throw new Error('no outcome');
  return result.connection;
}

describe('mesh: install', () => {
  it('prints what istioctl prints for each profile', () => {
    expect(
      istioctlInstallOutput({
        ok: true,
        profile: 'default',
        installed: ['base', 'istiod', 'ingressGateway'],
      }),
    ).toContain('✔ Ingress gateways installed');
    const ambient = istioctlInstallOutput({
      ok: true,
      profile: 'ambient',
      installed: ['base', 'istiod', 'cni', 'ztunnel'],
    });
    expect(ambient).toContain('✔ CNI installed');
    expect(ambient).toContain('✔ Ztunnel installed');
    expect(ambient).toContain('✔ Installation complete');
  });

  it('refuses Istio kinds before the CRDs exist, and wrong fields after', () => {
    const simulation = clusterWithCilium(3, 1);
    const kinds = customKinds(simulation.state);
    const parsed = parseManifests(strictAndAllowSleep, { kinds });
    expect(parsed.errors).toEqual([]);
    const refused = simulation.input({ type: 'api.apply', objects: parsed.objects });
    expect(refused.ok).toBe(false);
    const wrong = parseManifests(strictAndAllowSleep.replace('principals:', 'principal:'), { kinds });
    expect(wrong.errors.join('\n')).toMatch(
      /strict decoding error: unknown field "spec.rules\[0\].from\[0\].source.principal"/,
    );
    const badMode = parseManifests(strictAndAllowSleep.replace('mode: STRICT', 'mode: STRICTER'), { kinds });
    expect(badMode.errors.join('\n')).toMatch(/spec.mtls.mode: Unsupported value: "STRICTER"/);
  });

  it('creates istiod, and ztunnel on every node in ambient mode', () => {
    const simulation = meshCluster(4, 'ambient');
    const cluster = simulation.state.cluster;
    expect(Object.keys(cluster?.mesh?.ztunnels ?? {})).toHaveLength(3);
    expect(runningPods(podsWithLabels(simulation.state, { app: 'istiod' }, 'istio-system'))).toHaveLength(1);
    expect(cluster?.mesh?.root.notAfterMs).toBe(
      (cluster?.mesh?.root.notBeforeMs ?? 0) + 3650 * 24 * 3600_000,
    );
  });
});

describe('mesh: sidecar injection and certificates', () => {
  it('injects istio-init and istio-proxy, so pods are READY 2/2', () => {
    const simulation = meshCluster(5);
    const pod = runningPods(podsWithLabels(simulation.state, { app: 'sleep' }))[0];
    expect(pod?.spec.containers.map((container) => container.name)).toEqual(['main', 'istio-proxy']);
    expect(pod?.spec.initContainers?.map((container) => container.name)).toEqual(['istio-init']);
    expect(pod?.status.containerStatuses?.filter((status) => status.ready)).toHaveLength(2);
  });

  it('issues the service account identity and rotates before expiry', () => {
    const simulation = meshCluster(6);
    const pod = runningPods(podsWithLabels(simulation.state, { app: 'sleep' }))[0];
    if (pod?.spec.nodeName === undefined) throw new Error('no pod');
    const first = certificateForPod(simulation.state, pod, pod.spec.nodeName);
    expect(first?.spiffeId).toBe('spiffe://cluster.local/ns/default/sa/sleep');
    if (first === undefined) throw new Error('no certificate');
    expect(first.notAfterMs - first.issuedAtMs).toBe(24 * 3600_000);
    expect(first.issuedAtMs - first.notBeforeMs).toBe(120_000);
    const half = (first.rotateAtMs - first.issuedAtMs) / (24 * 3600_000);
    expect(half).toBeGreaterThanOrEqual(0.49);
    expect(half).toBeLessThanOrEqual(0.51);
    simulation.advance(first.rotateAtMs - simulation.nowMs + 1_000);
    const second = certificateForPod(simulation.state, pod, pod.spec.nodeName);
    expect(second?.serialHex).not.toBe(first.serialHex);
    expect(second?.spiffeId).toBe(first.spiffeId);
    expect(second?.generation).toBe(2);
    expect(simulation.nowMs).toBeLessThan(first.notAfterMs);
  });
});

describe('mesh: traffic', () => {
  it('lets the allowed principal in and answers 403 RBAC: access denied to others', () => {
    const simulation = meshCluster(7);
    apply(simulation, strictAndAllowSleep);
    const allowed = curl(simulation, 'sleep');
    expect(allowed.kind === 'response' && allowed.response.body).toMatch(/^Hello version: v1/);
    const record = lastMeshConnection(simulation.state);
    expect(record?.sni).toBe('outbound_.5000_._.helloworld.default.svc.cluster.local');
    expect(record?.client.spiffeId).toBe('spiffe://cluster.local/ns/default/sa/sleep');
    const wrongMethod = curl(simulation, 'sleep', '/hello', 'POST');
    expect(wrongMethod.kind === 'response' && wrongMethod.response.status).toBe(403);
    const denied = curl(simulation, 'intruder');
    expect(denied.kind === 'response' && denied.response.body).toBe('RBAC: access denied');
    expect(lastMeshConnection(simulation.state)?.result).toBe('denied-403');
  });

  it('resets plaintext from outside the mesh under STRICT', () => {
    const simulation = meshCluster(8);
    apply(simulation, strictAndAllowSleep);
    apply(simulation, `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: outside\n`);
    apply(
      simulation,
      deploymentYaml('plain', 1, { app: 'plain' }).replace(
        /metadata:\n {2}name: plain/g,
        'metadata:\n  name: plain\n  namespace: outside',
      ),
    );
    settle(simulation);
    const outcome = curl(simulation, 'plain', '/hello', 'GET', 'outside');
    expect(outcome.kind === 'error' && outcome.message).toBe(
      'curl: (56) Recv failure: Connection reset by peer',
    );
    expect(lastMeshConnection(simulation.state)?.result).toBe('reset-plaintext-strict');
  });

  it('closes a denied connection at ztunnel in ambient mode', () => {
    const simulation = meshCluster(9, 'ambient');
    apply(
      simulation,
      strictAndAllowSleep.replace('methods: ["GET"]\n        paths: ["/hello"]', 'ports: ["5000"]'),
    );
    expect(curl(simulation, 'sleep').kind).toBe('response');
    const denied = curl(simulation, 'intruder');
    expect(denied.kind === 'error' && denied.message).toMatch(/\(56\)/);
    expect(lastMeshConnection(simulation.state)?.transport).toBe('hbone');
  });

  it('decides on the certificate, whatever the ipcache says (stale or not)', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.constantFrom('sleep', 'intruder'), (corrupt, app) => {
        const simulation = meshCluster(10);
        apply(simulation, strictAndAllowSleep);
        const pod = runningPods(podsWithLabels(simulation.state, { app }))[0];
        const server = runningPods(podsWithLabels(simulation.state, { app: 'helloworld' }))[0];
        const cluster = simulation.state.cluster;
        const agent =
          server?.spec.nodeName === undefined ? undefined : cluster?.cilium?.agents[server.spec.nodeName];
        if (corrupt && cluster !== undefined && agent !== undefined && pod?.status.podIP !== undefined) {
          // Make the server node's ipcache believe the client's address belongs to the other app.
          const other = runningPods(
            podsWithLabels(simulation.state, { app: app === 'sleep' ? 'intruder' : 'sleep' }),
          )[0];
          const view = cluster.cilium?.views[agent.viewId];
          const entry = view?.ipcache[pod.status.podIP];
          const otherEntry =
            other?.status.podIP === undefined ? undefined : view?.ipcache[other.status.podIP];
          const remote = agent.ipToEndpoint[pod.status.podIP] === undefined;
          if (remote && view !== undefined && entry !== undefined && otherEntry !== undefined) {
            // Same tunnel endpoint (so WireGuard still accepts it), another pod's identity and name.
            view.ipcache[pod.status.podIP] = {
              ...entry,
              identity: otherEntry.identity,
              podName: otherEntry.podName ?? '',
            };
            expect(lookupIpcache(cluster, agent, pod.status.podIP).identity).toBe(otherEntry.identity);
          }
        }
        const outcome = curl(simulation, app);
        const allowed = outcome.kind === 'response' && outcome.response.status === 200;
        return allowed === (app === 'sleep');
      }),
      { numRuns: 6 },
    );
  });
});
