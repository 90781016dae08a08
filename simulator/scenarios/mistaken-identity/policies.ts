/** The experiment's two L4 policies: only sleep-vN may reach helloworld-vN on 5000/TCP. */
const policyFor = (version: 'v1' | 'v2'): string => `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
 name: "${version}"
spec:
 endpointSelector:
   matchLabels:
     io.cilium.k8s.policy.serviceaccount: helloworld-${version}
 ingress:
 - fromEndpoints:
   - matchLabels:
       io.cilium.k8s.policy.serviceaccount: sleep-${version}
   toPorts:
   - ports:
     - port: "5000"
       protocol: TCP
`;

export const policyV1Yaml = policyFor('v1');
export const policyV2Yaml = policyFor('v2');
