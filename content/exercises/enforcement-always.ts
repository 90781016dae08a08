import { defineExercise } from '../../simulator/exercises/index';
import { deployApps, toServer } from './apps';
import { ciliumCluster } from './setups';

export default defineExercise({
  id: 'enforcement-always',
  title: 'Enforcement mode always: make frontend reach the server again',
  level: 'hard',
  source: 'reference',
  start: {
    scenario: 'sandbox',
    steps: 0,
    commands: [...ciliumCluster('1.18.5', { policyEnforcementMode: 'always' }), ...deployApps],
  },
  task: `This cluster runs Cilium with \`policyEnforcementMode=always\`: every endpoint is default-deny in
both directions, whether or not a policy selects it. Nothing talks to anything, not even to DNS.

Let \`frontend\` reach the server by its Service name (\`curl http://server\`) and nobody else:
\`batch\` and \`intruder\` must stay out.`,
  goals: [
    {
      check: { kind: 'probe', from: { labels: { app: 'frontend' } }, request: toServer, expect: 'allowed' },
      met: 'frontend reaches the server by name.',
      unmet: 'frontend does not reach the server by name yet (can it resolve the name? may it send? may the server receive?).',
    },
    {
      check: { kind: 'probe', from: { labels: { app: 'intruder' } }, request: toServer, expect: 'denied' },
      met: 'The intruder stays out.',
      unmet: 'The intruder reaches the server.',
    },
    {
      check: { kind: 'probe', from: { labels: { app: 'batch' } }, request: toServer, expect: 'denied' },
      met: 'batch stays out.',
      unmet: 'batch reaches the server.',
    },
  ],
  hints: [
    'In `default` mode, an endpoint no policy selects allows everything; `always` removes that exception, in both directions.',
    'Count the hops: frontend sends a DNS query to kube-dns, which must accept it; then frontend sends to the server on 80, which must accept it. Each send and each receive needs a rule.',
    'One policy selecting frontend with two egress rules (kube-dns on 53, the server on 80), one selecting the server with an ingress rule from frontend, and one in kube-system letting kube-dns receive frontend\'s queries.',
  ],
  solution: [
    `kubectl apply -f - <<EOF
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: frontend-egress
spec:
  endpointSelector:
    matchLabels:
      app: frontend
  egress:
  - toEndpoints:
    - matchLabels:
        io.kubernetes.pod.namespace: kube-system
        k8s-app: kube-dns
    toPorts:
    - ports:
      - port: "53"
        protocol: ANY
  - toEndpoints:
    - matchLabels:
        app: server
    toPorts:
    - ports:
      - port: "80"
        protocol: TCP
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: server-ingress
spec:
  endpointSelector:
    matchLabels:
      app: server
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: frontend
    toPorts:
    - ports:
      - port: "80"
        protocol: TCP
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: dns-from-frontend
  namespace: kube-system
spec:
  endpointSelector:
    matchLabels:
      k8s-app: kube-dns
  ingress:
  - fromEndpoints:
    - matchLabels:
        io.kubernetes.pod.namespace: default
        app: frontend
    toPorts:
    - ports:
      - port: "53"
        protocol: ANY
EOF`,
    'sleep 5',
  ],
});
