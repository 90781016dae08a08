import { defineExercise } from '../../simulator/exercises/index';

export default defineExercise({
  id: 'istio-only-sleep-v1',
  title: "Write the Istio AuthorizationPolicy that admits only sleep-v1's service account",
  level: 'intermediate',
  source: 'l7-cilium-vs-istio',
  start: { scenario: 'istio-mistaken-identity', steps: 2 },
  task: `Istio 1.24 runs with sidecars, and the \`default\` namespace is enrolled. Deploy
\`yamls/helloworld.yaml\` and \`yamls/sleep.yaml\`, then write an Istio AuthorizationPolicy named
\`helloworld-v1\` so that helloworld-v1 answers only clients running as the service account
\`sleep-v1\`. Istio checks the SPIFFE ID in the client's certificate, not its address.`,
  goals: [
    {
      check: { kind: 'object', objectKind: 'AuthorizationPolicy', name: 'helloworld-v1', namespace: 'default' },
      met: 'The AuthorizationPolicy helloworld-v1 exists.',
      unmet: 'There is no AuthorizationPolicy helloworld-v1 in default.',
    },
    {
      check: {
        kind: 'only-service-account',
        clients: { labels: { app: 'sleep' } },
        serviceAccount: 'sleep-v1',
        request: { host: 'helloworld-v1', port: 5000, http: { method: 'GET', path: '/hello' } },
      },
      met: "helloworld-v1 admits sleep-v1's service account and refuses sleep-v2's.",
      unmet: "helloworld-v1 does not admit exactly sleep-v1's service account (are both sleeps running?).",
    },
    {
      check: {
        kind: 'probe',
        from: { labels: { app: 'sleep', version: 'v2' } },
        request: { host: 'helloworld-v2', port: 5000, http: { method: 'GET', path: '/hello' } },
        expect: 'allowed',
      },
      met: 'sleep-v2 still reaches helloworld-v2.',
      unmet: 'sleep-v2 cannot reach helloworld-v2: your policy selects more than helloworld-v1.',
    },
  ],
  hints: [
    'An ALLOW policy that selects a workload refuses every request no rule matches, with 403 "RBAC: access denied".',
    'Select the workload with `spec.selector.matchLabels` (app: helloworld, version: v1); admit a caller with `rules[].from[].source.principals`.',
    'A principal is the SPIFFE ID without `spiffe://`: `cluster.local/ns/default/sa/sleep-v1`.',
  ],
  solution: [
    'kubectl apply -f yamls/helloworld.yaml -f yamls/sleep.yaml',
    `kubectl apply -f - <<EOF
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: helloworld-v1
  namespace: default
spec:
  selector:
    matchLabels:
      app: helloworld
      version: v1
  action: ALLOW
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/default/sa/sleep-v1"]
EOF`,
    'kubectl wait --for=condition=Ready pod --all --timeout=120s',
  ],
});
