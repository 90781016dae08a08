/**
 * Cilium's reserved numeric identities (pkg/identity/numericidentity.go). Numbers 1-255 are
 * reserved; pods in one cluster get 256-65535; CIDR identities are node-local from 1<<24.
 */
export const ReservedIdentity = {
  unknown: 0,
  host: 1,
  world: 2,
  unmanaged: 3,
  health: 4,
  init: 5,
  remoteNode: 6,
  kubeApiserver: 7,
  ingress: 8,
} as const;

/** The reserved label name of each reserved identity, as `cilium identity list` prints it. */
export const reservedIdentityNames: Readonly<Record<number, string>> = {
  1: 'host',
  2: 'world',
  3: 'unmanaged',
  4: 'health',
  5: 'init',
  6: 'remote-node',
  7: 'kube-apiserver',
  8: 'ingress',
};

/** First and last identity this cluster allocates for pods (cluster-id 0). */
export const minimalAllocationIdentity = 256;
export const maximalAllocationIdentity = 65535;

/** Whether a numeric identity is one of the reserved ones (1-255). */
export function isReservedIdentity(id: number): boolean {
  return id > 0 && id < minimalAllocationIdentity;
}

/** The label set of a reserved identity, e.g. `{ 'reserved:world': '' }`. */
export function reservedIdentityLabels(id: number): Readonly<Record<string, string>> {
  const name = reservedIdentityNames[id];
  if (name === undefined) return {};
  // kube-apiserver nodes are remote nodes too, and Cilium labels them with both.
  if (id === ReservedIdentity.kubeApiserver)
    return { 'reserved:kube-apiserver': '', 'reserved:remote-node': '' };
  return { [`reserved:${name}`]: '' };
}
