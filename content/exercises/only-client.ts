import { defineExercise } from '../../simulator/exercises/index';

export default defineExercise({
  id: 'only-client',
  title: 'Make sleep-v1 the only client of helloworld-v1',
  level: 'first-steps',
  source: 'mistaken-identity',
  start: { scenario: 'mistaken-identity', steps: 1 },
  task: `The cluster of the mistaken-identity guide is up, with Cilium 1.12 and WireGuard, but nothing
is deployed yet. The manifests are in \`yamls/\`.

1. Deploy \`yamls/helloworld.yaml\` and \`yamls/sleep.yaml\`.
2. Write and apply a CiliumNetworkPolicy of your own so that **only sleep-v1** can reach
   helloworld-v1 on port 5000. sleep-v2 must still reach helloworld-v2.

Select pods by their service account (\`io.cilium.k8s.policy.serviceaccount\`), as the guide does.`,
  goals: [
    {
      check: {
        kind: 'probe',
        from: { labels: { app: 'sleep', version: 'v1' } },
        request: { host: 'helloworld-v1', port: 5000, http: { method: 'GET', path: '/hello' } },
        expect: 'allowed',
      },
      met: 'sleep-v1 reaches helloworld-v1.',
      unmet: 'sleep-v1 cannot reach helloworld-v1 (is everything deployed, and does your policy admit it?).',
    },
    {
      check: {
        kind: 'probe',
        from: { labels: { app: 'sleep', version: 'v2' } },
        request: { host: 'helloworld-v1', port: 5000, http: { method: 'GET', path: '/hello' } },
        expect: 'denied',
      },
      met: 'sleep-v2 is kept out of helloworld-v1.',
      unmet: 'sleep-v2 still reaches helloworld-v1, or is not running.',
    },
    {
      // "Only" means an allow-list: a pod the policy never names must be kept out too.
      check: {
        kind: 'probe',
        from: { labels: { app: 'helloworld', version: 'v2' } },
        request: { host: 'helloworld-v1', port: 5000, http: { method: 'GET', path: '/hello' } },
        expect: 'denied',
      },
      met: 'Any other pod (helloworld-v2, say) is kept out of helloworld-v1 too.',
      unmet: 'A pod other than sleep-v1 and sleep-v2 (helloworld-v2) still reaches helloworld-v1: admit sleep-v1 rather than refuse sleep-v2.',
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
    'A pod that no policy selects accepts everything; once an ingress policy selects it, only what the policy allows gets in.',
    'The policy needs an `endpointSelector` for helloworld-v1 and an `ingress` rule with `fromEndpoints` for sleep-v1 and `toPorts` 5000/TCP.',
    'Compare with `yamls/policy-v1.yaml`, which the guide applies.',
  ],
  solution: [
    'kubectl apply -f yamls/helloworld.yaml -f yamls/sleep.yaml',
    `kubectl apply -f - <<EOF
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: only-sleep-v1
spec:
  endpointSelector:
    matchLabels:
      io.cilium.k8s.policy.serviceaccount: helloworld-v1
  ingress:
  - fromEndpoints:
    - matchLabels:
        io.cilium.k8s.policy.serviceaccount: sleep-v1
    toPorts:
    - ports:
      - port: "5000"
        protocol: TCP
EOF`,
    'kubectl rollout status deployment/sleep-v1 && kubectl rollout status deployment/sleep-v2 && kubectl rollout status deployment/helloworld-v1 && kubectl rollout status deployment/helloworld-v2',
  ],
});
