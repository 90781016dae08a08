import { defineExercise } from '../../simulator/exercises/index';

export default defineExercise({
  id: 'mutual-auth-does-not-help',
  title: 'Mutual authentication is on: show that the bypass still happens, and why',
  level: 'hard',
  source: 'mutual-auth',
  start: { scenario: 'mutual-auth', steps: 6 },
  task: `This cluster runs Cilium 1.14 with SPIRE-backed mutual authentication, and both policies say
\`authentication: mode: required\`. helloworld-v1's node is cut off, sleep-v1 is gone and sleep-v2
has been restarted until one of its pods holds a former sleep-v1 address.

Show that the bypass still happens: get that sleep-v2 pod into helloworld-v1 through an
**authenticated** policy entry. Then explain to yourself, with \`cilium bpf auth list\` on the
cut-off node, which identity the agents authenticated, and why.`,
  goals: [
    {
      check: { kind: 'cilium-config', values: { 'authentication.mutual.spire.enabled': 'true' } },
      met: 'Mutual authentication with SPIRE is on.',
      unmet: 'Mutual authentication with SPIRE is not on.',
    },
    {
      check: {
        kind: 'flow',
        from: { labels: { app: 'sleep', version: 'v2' } },
        to: { labels: { app: 'helloworld', version: 'v1' } },
        port: 5000,
        verdict: 'FORWARDED',
        node: { cutOff: true },
        mistaken: true,
        authenticated: true,
      },
      met: 'sleep-v2 got into helloworld-v1 through an entry that required authentication: the agents authenticated sleep-v1\'s identity, the one the stale ipcache named.',
      unmet: 'No sleep-v2 request has reached helloworld-v1 through an authenticated entry yet.',
    },
  ],
  hints: [
    'Which sleep-v2 pod holds a former sleep-v1 address? Compare the sleep-v2 addresses with the cut-off node\'s ipcache, or simply try every sleep-v2 pod.',
    '`for p in $(kubectl get pods -l app=sleep,version=v2 -o name); do kubectl exec $p -- curl -s --max-time 2 http://helloworld-v1:5000/hello; done`',
    'Mutual authentication proves that the *nodes* hold the certificates of the identities in the auth map key; the identity itself still comes from the ipcache of the node that enforces.',
  ],
  solution: [
    'for p in $(kubectl get pods -l app=sleep,version=v2 -o name); do kubectl exec $p -- curl -s --max-time 2 http://helloworld-v1:5000/hello; done',
  ],
});
