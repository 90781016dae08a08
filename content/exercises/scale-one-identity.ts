import { defineExercise } from '../../simulator/exercises/index';

const sleepV2 = { labels: { app: 'sleep', version: 'v2' } };
const hello = (version: string) => ({
  host: `helloworld-${version}`,
  port: 5000,
  http: { method: 'GET', path: '/hello' },
});

export default defineExercise({
  id: 'scale-one-identity',
  title: 'Scale sleep-v2: new addresses, one identity',
  level: 'first-steps',
  source: 'mistaken-identity',
  start: { scenario: 'mistaken-identity', steps: 3 },
  task: `The two versions of helloworld and sleep run, and the policies admit sleep-vN into
helloworld-vN. sleep-v2 runs one pod. Scale it to three replicas. Every new pod gets a new
address, but Cilium gives all of them the same numeric identity, because they carry the same
labels: check that every sleep-v2 pod still reaches helloworld-v2 and none reaches helloworld-v1,
and find their identity in the ipcache of helloworld-v1's node.`,
  goals: [
    {
      check: { kind: 'running-pods', pods: sleepV2, count: 3 },
      met: 'Three sleep-v2 pods run.',
      unmet: 'sleep-v2 does not run exactly three pods.',
    },
    {
      check: { kind: 'probe', from: sleepV2, request: hello('v2'), expect: 'allowed' },
      met: 'Every sleep-v2 pod reaches helloworld-v2.',
      unmet: 'Some sleep-v2 pod does not reach helloworld-v2 (still starting?).',
    },
    {
      check: { kind: 'probe', from: sleepV2, request: hello('v1'), expect: 'denied' },
      met: 'No sleep-v2 pod reaches helloworld-v1.',
      unmet: 'A sleep-v2 pod reaches helloworld-v1.',
    },
    {
      check: {
        kind: 'ipcache-entry',
        node: { hosting: { labels: { app: 'helloworld', version: 'v1' } } },
        pod: sleepV2,
        identityOf: sleepV2,
        every: true,
      },
      met: "helloworld-v1's node maps every sleep-v2 address to sleep-v2's one identity.",
      unmet: "helloworld-v1's node does not know every sleep-v2 address yet.",
    },
    {
      check: { kind: 'restarts-at-most', count: 0 },
      met: 'No deployment was restarted.',
      unmet: 'A deployment was restarted: scaling is enough here.',
    },
  ],
  hints: [
    '`kubectl scale deployment sleep-v2 --replicas=3`, then `kubectl rollout status deployment/sleep-v2`.',
    "`kubectl get cep` lists each pod's address and identity; `cilium map get cilium_ipcache` in the agent of helloworld-v1's node shows what that node believes.",
  ],
  solution: [
    'kubectl scale deployment sleep-v2 --replicas=3',
    'kubectl rollout status deployment/sleep-v2',
    'for p in $(kubectl get pods -l app=sleep,version=v2 -o name); do kubectl exec $p -- curl -s --max-time 2 http://helloworld-v2:5000/hello; done',
  ],
});
