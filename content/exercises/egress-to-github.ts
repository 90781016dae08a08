import { defineExercise } from '../../simulator/exercises/index';
import { applyAndWait, ciliumCluster, workload } from './setups';

const prodClient = workload({ name: 'client', namespace: 'prod', image: 'docker.io/curlimages/curl' });

export default defineExercise({
  id: 'egress-to-github',
  title: 'Lock down egress to api.github.com with toFQDNs',
  level: 'intermediate',
  source: 'reference',
  start: {
    scenario: 'sandbox',
    steps: 0,
    commands: [
      ...ciliumCluster('1.18.5'),
      ...applyAndWait(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n---\n${prodClient}`, ['prod']),
    ],
  },
  task: `The pods of namespace \`prod\` may talk to one thing outside the cluster: the GitHub API at
\`api.github.com\` over HTTPS. Today they reach the whole internet
(\`kubectl -n prod exec deploy/client -- curl -sI https://example.com\`).

Write a CiliumNetworkPolicy in \`prod\` that selects every pod of the namespace and allows egress
only to \`api.github.com\` on 443/TCP. Remember that a name in \`toFQDNs\` means nothing unless the
pods' DNS queries go through Cilium's DNS proxy.`,
  goals: [
    {
      check: {
        kind: 'probe',
        from: { labels: { app: 'client' }, namespace: 'prod' },
        request: { host: 'api.github.com', port: 443 },
        expect: 'allowed',
      },
      met: 'The client in prod reaches api.github.com on 443.',
      unmet: 'The client in prod cannot reach api.github.com on 443 (can it still resolve the name?).',
    },
    {
      check: {
        kind: 'no-internet',
        namespace: 'prod',
        hosts: ['example.com', 'github.com', 'gist.github.com', 'support.github.com'],
        port: 443,
      },
      met: 'No pod in prod reaches another host: example.com, github.com, gist.github.com and support.github.com are out of reach.',
      unmet: 'A pod in prod still reaches another host on the internet.',
    },
  ],
  hints: [
    'Once an egress rule selects the pods, everything it does not allow is dropped, DNS to kube-dns included.',
    'Allow UDP and TCP 53 to `k8s-app: kube-dns` in `kube-system` with a `rules: dns:` section (`matchPattern: "*"` is fine): that sends the queries through the DNS proxy, which teaches Cilium the addresses behind the names.',
    'Then a second egress rule: `toFQDNs: [{matchName: api.github.com}]` with `toPorts` 443/TCP. `endpointSelector: {}` selects every pod of the policy\'s namespace.',
  ],
  solution: [
    `kubectl apply -f - <<EOF
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: github-only
  namespace: prod
spec:
  endpointSelector: {}
  egress:
  - toEndpoints:
    - matchLabels:
        io.kubernetes.pod.namespace: kube-system
        k8s-app: kube-dns
    toPorts:
    - ports:
      - port: "53"
        protocol: ANY
      rules:
        dns:
        - matchPattern: "*"
  - toFQDNs:
    - matchName: api.github.com
    toPorts:
    - ports:
      - port: "443"
        protocol: TCP
EOF`,
    'sleep 5',
  ],
});
