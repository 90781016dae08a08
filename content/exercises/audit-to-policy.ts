import { defineExercise } from '../../simulator/exercises/index';
import { deployApps, toServer } from './apps';
import { ciliumCluster } from './setups';

const agentOfServer = [
  "NODE=$(kubectl get pod -l app=server -o jsonpath='{.items[0].spec.nodeName}')",
  "AGENT=$(kubectl -n kube-system get pods -l k8s-app=cilium --field-selector spec.nodeName=$NODE -o jsonpath='{.items[0].metadata.name}')",
  "EP=$(kubectl get cep -l app=server -o jsonpath='{.items[0].status.id}')",
];

const neverDropped = (app: string) =>
  ({
    kind: 'no-flow',
    from: { labels: { app } },
    to: { labels: { app: 'server' } },
    port: 80,
    verdict: 'DROPPED',
  }) as const;

export default defineExercise({
  id: 'audit-to-policy',
  title: 'Build a policy from audit-mode verdicts without dropping one allowed flow',
  level: 'hard',
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
  name: server-lockdown
spec:
  endpointSelector:
    matchLabels:
      app: server
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: monitoring
EOF`,
      ...agentOfServer,
      'kubectl -n kube-system exec $AGENT -- cilium-dbg endpoint config $EP PolicyAuditMode=Enabled',
      'for app in frontend batch frontend; do kubectl exec deploy/$app -- curl -s -o /dev/null --max-time 2 http://server; done',
    ],
  },
  task: `The policy \`server-lockdown\` selects the server but admits only a monitoring app that does not
exist. Its endpoint runs in **policy audit mode**, so nothing is dropped yet: the agent logs the
verdicts it would have given (\`AUDITED\`) and lets the packets through. Some clients have already
talked to the server.

Find out from the audited verdicts who talks to the server, write a policy that admits exactly
them, then take the endpoint out of audit mode. No flow of a legitimate client may be dropped
along the way, and the intruder (which never called) must stay out.`,
  goals: [
    {
      check: { kind: 'no-audit-mode' },
      met: 'Nothing is left in audit mode.',
      unmet: "The server's endpoint (or another) is still in audit mode.",
    },
    {
      // The clients call all the time: a moment in which they would be dropped is an outage.
      check: {
        kind: 'throughout',
        check: { kind: 'probe', from: { labels: { app: 'frontend' } }, request: toServer, expect: 'allowed' },
      },
      met: 'frontend reached the server after every one of your commands.',
      unmet: 'frontend does not reach the server, or could not after one of your commands.',
    },
    {
      check: {
        kind: 'throughout',
        check: { kind: 'probe', from: { labels: { app: 'batch' } }, request: toServer, expect: 'allowed' },
      },
      met: 'batch reached the server after every one of your commands.',
      unmet: 'batch does not reach the server, or could not after one of your commands.',
    },
    {
      check: { kind: 'probe', from: { labels: { app: 'intruder' } }, request: toServer, expect: 'denied' },
      met: 'The intruder is kept out.',
      unmet: 'The intruder reaches the server.',
    },
    {
      check: neverDropped('frontend'),
      met: 'No flow from frontend to the server was ever dropped.',
      unmet: 'A flow from frontend to the server was dropped.',
    },
    {
      check: neverDropped('batch'),
      met: 'No flow from batch to the server was ever dropped.',
      unmet: 'A flow from batch to the server was dropped.',
    },
  ],
  hints: [
    "The verdicts are in the server node's agent: `hubble observe --verdict AUDIT` or `cilium-dbg monitor -t policy-verdict` inside it.",
    'Write the allow policy first, while audit mode still lets everything through; turn audit mode off last.',
    '`cilium-dbg endpoint config ID PolicyAuditMode=Disabled` in the agent of the server\'s node takes the endpoint out of audit mode; `kubectl get cep` shows the endpoint ids.',
  ],
  solution: [
    `kubectl apply -f - <<EOF
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: server-clients
spec:
  endpointSelector:
    matchLabels:
      app: server
  ingress:
  - fromEndpoints:
    - matchExpressions:
      - key: app
        operator: In
        values: [frontend, batch]
    toPorts:
    - ports:
      - port: "80"
        protocol: TCP
EOF`,
    'sleep 5',
    ...agentOfServer,
    'kubectl -n kube-system exec $AGENT -- cilium-dbg endpoint config $EP PolicyAuditMode=Disabled',
  ],
});
