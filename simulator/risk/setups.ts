/**
 * The setups the risk lab compares: Cilium releases and datapath modes as `helm install` would
 * configure them, and Istio in sidecar and ambient mode. Where a receiving node takes a packet's
 * source identity from is not written down here: for Cilium it is what the simulator's own
 * configuration model says for those helm values (`cilium/config.ts`, the table in the
 * mistaken-identity guide), for Istio it is the peer certificate. The verdict on a recycled
 * address is then computed per setup from that answer, never assumed.
 */
import { resolveCiliumConfig, sourceIdentityTransport, type CiliumConfig } from '../cilium/config';

/** How a setup is installed. */
export type SetupInstall =
  | { kind: 'cilium'; version: string; values: Record<string, string> }
  | { kind: 'istio'; mode: 'sidecar' | 'ambient' };

export interface RiskSetup {
  id: string;
  label: string;
  install: SetupInstall;
}

// As the experiment installs it: up to 1.13 the agent refuses WireGuard beside the L7 proxy.
const wireguard = { 'encryption.enabled': 'true', 'encryption.type': 'wireguard', l7Proxy: 'false' };
const mutualAuth = {
  'authentication.mutual.spire.enabled': 'true',
  'authentication.mutual.spire.install.enabled': 'true',
};

const cilium = (id: string, label: string, version: string, values: Record<string, string>): RiskSetup => ({
  id,
  label,
  install: { kind: 'cilium', version, values: { 'ipam.mode': 'kubernetes', ...values } },
});

/** Every setup the lab knows, in the order of the guide's table. */
export const riskSetups: readonly RiskSetup[] = [
  cilium('cilium-1.12-vxlan', 'Cilium 1.12, VXLAN', '1.12.0', {}),
  cilium('cilium-1.15-geneve', 'Cilium 1.15, Geneve', '1.15.6', { tunnelProtocol: 'geneve' }),
  cilium('cilium-1.12-wireguard', 'Cilium 1.12, WireGuard', '1.12.0', wireguard),
  cilium('cilium-1.14-wireguard', 'Cilium 1.14, WireGuard', '1.14.5', wireguard),
  cilium('cilium-1.14-wireguard-encapsulate', 'Cilium 1.14, WireGuard, encapsulate', '1.14.5', {
    ...wireguard,
    'encryption.wireguard.encapsulate': 'true',
  }),
  cilium('cilium-1.15-wireguard', 'Cilium 1.15, WireGuard', '1.15.6', wireguard),
  cilium('cilium-1.15-native-routing', 'Cilium 1.15, native routing, WireGuard', '1.15.6', {
    ...wireguard,
    routingMode: 'native',
    autoDirectNodeRoutes: 'true',
    ipv4NativeRoutingCIDR: '10.244.0.0/16',
  }),
  cilium('cilium-1.14-mutual-auth', 'Cilium 1.14, WireGuard, mutual auth', '1.14.5', {
    ...wireguard,
    ...mutualAuth,
  }),
  cilium('cilium-1.15-mutual-auth', 'Cilium 1.15, WireGuard, mutual auth', '1.15.6', {
    ...wireguard,
    ...mutualAuth,
  }),
  { id: 'istio-sidecar', label: 'Istio sidecars, STRICT mTLS', install: { kind: 'istio', mode: 'sidecar' } },
  { id: 'istio-ambient', label: 'Istio ambient (ztunnel)', install: { kind: 'istio', mode: 'ambient' } },
];

/** The six a sweep shows unless the reader picks others. */
export const defaultSetupIds: readonly string[] = [
  'cilium-1.12-wireguard',
  'cilium-1.14-mutual-auth',
  'cilium-1.15-native-routing',
  'cilium-1.15-wireguard',
  'cilium-1.12-vxlan',
  'istio-sidecar',
];

/** A setup by id, or undefined. */
export function riskSetup(id: string): RiskSetup | undefined {
  return riskSetups.find((setup) => setup.id === id);
}

/**
 * Where the receiver takes a remote client's identity from. `ipcache`: its own address-to-identity
 * cache, stale on a node that stopped hearing updates. `tunnel-header`: the identity the sending
 * node wrote, which is current. `certificate`: the client certificate the server's proxy verified.
 */
export type IdentitySource = 'ipcache' | 'tunnel-header' | 'certificate';

/** What the receiver of a setup does with a connection's source. */
export interface ReceiverModel {
  source: IdentitySource;
  /**
   * Cilium mutual authentication: the enforcing agent runs a handshake for the identity its
   * datapath resolved. The peer agent holds an SVID for every identity of the cluster, so the
   * handshake succeeds for whichever identity was resolved (pkg/auth/mutual_authhandler.go: the
   * server side checks only that the client certificate chains to the trust bundle).
   */
  authenticatesResolvedIdentity: boolean;
}

const configs = new Map<string, CiliumConfig>();

/** The resolved Cilium configuration of a setup (memoised: resolving is pure). */
function ciliumConfigOf(setup: RiskSetup & { install: { kind: 'cilium' } }): CiliumConfig {
  let config = configs.get(setup.id);
  if (config === undefined) {
    const resolved = resolveCiliumConfig({ version: setup.install.version, values: setup.install.values });
    if (resolved.config === undefined)
      throw new Error(`setup ${setup.id}: ${resolved.error ?? 'cannot be installed'}`);
    config = resolved.config;
    configs.set(setup.id, config);
  }
  return config;
}

/** How a setup's receiver learns who sent a connection, from the simulator's configuration model. */
export function receiverModel(setup: RiskSetup): ReceiverModel {
  if (setup.install.kind === 'istio') return { source: 'certificate', authenticatesResolvedIdentity: false };
  const config = ciliumConfigOf(setup as RiskSetup & { install: { kind: 'cilium' } });
  return {
    source: sourceIdentityTransport(config),
    authenticatesResolvedIdentity: config.mutualAuth.enabled && config.mutualAuth.spire,
  };
}

/**
 * Whether the protected workload's receiver lets a connection in: `believed` is the identity the
 * stale node's ipcache holds for the source address, `actual` the identity of the pod that really
 * holds it (which the sending node writes in a tunnel header and the certificate names).
 */
export function receiverAdmits<Identity>(
  setup: RiskSetup,
  believed: Identity,
  actual: Identity,
  admitted: (identity: Identity) => boolean,
): boolean {
  const model = receiverModel(setup);
  const resolved = model.source === 'ipcache' ? believed : actual;
  // Mutual authentication proves that some agent vouches for `resolved`, which every agent can.
  return admitted(resolved);
}
