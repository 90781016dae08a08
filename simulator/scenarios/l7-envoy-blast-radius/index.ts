/**
 * Multi-tenancy of Cilium's node Envoy (seed 003's closing argument): two teams in their own
 * namespaces, each with an L7 policy on its service, both served by the Envoy of each node. One
 * team's Wasm filter that never returns stalls every redirected request on its node, the other
 * team's included, while an L4-only service on the same node and the other node keep answering.
 * The last step computes, over the same pods, who would share the faulty proxy with an Istio sidecar
 * (one pod) or an ambient waypoint (one namespace).
 */
import type { Scenario } from '../types';

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

export const l7EnvoyBlastRadius: Scenario = {
  id: 'l7-envoy-blast-radius',
  title: "One node's Envoy, two tenants: a stuck Wasm filter stalls both",
  summary:
    "Cilium runs one Envoy per node for every endpoint with an L7 policy; a tenant's looping Wasm filter stalls the other tenant's L7 traffic on that node, but not L4-only traffic or other nodes.",
  defaultSeed: 3,
  files: {
    'yamls/tenant-a.yaml': tenantYaml('tenant-a', [{ name: 'shop', version: 'v1' }]),
    'yamls/tenant-b.yaml': tenantYaml('tenant-b', [
      { name: 'billing', version: 'v2' },
      { name: 'ledger', version: 'v1' },
    ]),
    'yamls/shop-l7.yaml': policyYaml('tenant-a', 'shop', true),
    'yamls/billing-l7.yaml': policyYaml('tenant-b', 'billing', true),
    'yamls/ledger-l4.yaml': policyYaml('tenant-b', 'ledger', false),
  },
  steps: [
    {
      id: 'cluster',
      title: 'Create a two-worker kind cluster with Cilium 1.12',
      summary: 'Each worker runs one cilium-agent, and inside it one Envoy for all of the node’s endpoints.',
      actions: [
        { do: 'create-cluster', workers: 2, disableDefaultCNI: true },
        { do: 'install-cilium', version: '1.12.0', values: { 'ipam.mode': 'kubernetes' } },
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
        {
          do: 'probe-pods',
          probes,
          port: 5000,
          path: '/hello',
          timeoutMs: 2000,
          expect: {
            shop: { onFaultyNode: 'answers', elsewhere: 'answers' },
            billing: { onFaultyNode: 'answers', elsewhere: 'answers' },
            ledger: { onFaultyNode: 'answers', elsewhere: 'answers' },
          },
        },
      ],
    },
    {
      id: 'wasm',
      title: "tenant-a loads a Wasm filter with an endless loop into its node's Envoy",
      summary: "The filter is tenant-a's, but the proxy is the node's: its workers stop serving anyone.",
      actions: [
        {
          do: 'envoy-wasm',
          action: 'load',
          nodeOf: shop,
          name: 'shop-header-rewrite',
          behaviour: 'infinite-loop',
        },
        { do: 'show-envoy-config', nodeOf: shop, expectListeners: ['^cilium-http-ingress:\\d+$'] },
      ],
    },
    {
      id: 'stalled',
      title: 'Probe again: L7 traffic on that node hangs, for both tenants',
      summary:
        'shop and billing time out on the faulty node and answer on the other; ledger, never redirected to Envoy, answers everywhere.',
      actions: [
        {
          do: 'probe-pods',
          probes,
          port: 5000,
          path: '/hello',
          timeoutMs: 2000,
          expect: {
            shop: { onFaultyNode: 'times-out', elsewhere: 'answers' },
            billing: { onFaultyNode: 'times-out', elsewhere: 'answers' },
            ledger: { onFaultyNode: 'answers', elsewhere: 'answers' },
          },
        },
      ],
    },
    {
      id: 'compare',
      title: 'Who shares the faulty proxy: Cilium, an Istio sidecar, an ambient waypoint',
      summary:
        "Over the same pods: the node Envoy takes in both tenants on one node, a sidecar only tenant-a's pod, a waypoint tenant-a's namespace on every node.",
      actions: [
        {
          do: 'compare-proxy-blast-radius',
          expect: {
            'cilium-node-envoy': { pods: 2, namespaces: 2 },
            'istio-sidecar': { pods: 1, namespaces: 1 },
            'istio-ambient-waypoint': { pods: 2, namespaces: 1 },
          },
        },
      ],
    },
    {
      id: 'recover',
      title: 'Unload the filter: the node’s Envoy serves everyone again',
      summary: 'With the filter gone, every probe answers again.',
      actions: [
        {
          do: 'envoy-wasm',
          action: 'unload',
          nodeOf: shop,
          name: 'shop-header-rewrite',
          behaviour: 'infinite-loop',
        },
        {
          do: 'probe-pods',
          probes,
          port: 5000,
          path: '/hello',
          timeoutMs: 2000,
          expect: {
            shop: { onFaultyNode: 'answers', elsewhere: 'answers' },
            billing: { onFaultyNode: 'answers', elsewhere: 'answers' },
            ledger: { onFaultyNode: 'answers', elsewhere: 'answers' },
          },
        },
      ],
    },
  ],
};
