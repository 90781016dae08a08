/**
 * Multi-tenancy of Cilium's node Envoy (seed 003's closing argument), as Cilium really lets a tenant
 * extend it: two teams in their own namespaces, each with an HTTP rule on a service, and one team's
 * CiliumEnvoyConfig that adds its own listener, with a Lua filter, for its own Service. The agent's
 * policy listeners never change; what the tenants share is the node Envoy's worker threads. The
 * filter never returns, each request that runs it pins a worker, and once every worker of that node's
 * Envoy is pinned, every redirected request on the node waits, the other team's included, while an
 * L4-only service and the other node carry on. Deleting the CiliumEnvoyConfig frees no worker; only
 * a new Envoy process does. The comparison step computes, over the same pods, who would share the
 * faulty filter's proxy with an Istio sidecar or an ambient waypoint.
 *
 * Cilium 1.15: the first release whose agent decodes Lua and Wasm HTTP filters in a
 * CiliumEnvoyConfig (cilium/envoy-config-resources.ts), with Envoy still inside the agent pod.
 */
import type { Scenario } from '../types';
import { envoyConfigYaml, shopEnvoyConfig } from './envoy-config';

/** One team: a namespace, a curl client and helloworld services, each spread one pod per node. */
function tenantYaml(namespace: string, services: { name: string; version: string }[]): string {
  const service = ({ name, version }: { name: string; version: string }) => `---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}
  namespace: ${namespace}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      serviceAccountName: ${name}
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector:
              matchLabels:
                app: ${name}
            topologyKey: kubernetes.io/hostname
      containers:
      - name: ${name}
        image: docker.io/istio/examples-helloworld-${version}
        ports:
        - containerPort: 5000
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  selector:
    app: ${name}
  ports:
  - name: http
    port: 5000
`;
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${namespace}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: sleep
  namespace: ${namespace}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: sleep
  namespace: ${namespace}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: sleep
  template:
    metadata:
      labels:
        app: sleep
    spec:
      serviceAccountName: sleep
      terminationGracePeriodSeconds: 0
      containers:
      - name: sleep
        image: curlimages/curl
        command: ["/bin/sleep", "3650d"]
${services.map(service).join('')}`;
}

/** An ingress rule from the namespace's sleep to a service on 5000/TCP, with or without GET /hello. */
function policyYaml(namespace: string, app: string, l7: boolean): string {
  return `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: ${app}-from-sleep
  namespace: ${namespace}
spec:
  endpointSelector:
    matchLabels:
      app: ${app}
  ingress:
  - fromEndpoints:
    - matchLabels:
        io.cilium.k8s.policy.serviceaccount: sleep
    toPorts:
    - ports:
      - port: "5000"
        protocol: TCP
${
  l7
    ? `      rules:
        http:
        - method: GET
          path: "/hello"
`
    : ''
}`;
}

const shop = { namespace: 'tenant-a', labels: { app: 'shop' } };
const billing = { namespace: 'tenant-b', labels: { app: 'billing' } };
const ledger = { namespace: 'tenant-b', labels: { app: 'ledger' } };
const sleepA = { namespace: 'tenant-a', labels: { app: 'sleep' } };
const sleepB = { namespace: 'tenant-b', labels: { app: 'sleep' } };

const probes = [
  { from: sleepA, to: shop },
  { from: sleepB, to: billing },
  { from: sleepB, to: ledger },
];

const everyPodAnswers = {
  shop: { onFaultyNode: 'answers', elsewhere: 'answers' },
  billing: { onFaultyNode: 'answers', elsewhere: 'answers' },
  ledger: { onFaultyNode: 'answers', elsewhere: 'answers' },
} as const;

const redirectedPodsHang = {
  shop: { onFaultyNode: 'times-out', elsewhere: 'answers' },
  billing: { onFaultyNode: 'times-out', elsewhere: 'answers' },
  ledger: { onFaultyNode: 'answers', elsewhere: 'answers' },
} as const;

/** Helm values of the lab: CiliumEnvoyConfig on, and the BPF service translation its redirect needs. */
const blastRadiusHelmValues: Record<string, string> = {
  'ipam.mode': 'kubernetes',
  kubeProxyReplacement: 'true',
  k8sServiceHost: 'kind-control-plane',
  k8sServicePort: '6443',
  'envoyConfig.enabled': 'true',
};

export const l7EnvoyBlastRadius: Scenario = {
  id: 'l7-envoy-blast-radius',
  title: "One node's Envoy, two tenants: a filter that never returns stalls both",
  summary:
    "Cilium runs one Envoy per node for every endpoint with an L7 policy and every CiliumEnvoyConfig listener; a tenant's looping Lua filter pins that Envoy's workers and stalls the other tenant's L7 traffic on the node, but not L4-only traffic or other nodes, until Envoy restarts.",
  defaultSeed: 3,
  // Seed 003's time and releases (Cilium 1.12.0, kind v0.14 with Kubernetes 1.24).
  date: '2022-07-29',
  files: {
    'yamls/tenant-a.yaml': tenantYaml('tenant-a', [{ name: 'shop', version: 'v1' }]),
    'yamls/tenant-b.yaml': tenantYaml('tenant-b', [
      { name: 'billing', version: 'v2' },
      { name: 'ledger', version: 'v1' },
    ]),
    'yamls/shop-l7.yaml': policyYaml('tenant-a', 'shop', true),
    'yamls/billing-l7.yaml': policyYaml('tenant-b', 'billing', true),
    'yamls/ledger-l4.yaml': policyYaml('tenant-b', 'ledger', false),
    'yamls/shop-envoy-config.yaml': envoyConfigYaml(shopEnvoyConfig),
  },
  steps: [
    {
      id: 'cluster',
      title: 'Create a two-worker kind cluster with Cilium 1.15 and CiliumEnvoyConfig enabled',
      summary:
        'Each worker runs one cilium-agent, and inside its pod one Envoy for all of the node’s L7 traffic.',
      actions: [
        { do: 'create-cluster', workers: 2, disableDefaultCNI: true },
        { do: 'install-cilium', version: '1.15.0', values: blastRadiusHelmValues },
        { do: 'wait-cilium-ready' },
      ],
    },
    {
      id: 'tenants',
      title: 'Deploy two tenants: shop (tenant-a, L7), billing (tenant-b, L7) and ledger (tenant-b, L4 only)',
      summary:
        'Every service has one pod per node; shop and billing get a GET /hello rule, ledger only a port rule.',
      actions: [
        { do: 'apply', file: 'yamls/tenant-a.yaml' },
        { do: 'apply', file: 'yamls/tenant-b.yaml' },
        { do: 'apply', file: 'yamls/shop-l7.yaml' },
        { do: 'apply', file: 'yamls/billing-l7.yaml' },
        { do: 'apply', file: 'yamls/ledger-l4.yaml' },
        { do: 'wait-rollouts' },
        { do: 'show-envoy-config', nodeOf: shop, expectListeners: ['^cilium-http-ingress:\\d+$'] },
      ],
    },
    {
      id: 'healthy',
      title: 'Every pod answers its own tenant’s client',
      summary:
        'Before anything goes wrong, all requests pass, through Envoy for shop and billing, directly for ledger.',
      actions: [
        { do: 'probe-pods', probes, port: 5000, path: '/hello', timeoutMs: 2000, expect: everyPodAnswers },
      ],
    },
    {
      id: 'envoy-config',
      title: 'tenant-a adds its own Envoy listener for the shop Service with a CiliumEnvoyConfig',
      summary:
        "The listener is tenant-a's, next to the agent's cilium-http-ingress, whose filters do not change; its Lua filter loops forever.",
      actions: [
        { do: 'apply-envoy-config', file: 'yamls/shop-envoy-config.yaml', config: shopEnvoyConfig },
        {
          do: 'show-envoy-config',
          nodeOf: sleepA,
          expectListeners: ['^tenant-a/shop-header-rewrite/shop-listener$'],
        },
      ],
    },
    {
      id: 'pin-workers',
      title: "tenant-a's client calls shop through its listener until that node's Envoy has no free worker",
      summary:
        'Each request that lands on a free worker runs the loop and keeps the worker; the client times out every time.',
      actions: [
        {
          do: 'curl-until-envoy-stuck',
          from: sleepA,
          host: 'shop.tenant-a',
          port: 5000,
          path: '/hello',
          timeoutMs: 2000,
          maxRequests: 20,
        },
      ],
    },
    {
      id: 'stalled',
      title: 'Probe again: L7 traffic on that node hangs, for both tenants',
      summary:
        'shop and billing time out on the node with the stuck Envoy and answer on the other; ledger, never redirected to Envoy, answers everywhere.',
      actions: [
        { do: 'probe-pods', probes, port: 5000, path: '/hello', timeoutMs: 2000, expect: redirectedPodsHang },
      ],
    },
    {
      id: 'compare',
      title: 'Who shares a proxy with the looping filter: Cilium, Istio sidecars, an ambient waypoint',
      summary:
        "Over the same pods: the node Envoy takes in both tenants on one node; sidecars or a waypoint keep it within tenant-a's shop.",
      actions: [
        {
          do: 'compare-proxy-blast-radius',
          expect: {
            'cilium-node-envoy': { pods: 2, namespaces: 2 },
            'istio-sidecar': { pods: 2, namespaces: 1 },
            'istio-ambient-waypoint': { pods: 2, namespaces: 1 },
          },
        },
      ],
    },
    {
      id: 'delete-config',
      title: 'Delete the CiliumEnvoyConfig: the workers stay stuck',
      summary:
        'The agents remove the listener, but a worker inside an endless loop never returns to pick up the change.',
      actions: [
        { do: 'delete-envoy-config', namespace: 'tenant-a', name: 'shop-header-rewrite' },
        { do: 'probe-pods', probes, port: 5000, path: '/hello', timeoutMs: 2000, expect: redirectedPodsHang },
      ],
    },
    {
      id: 'restart',
      title: 'Restart that node’s Envoy: every tenant is served again',
      summary:
        'The agent starts a new Envoy process with fresh workers and pushes its listeners again; every probe answers.',
      actions: [
        { do: 'restart-envoy' },
        { do: 'probe-pods', probes, port: 5000, path: '/hello', timeoutMs: 2000, expect: everyPodAnswers },
      ],
    },
  ],
};
