import { defineExercise } from '../../simulator/exercises/index';

export default defineExercise({
  id: 'heal-the-node',
  title: 'Heal the cut-off node and watch the bypass close',
  level: 'intermediate',
  source: 'mistaken-identity',
  start: { scenario: 'mistaken-identity', steps: 7 },
  task: `The bypass has happened: a sleep-v2 pod reached helloworld-v1 because the cut-off node's
ipcache still maps its address to sleep-v1. The node was cut off by two iptables rules in its
\`mangle\` table that drop the API server's packets.

Remove both rules, let the agent re-list the API server, and make sure no sleep-v2 pod reaches
helloworld-v1 any more.`,
  goals: [
    {
      check: { kind: 'node-ready', node: { hosting: { labels: { app: 'helloworld', version: 'v1' } } } },
      met: "helloworld-v1's node is Ready again and its agent hears the API server.",
      unmet: "helloworld-v1's node is still cut off (NotReady, or its agent hears nothing).",
    },
    {
      check: {
        kind: 'probe',
        from: { labels: { app: 'sleep', version: 'v2' } },
        request: { host: 'helloworld-v1', port: 5000, http: { method: 'GET', path: '/hello' } },
        expect: 'denied',
      },
      met: 'No sleep-v2 pod reaches helloworld-v1.',
      unmet: 'A sleep-v2 pod still reaches helloworld-v1.',
    },
    {
      check: {
        kind: 'ipcache-entry',
        node: { hosting: { labels: { app: 'helloworld', version: 'v1' } } },
        pod: { labels: { app: 'sleep', version: 'v2' } },
        identityOf: { labels: { app: 'sleep', version: 'v2' } },
        every: true,
      },
      met: "helloworld-v1's node maps every sleep-v2 address to sleep-v2's identity again.",
      unmet: "helloworld-v1's node does not map sleep-v2's addresses to sleep-v2's identity yet.",
    },
  ],
  hints: [
    '`docker exec NODE iptables -t mangle -L INPUT -n` lists the rules; `-D` with the same arguments as the `-I` that added a rule deletes it.',
    "The agent re-lists some seconds after its link heals (client-go's backoff): give it time with `sleep 30`.",
  ],
  solution: [
    "NODEV1=$(kubectl get pod -l app=helloworld,version=v1 -o=jsonpath='{.items[0].spec.nodeName}')",
    "API_SERVER=$(kubectl get service -n default kubernetes -o=jsonpath='{.spec.clusterIP}')",
    "API_SERVEREP=$(kubectl get endpoints -n default kubernetes -o jsonpath='{.subsets[0].addresses[0].ip}')",
    'docker exec $NODEV1 iptables -t mangle -D INPUT -p tcp -s $API_SERVER -j DROP',
    'docker exec $NODEV1 iptables -t mangle -D INPUT -p tcp -s $API_SERVEREP -j DROP',
    'sleep 60',
  ],
});
