/**
 * Manifests from the cilium/cilium repository's `examples/` that Cilium's documentation applies by
 * URL (`kubectl create -f https://raw.githubusercontent.com/cilium/cilium/1.18.5/examples/…`). The
 * simulated machine has no internet access; these few files are what it can fetch, for a release
 * tag (`1.18.5`, `v1.18.5`) or a branch (`main`).
 *
 * The host firewall guide's policy names ICMP by number up to 1.15 and by name (EchoRequest) from
 * 1.16, when Cilium started to accept ICMP type names; the file follows the release it is fetched at.
 */

/** examples/policies/host/demo-host-policy.yaml: SSH and ping from anywhere, everything from the cluster. */
function demoHostPolicy(icmpType: string): string {
  return `apiVersion: "cilium.io/v2"
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: "demo-host-policy"
spec:
  description: ""
  nodeSelector:
    matchLabels:
      node-access: ssh
  ingress:
  - fromEntities:
    - cluster
  - toPorts:
    - ports:
      - port: "22"
        protocol: TCP
  - icmps:
    - fields:
      - type: ${icmpType}
        family: IPv4
`;
}

const examples: Readonly<Record<string, (minor: number | undefined) => string>> = {
  'examples/policies/host/demo-host-policy.yaml': (minor) =>
    demoHostPolicy(minor !== undefined && minor < 16 ? '8' : 'EchoRequest'),
};

const rawUrl =
  /^https:\/\/raw\.githubusercontent\.com\/cilium\/cilium\/(?:refs\/(?:heads|tags)\/)?([^/]+)\/(.+)$/;

/** The minor release a git ref names (`v1.15.6` → 15), undefined for a branch such as main. */
function minorOfRef(ref: string): number | undefined {
  const match = /^v?1\.(\d+)(?:\.\d+)?(?:-[0-9A-Za-z.]+)?$/.exec(ref);
  return match === null ? undefined : Number(match[1]);
}

/** The text of a cilium/cilium example the simulated machine can fetch, or undefined. */
export function ciliumExampleAt(url: string): string | undefined {
  const match = rawUrl.exec(url);
  if (match === null) return undefined;
  const [, ref = '', path = ''] = match;
  const example = examples[path];
  if (example === undefined) return undefined;
  const minor = minorOfRef(ref);
  if (minor === undefined && ref !== 'main' && ref !== 'HEAD') return undefined;
  return example(minor);
}
