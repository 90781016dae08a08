import { defineExercise } from '../../simulator/exercises/index';

export default defineExercise({
  id: 'scale-one-identity',
  title: 'Scale sleep-v1: new addresses, one identity',
  level: 'first-steps',
  source: 'mistaken-identity',
  start: { scenario: 'mistaken-identity', steps: 3 },
  task: `The two versions of helloworld and sleep run, and the policies admit sleep-vN into helloworld-vN.
Scale sleep-v1 to three replicas. Every new pod gets a new address, but Cilium gives all of them
the same numeric identity, because they carry the same labels; check that every sleep-v1 pod
reaches helloworld-v1, and find the identity in the ipcache of helloworld-v1's node.`,
  goals: [
    {
      check: {
        kind: 'probe',
        from: { labels: { app: 'sleep', version: 'v1' } },
        request: { host: 'helloworld-v1', port: 5000, http: { method: 'GET', path: '/hello' } },
        expect: 'allowed',
      },
      met: 'Every sleep-v1 pod reaches helloworld-v1.',
      unmet: 'Some sleep-v1 pod does not reach helloworld-v1 (still starting?).',
    },
    {
      check: { kind: 'restarts-at-most', count: 0 },
      met: 'No deployment was restarted.',
      unmet: 'A deployment was restarted: scaling is enough here.',
    },
    {
      check: {
        kind: 'ipcache-entry',
        node: 'kind-worker3',
        pod: { labels: { app: 'sleep', version: 'v1' } },
        identityOf: { labels: { app: 'sleep', version: 'v1' } },
      },
      met: "helloworld-v1's node maps sleep-v1's addresses to sleep-v1's identity.",
      unmet: "helloworld-v1's node does not know sleep-v1's addresses yet.",
    },
  ],
  hints: [
    '`kubectl scale deployment sleep-v1 --replicas=3`, then `kubectl rollout status deployment/sleep-v1`.',
    "`kubectl get cep` lists each pod's address and identity; `cilium map get cilium_ipcache` in the agent of helloworld-v1's node shows what that node believes.",
  ],
  solution: [
    'kubectl scale deployment sleep-v1 --replicas=3',
    'kubectl rollout status deployment/sleep-v1',
    'for p in $(kubectl get pods -l app=sleep,version=v1 -o name); do kubectl exec $p -- curl -s --max-time 2 http://helloworld-v1:5000/hello; done',
  ],
});
