/**
 * The experiment's two L4 policies with mutual authentication required on their ingress rules
 * (Cilium 1.14+, `authentication.mode: required`): only sleep-vN may reach helloworld-vN on
 * 5000/TCP, and only after the two nodes' agents completed a SPIRE-backed handshake.
 */
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
   authentication:
     mode: "required"
   toPorts:
   - ports:
     - port: "5000"
       protocol: TCP
`;

export const authPolicyV1Yaml = policyFor('v1');
export const authPolicyV2Yaml = policyFor('v2');
