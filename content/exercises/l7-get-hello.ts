import { defineExercise } from '../../simulator/exercises/index';

const hello = (method: string, path: string) => ({ host: 'helloworld', port: 5000, http: { method, path } });

export default defineExercise({
  id: 'l7-get-hello',
  title: 'Allow only GET /hello at L7',
  level: 'intermediate',
  source: 'l7-cilium-vs-istio',
  start: { scenario: 'l7-cilium', steps: 1 },
  task: `A kind cluster with Cilium 1.12 runs, its L7 proxy on. Deploy \`yamls/helloworld.yaml\` and
\`yamls/sleep.yaml\`, then write a CiliumNetworkPolicy named \`allow-get\` that lets sleep send
helloworld **only** \`GET /hello\` on port 5000: any other path or method must be refused by the
node's Envoy with \`403 Access denied\`.`,
  goals: [
    {
      check: {
        kind: 'policy-valid',
        policyKind: 'CiliumNetworkPolicy',
        name: 'allow-get',
        selects: { labels: { app: 'helloworld' } },
        l7: 'http',
      },
      met: 'Policy allow-get is valid, selects helloworld and has an HTTP rule.',
      unmet: 'There is no valid policy allow-get with an HTTP rule selecting helloworld.',
    },
    {
      check: { kind: 'probe', from: { labels: { app: 'sleep' } }, request: hello('GET', '/hello'), expect: 'allowed' },
      met: 'sleep gets an answer to GET /hello.',
      unmet: 'sleep gets no answer to GET /hello.',
    },
    {
      check: { kind: 'probe', from: { labels: { app: 'sleep' } }, request: hello('GET', '/hello3'), expect: 'denied' },
      met: 'GET /hello3 is refused.',
      unmet: 'GET /hello3 still gets through.',
    },
    {
      check: { kind: 'probe', from: { labels: { app: 'sleep' } }, request: hello('POST', '/hello'), expect: 'denied' },
      met: 'POST /hello is refused.',
      unmet: 'POST /hello still gets through.',
    },
  ],
  hints: [
    'An L4 rule (`toPorts` with a port) lets any request through; L7 rules go in `toPorts[].rules.http`.',
    'Each entry of `rules.http` is one allowed request pattern: a `method` and a `path` (a regular expression).',
    '`yamls/service-account-policy.yaml` is the guide\'s own version of this policy: the same rule under another name.',
  ],
  solution: [
    'kubectl apply -f yamls/helloworld.yaml -f yamls/sleep.yaml',
    `kubectl apply -f - <<EOF
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: allow-get
spec:
  endpointSelector:
    matchLabels:
      app: helloworld
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: sleep
    toPorts:
    - ports:
      - port: "5000"
        protocol: TCP
      rules:
        http:
        - method: GET
          path: "/hello"
EOF`,
    'kubectl wait --for=condition=Ready pod --all --timeout=120s',
  ],
});
