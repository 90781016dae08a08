/**
 * yamls/istio-policies.yaml: mutual TLS required in `default`, and one AuthorizationPolicy per
 * helloworld version that admits a single principal (a service account, written without
 * `spiffe://`) on port 5000. The rules are L4-only (a port, no methods or paths), so ztunnel in
 * ambient mode enforces exactly what the sidecars enforce.
 */
const authorizationPolicy = (
  version: 'v1' | 'v2',
  principal: string,
): string => `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: helloworld-${version}
  namespace: default
spec:
  selector:
    matchLabels:
      app: helloworld
      version: ${version}
  action: ALLOW
  rules:
  - from:
    - source:
        principals: ["${principal}"]
    to:
    - operation:
        ports: ["5000"]
`;

const peerAuthentication = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: default
spec:
  mtls:
    mode: STRICT
`;

/** STRICT mTLS, sleep-v1's account for helloworld-v1 and sleep-v2's for helloworld-v2. */
export const istioPoliciesYaml = [
  peerAuthentication,
  authorizationPolicy('v1', 'cluster.local/ns/default/sa/sleep-v1'),
  authorizationPolicy('v2', 'cluster.local/ns/default/sa/sleep-v2'),
].join('---\n');

/** The shared-account variant: both helloworld versions admit `sa/sleep`, the one account both sleeps use. */
export const istioPoliciesSharedAccountYaml = [
  peerAuthentication,
  authorizationPolicy('v1', 'cluster.local/ns/default/sa/sleep'),
  authorizationPolicy('v2', 'cluster.local/ns/default/sa/sleep'),
].join('---\n');
