/**
 * The Cilium half of the L7 guide (seed 003): Cilium 1.12 with its L7 proxy (the default), the
 * helloworld and sleep samples on different nodes, and the article's CiliumNetworkPolicy that allows
 * sleep to call only GET /hello on helloworld's port 5000. The node's Envoy answers everything else
 * with its own 403 "Access denied"; the steps then show what made that verdict: the L7 flows Hubble
 * logs, the proxy listener and its cilium.l7policy filter, the NPDS resource the agent computes from
 * the endpoint's policy, and the CiliumEndpoint and CiliumIdentity the policy selects by.
 */
import type { Scenario } from '../types';
import {
  helloworldYaml,
  serviceAccountPolicyHello3Yaml,
  serviceAccountPolicyYaml,
  sleepYaml,
} from './manifests';

const helloworld = { labels: { app: 'helloworld' } };
const sleep = { labels: { app: 'sleep' } };

export const l7Cilium: Scenario = {
  id: 'l7-cilium',
  title: "Cilium's L7 policy: the node's Envoy allows GET /hello and nothing else",
  summary:
    "An HTTP rule in a CiliumNetworkPolicy sends helloworld's inbound traffic through the Envoy of its node, which lets GET /hello through and answers any other path with 403 Access denied.",
  defaultSeed: 8,
  // When seed 003 compared the two (Cilium 1.12.0, kind v0.14 with Kubernetes 1.24).
  date: '2022-07-29',
  files: {
    'yamls/helloworld.yaml': helloworldYaml,
    'yamls/sleep.yaml': sleepYaml,
    'yamls/service-account-policy.yaml': serviceAccountPolicyYaml,
    'yamls/service-account-policy-hello3.yaml': serviceAccountPolicyHello3Yaml,
  },
  steps: [
    {
      id: 'cluster',
      title: 'Create a kind cluster and install Cilium 1.12 (L7 proxy on, the default)',
      summary: 'Three workers, no default CNI, then Cilium 1.12.0; every agent pod also runs an Envoy.',
      actions: [
        { do: 'create-cluster', workers: 3, disableDefaultCNI: true },
        { do: 'install-cilium', version: '1.12.0', values: { 'ipam.mode': 'kubernetes' } },
        { do: 'wait-cilium-ready' },
      ],
    },
    {
      id: 'deploy',
      title: 'Deploy helloworld and sleep, and the service-account policy with its HTTP rule',
      summary:
        'helloworld-v1-cross-node runs on another node than sleep; the policy admits sleep on 5000/TCP for GET /hello only.',
      actions: [
        { do: 'apply', file: 'yamls/helloworld.yaml' },
        { do: 'apply', file: 'yamls/sleep.yaml' },
        { do: 'apply', file: 'yamls/service-account-policy.yaml' },
        { do: 'wait-rollouts' },
      ],
    },
    {
      id: 'hello',
      title: 'curl helloworld:5000/hello from sleep',
      summary:
        "The request is redirected to the Envoy on helloworld's node, matches the rule and reaches the app.",
      actions: [
        {
          do: 'exec-curl',
          from: sleep,
          host: 'helloworld',
          port: 5000,
          path: '/hello',
          timeoutMs: 5000,
          expect: {
            outcome: 'response',
            status: 200,
            body: 'Hello version: v1, instance: helloworld-v1-cross-node-',
          },
        },
        {
          do: 'hubble-observe',
          nodeOf: helloworld,
          type: 'l7',
          last: 2,
          expect: [
            'http-request FORWARDED \\(HTTP/1.1 GET http://helloworld:5000/hello\\)',
            'http-response FORWARDED \\(HTTP/1.1 200 \\d+ms \\(GET http://helloworld:5000/hello\\)\\)',
          ],
        },
      ],
    },
    {
      id: 'hello3',
      title: 'curl helloworld:5000/hello3 from sleep',
      summary:
        'No HTTP rule matches, so Envoy answers 403 Access denied itself; the application never sees the request.',
      actions: [
        {
          do: 'exec-curl',
          from: sleep,
          host: 'helloworld',
          port: 5000,
          path: '/hello3',
          timeoutMs: 5000,
          expect: { outcome: 'response', status: 403, body: 'Access denied' },
        },
        {
          do: 'hubble-observe',
          nodeOf: helloworld,
          type: 'l7',
          last: 3,
          expect: [
            'http-request FORWARDED \\(HTTP/1.1 GET http://helloworld:5000/hello\\)',
            'http-request DROPPED \\(HTTP/1.1 GET http://helloworld:5000/hello3\\)',
          ],
        },
        {
          do: 'hubble-observe',
          nodeOf: helloworld,
          type: 'policy-verdict',
          last: 1,
          expect: ['policy-verdict:L3-L4 INGRESS ALLOWED \\(TCP Flags: SYN\\)'],
        },
      ],
    },
    {
      id: 'envoy',
      title: "Look at the listener and filters of the Envoy on helloworld's node",
      summary:
        'The agent configured one ingress HTTP listener, with cilium.l7policy before the router; nodes without L7 endpoints have none.',
      actions: [
        {
          do: 'show-envoy-config',
          nodeOf: helloworld,
          expectListeners: ['^cilium-http-ingress:\\d+$'],
        },
        { do: 'show-envoy-config', nodeOf: sleep, expectListeners: [] },
      ],
    },
    {
      id: 'npds',
      title: 'The NPDS resource for the helloworld endpoint',
      summary:
        "What the agent sends Envoy over xDS for helloworld's address: on port 5000, :method GET and :path /hello as RE2 regexes.",
      actions: [
        {
          do: 'show-npds',
          of: helloworld,
          expect: { port: 5000, headers: { ':method': 'GET', ':path': '/hello' } },
        },
      ],
    },
    {
      id: 'objects',
      title: 'The CiliumEndpoint and the CiliumIdentity behind the policy',
      summary:
        'The endpoint id and address name the NPDS resource; the identity carries the service-account label the policy selects.',
      actions: [
        {
          do: 'get-yaml',
          kind: 'CiliumEndpoint',
          of: helloworld,
          expect: [
            'kind: CiliumEndpoint',
            'encryption: {}',
            'k8s-pod-name: helloworld-v1-cross-node-',
            '- k8s:io.cilium.k8s.policy.serviceaccount=helloworld',
            'state: ready',
          ],
        },
        {
          do: 'get-yaml',
          kind: 'CiliumIdentity',
          of: helloworld,
          expect: [
            'kind: CiliumIdentity',
            'security-labels:',
            'k8s:io.cilium.k8s.policy.serviceaccount: helloworld',
          ],
        },
      ],
    },
  ],
};
