import { defineExercise } from '../../simulator/exercises/index';
import { ciliumCluster } from './setups';

export default defineExercise({
  id: 'host-firewall-no-lockout',
  title: 'Turn on the host firewall without locking yourself out',
  level: 'hard',
  source: 'reference',
  start: {
    scenario: 'sandbox',
    steps: 0,
    commands: ciliumCluster('1.18.5', { 'hostFirewall.enabled': 'true' }),
  },
  task: `Cilium 1.18 runs with \`hostFirewall.enabled=true\`, but no host policy exists, so every node's
host endpoint still accepts anything. Write a CiliumClusterwideNetworkPolicy with a
\`nodeSelector\` that puts the host endpoints of all nodes into enforcement, admitting the
cluster itself, and make sure \`kubectl\` on your machine keeps working: kind publishes the API
server on the control plane's port 6443, and your machine is not part of the cluster.`,
  goals: [
    {
      check: { kind: 'host-firewall-enforcing' },
      met: "Every node's host endpoint enforces a host policy.",
      unmet: "A node's host endpoint enforces nothing yet (no host policy selects it, or it audits).",
    },
    {
      check: { kind: 'api-server-reachable' },
      met: 'kubectl on your machine still reaches the API server.',
      unmet: 'You are locked out: kubectl on your machine no longer reaches the API server.',
    },
  ],
  hints: [
    'A host policy is a CiliumClusterwideNetworkPolicy with `nodeSelector` instead of `endpointSelector`; `nodeSelector: {}` selects every node.',
    '`fromEntities: [cluster]` admits the nodes and pods, but your machine reaches the nodes from kind\'s Docker network, which Cilium sees as `world`.',
    'Add a rule that admits `world` on 6443/TCP only. If you lock yourself out, `docker exec kind-control-plane kubectl …` still works from inside the node.',
  ],
  solution: [
    `kubectl apply -f - <<EOF
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: host-lockdown
spec:
  nodeSelector: {}
  ingress:
  - fromEntities:
    - cluster
  - fromEntities:
    - world
    toPorts:
    - ports:
      - port: "6443"
        protocol: TCP
EOF`,
    'sleep 5 && kubectl get nodes',
  ],
});
