import { defineExercise } from '../../simulator/exercises/index';

export default defineExercise({
  id: 'bypass-seed-42',
  title: 'Make the bypass happen for seed 42 in the fewest restarts',
  level: 'hard',
  source: 'mistaken-identity',
  start: { scenario: 'mistaken-identity', seed: 42, steps: 5 },
  task: `This is the mistaken-identity lab with seed 42, up to the moment helloworld-v1's node is cut off
from the API server. \`run-test.sh\` is in your home directory.

Get a sleep-v2 pod into helloworld-v1 through the cut-off node's stale ipcache, using **at most
one** \`kubectl rollout restart\`. Every restart counts, including those a script runs for you.`,
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
      check: { kind: 'restarts-at-most', count: 1, deployment: 'sleep-v2' },
      met: 'You restarted sleep-v2 at most once.',
      unmet: 'You restarted sleep-v2 more than once.',
    },
  ],
  hints: [
    'The addresses to aim for are those sleep-v1 holds now: write them down before you scale it to 0.',
    'Each address a sleep-v1 pod frees goes back to its node\'s pool; the more sleep-v2 pods start after it is free, the likelier one of them lands on it.',
    '`bash run-test.sh` records the addresses, swaps the deployments and restarts until an address is reused; with seed 42 that takes a single restart. Then curl from the pod it found.',
  ],
  solution: ['bash run-test.sh'],
});
