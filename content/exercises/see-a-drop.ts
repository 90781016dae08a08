import { defineExercise } from '../../simulator/exercises/index';

export default defineExercise({
  id: 'see-a-drop',
  title: 'Watch the policy drop the wrong client',
  level: 'first-steps',
  source: 'mistaken-identity',
  start: { scenario: 'mistaken-identity', steps: 2 },
  task: `helloworld and sleep run in two versions, and two CiliumNetworkPolicies admit only sleep-vN into
helloworld-vN. Prove it to yourself: send a request from sleep-v2 to helloworld-v1 (it must fail)
and one from sleep-v1 to helloworld-v1 (it must succeed), then find both verdicts with
\`hubble observe\` in the Cilium agent of helloworld-v1's node.`,
  goals: [
    {
      check: {
        kind: 'flow',
        from: { labels: { app: 'sleep', version: 'v2' } },
        to: { labels: { app: 'helloworld', version: 'v1' } },
        port: 5000,
        verdict: 'DROPPED',
      },
      met: 'A flow from sleep-v2 to helloworld-v1 was dropped.',
      unmet: 'No flow from sleep-v2 to helloworld-v1 has been dropped yet.',
    },
    {
      check: {
        kind: 'flow',
        from: { labels: { app: 'sleep', version: 'v1' } },
        to: { labels: { app: 'helloworld', version: 'v1' } },
        port: 5000,
        verdict: 'FORWARDED',
      },
      met: 'A flow from sleep-v1 to helloworld-v1 was forwarded.',
      unmet: 'No flow from sleep-v1 to helloworld-v1 has been forwarded yet.',
    },
  ],
  hints: [
    '`kubectl exec deploy/sleep-v2 -- curl -s --max-time 2 http://helloworld-v1:5000/hello` sends the request.',
    'The flows are recorded whether or not you look at them; to see them, run `hubble observe` in the agent pod on helloworld-v1\'s node (`kubectl get pod -o wide` shows the node).',
  ],
  solution: [
    'kubectl exec deploy/sleep-v2 -- curl -s --max-time 2 http://helloworld-v1:5000/hello',
    'kubectl exec deploy/sleep-v1 -- curl -s --max-time 2 http://helloworld-v1:5000/hello',
  ],
  controls: [
    {
      label: 'Send GET /hello from sleep-v2 to helloworld-v1',
      commands: ['kubectl exec deploy/sleep-v2 -- curl -s --max-time 2 http://helloworld-v1:5000/hello'],
    },
    {
      label: 'Send GET /hello from sleep-v1 to helloworld-v1',
      commands: ['kubectl exec deploy/sleep-v1 -- curl -s --max-time 2 http://helloworld-v1:5000/hello'],
    },
    {
      label: "Show the flows into helloworld-v1 that its node's Cilium agent saw",
      commands: [
        "NODE=$(kubectl get pod -l app=helloworld,version=v1 -o jsonpath='{.items[0].spec.nodeName}')",
        'AGENT=$(kubectl -n kube-system get pod -l k8s-app=cilium --field-selector spec.nodeName=$NODE -o name)',
        'kubectl -n kube-system exec $AGENT -- hubble observe --to-pod default/helloworld-v1 --last 10',
      ],
    },
  ],
});
