import { defineExercise } from '../../simulator/exercises/index';

export default defineExercise({
  id: 'bypass-seed-42',
  title: 'Make the bypass happen for seed 42 without a single restart',
  level: 'hard',
  source: 'mistaken-identity',
  start: { scenario: 'mistaken-identity', seed: 42, steps: 5 },
  task: `This is the mistaken-identity lab with seed 42, up to the moment helloworld-v1's node is cut off
from the API server. \`run-test.sh\` is in your home directory; it swaps sleep-v1 for sleep-v2 and
restarts sleep-v2 until one of its pods holds a former sleep-v1 address.

Get a sleep-v2 pod into helloworld-v1 through the cut-off node's stale ipcache **without any**
\`kubectl rollout restart\`. Every restart counts, including those a script runs for you.`,
  goals: [
    {
      check: {
        kind: 'flow',
        from: { labels: { app: 'sleep', version: 'v2' } },
        to: { labels: { app: 'helloworld', version: 'v1' } },
        port: 5000,
        verdict: 'FORWARDED',
        node: { cutOff: true },
        mistaken: true,
      },
      met: 'sleep-v2 got into helloworld-v1: the cut-off node took it for sleep-v1.',
      unmet: 'No sleep-v2 request has been forwarded to helloworld-v1 under a mistaken identity yet.',
    },
    {
      check: { kind: 'restarts-at-most', count: 0, deployment: 'sleep-v2' },
      met: 'You never restarted sleep-v2.',
      unmet: 'You restarted sleep-v2: with this seed, no restart is needed.',
    },
  ],
  hints: [
    'The addresses to aim for are those sleep-v1 holds now: each one goes back to its node’s pool when its pod goes away.',
    'Fifteen new sleep-v2 pods draw fifteen addresses from the same pools: with this seed, one of them lands on a former sleep-v1 address at the first try.',
    'run-test.sh restarts sleep-v2 whenever its look finds no reused address, and a restart is exactly what this exercise forbids. Do it by hand instead: scale sleep-v1 to 0 and sleep-v2 to 15, wait for the rollout, then curl helloworld-v1 from every sleep-v2 pod.',
  ],
  solution: [
    'kubectl scale deploy sleep-v1 --replicas=0',
    'kubectl scale deploy sleep-v2 --replicas=15',
    'kubectl rollout status deployment/sleep-v2 > /dev/null',
    'for p in $(kubectl get pods -l app=sleep,version=v2 -o name); do kubectl exec $p -- curl -s --max-time 2 http://helloworld-v1:5000/hello; done',
  ],
  // Moves to choose from, the restart this exercise forbids among them.
  controls: [
    { label: 'Scale sleep-v1 to 0', commands: ['kubectl scale deploy sleep-v1 --replicas=0'] },
    { label: 'Scale sleep-v2 to 15', commands: ['kubectl scale deploy sleep-v2 --replicas=15'] },
    { label: 'Restart sleep-v2', commands: ['kubectl rollout restart deployment/sleep-v2'] },
    {
      label: 'Wait for the sleep-v2 rollout',
      commands: ['kubectl rollout status deployment/sleep-v2 > /dev/null'],
    },
    {
      label: 'Send GET /hello from every sleep-v2 pod to helloworld-v1',
      commands: [
        'for p in $(kubectl get pods -l app=sleep,version=v2 -o name); do kubectl exec $p -- curl -s --max-time 2 http://helloworld-v1:5000/hello; done',
      ],
    },
  ],
});
