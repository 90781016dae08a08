import { defineWorkshop } from '../../simulator/exercises/index';

export default defineWorkshop({
  id: 'mistaken-identity',
  title: 'Mistaken identity: the three guides, hands on',
  intro: `Walk the site's three guides in the lab. First the experiment: a node cut off from the API
server keeps an old map from addresses to identities, and a pod that inherits an address inherits
the trust that went with it. Then the two answers the guides weigh: Cilium's mutual
authentication, which still trusts that map, and L7 policy in Cilium and in Istio, where Istio
checks the certificate of the client instead of its address.

Each exercise starts its own lab; nothing runs on a server and your progress stays in your browser.`,
  exercises: [
    'see-a-drop',
    'only-client',
    'scale-one-identity',
    'stale-ipcache-entry',
    'bypass-seed-42',
    'heal-the-node',
    'mutual-auth-does-not-help',
    'l7-get-hello',
    'istio-only-sleep-v1',
  ],
});
