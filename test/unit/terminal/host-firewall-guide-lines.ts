/** The Cilium docs' Host Firewall guide, shared by the tests that type it. */

export const demoPolicyUrl =
  'https://raw.githubusercontent.com/cilium/cilium/1.18.5/examples/policies/host/demo-host-policy.yaml';

/** The guide's first lines, as the page has them: label the node, find its agent and host endpoint. */
export const guidePreamble: readonly string[] = [
  'export NODE_NAME=kind-worker',
  'kubectl label node $NODE_NAME node-access=ssh',
  'CILIUM_NAMESPACE=kube-system',
  `CILIUM_POD_NAME=$(kubectl -n $CILIUM_NAMESPACE get pods -l "k8s-app=cilium" -o jsonpath="{.items[?(@.spec.nodeName=='$NODE_NAME')].metadata.name}")`,
  'alias kexec="kubectl -n $CILIUM_NAMESPACE exec $CILIUM_POD_NAME --"',
  `HOST_EP_ID=$(kexec cilium-dbg endpoint list -o jsonpath='{[?(@.status.identity.id==1)].id}')`,
];
