import { defineExercise } from '../../simulator/exercises/index';
import { deployApps, toServer } from './apps';
import { ciliumCluster } from './setups';

export default defineExercise({
  id: 'deny-beats-allow',
  title: 'Deny beats allow: keep a broad allow and still shut the intruder out',
  level: 'intermediate',
  source: 'reference',
  start: {
    scenario: 'sandbox',
    steps: 0,
    commands: [
      ...ciliumCluster('1.18.5'),
      ...deployApps,
      `kubectl apply -f - <<EOF
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: allow-cluster
spec:
  endpointSelector:
    matchLabels:
      app: server
  ingress:
  - fromEntities:
    - cluster
EOF`,
    ],
  },
  task: `The platform team owns the policy \`allow-cluster\`: it lets anything in the cluster reach the
server, and you may not edit or delete it. The pod \`intruder\` must nevertheless lose access to
the server, while \`frontend\` and \`batch\` keep it. Add a policy of your own that does that.`,
  goals: [
    {
      check: {
        kind: 'object',
        objectKind: 'CiliumNetworkPolicy',
        name: 'allow-cluster',
        namespace: 'default',
        unchanged: true,
      },
      met: 'allow-cluster is still there, as the platform team wrote it.',
      unmet: 'allow-cluster is gone or changed: it was not yours to edit.',
    },
    {
      check: { kind: 'probe', from: { labels: { app: 'intruder' } }, request: toServer, expect: 'denied' },
      met: 'The intruder is shut out of the server.',
      unmet: 'The intruder still reaches the server.',
    },
    {
      check: { kind: 'probe', from: { labels: { app: 'frontend' } }, request: toServer, expect: 'allowed' },
      met: 'frontend still reaches the server.',
      unmet: 'frontend lost the server.',
    },
    {
      check: { kind: 'probe', from: { labels: { app: 'batch' } }, request: toServer, expect: 'allowed' },
      met: 'batch still reaches the server.',
      unmet: 'batch lost the server.',
    },
  ],
  hints: [
    'Allow rules add up: a second allow policy cannot take away what allow-cluster grants.',
    'Cilium has deny rules (`ingressDeny`), and a deny wins over any allow for the same traffic, whichever policy holds it.',
  ],
  solution: [
    `kubectl apply -f - <<EOF
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: deny-intruder
spec:
  endpointSelector:
    matchLabels:
      app: server
  ingressDeny:
  - fromEndpoints:
    - matchLabels:
        app: intruder
EOF`,
    'sleep 5',
  ],
});
