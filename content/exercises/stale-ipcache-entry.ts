import { defineExercise } from '../../simulator/exercises/index';

export default defineExercise({
  id: 'stale-ipcache-entry',
  title: 'Find the stale ipcache entry and the pod it names',
  level: 'intermediate',
  source: 'mistaken-identity',
  start: { scenario: 'mistaken-identity', steps: 6 },
  task: `helloworld-v1's node has been cut off from the API server, and sleep-v2 has been restarted until
one of its pods got an address that used to be sleep-v1's. Somewhere in the cut-off node's ipcache
an address now held by a sleep-v2 pod still maps to sleep-v1's identity.

Find every pod whose address the cut-off node maps to an identity that is not the pod's own, and
label exactly those pods \`stale=true\` (\`kubectl label pod NAME stale=true\`).`,
  goals: [
    {
      check: {
        kind: 'ipcache-entry',
        node: { cutOff: true },
        pod: { labels: { app: 'sleep', version: 'v2' } },
        identityOf: { labels: { app: 'sleep', version: 'v1' } },
      },
      met: "The cut-off node still maps a sleep-v2 pod's address to sleep-v1's identity.",
      unmet: "The cut-off node no longer maps any sleep-v2 address to sleep-v1's identity.",
    },
    {
      check: { kind: 'stale-pods-labelled', label: 'stale', value: 'true' },
      met: 'Exactly the pods behind stale entries carry stale=true.',
      unmet: 'The pods labelled stale=true are not exactly those behind stale entries.',
    },
  ],
  hints: [
    'kubectl cannot reach the cut-off node\'s agent; `docker exec NODE` can, and `crictl exec` runs a command in its agent container.',
    'The truth is in the CiliumEndpoints (`kubectl get cep`: each pod\'s address and identity); the belief is in `cilium map get cilium_ipcache` on the cut-off node.',
    'Compare the two: an address whose ipcache identity differs from its CiliumEndpoint\'s identity is stale. Addresses the node never heard of are not stale, just unknown.',
  ],
  solution: [
    "NODEV1=$(kubectl get pod -l app=helloworld,version=v1 -o=jsonpath='{.items[0].spec.nodeName}')",
    "docker exec $NODEV1 /bin/bash -c 'crictl exec $(crictl ps --name cilium-agent -q) cilium map get cilium_ipcache' > ipcache.txt",
    `kubectl get cep -o json | jq -r '.items[] | "\\(.metadata.name) \\(.status.networking.addressing[0].ipv4) \\(.status.identity.id)"' > cep.txt`,
    'while read pod ip id; do line=$(grep "^$ip/32 " ipcache.txt); if [ -n "$line" ] && ! echo "$line" | grep -q "identity=$id "; then kubectl label pod $pod stale=true; fi; done < cep.txt',
  ],
});
