/**
 * Istio in the simulated cluster, as plain data: which profile is installed, istiod's root and every
 * workload certificate as metadata (SPIFFE ID, serial, validity, when istio-agent or ztunnel rotates
 * it), and a ring of mesh connection records for widgets. Real PEMs are rendered later, outside the
 * event loop, from this metadata (simulator/istio/ca.ts holds the crypto); nothing here imports it.
 */
import { defaultIstioTrustDomain, istioSpiffeId } from '../istio/identity';
import { istioDefaults } from '../istio/ca-defaults';
import type { EffectiveMtlsMode } from '../istio/peer-authentication';

/** `istioctl install --set profile=…` (or the Helm charts) that the model knows. */
export type IstioProfile = 'default' | 'ambient';

/** The Istio release the model installs (ambient mode is GA from 1.24). */
export const istioVersion = '1.24.0';

/** The namespace Istio installs into, and its root namespace for mesh-wide policies. */
export const istioNamespace = 'istio-system';

/** Namespace labels that put workloads into the mesh. */
export const injectionLabel = 'istio-injection';
export const dataplaneModeLabel = 'istio.io/dataplane-mode';

/** The mesh's defaults: istiod's CA and istio-agent (istio/ca-defaults.ts), and the model's timings. */
export const meshDefaults = {
  trustDomain: defaultIstioTrustDomain,
  rootTtlMs: istioDefaults.selfSignedRootTtlMs,
  workloadCertTtlMs: istioDefaults.workloadCertTtlMs,
  clockSkewGraceMs: istioDefaults.clockSkewGracePeriodMs,
  /** istiod's gRPC CA port. */
  caPort: istioDefaults.caPort,
  /** ztunnel's HBONE inbound port. */
  hbonePort: 15008,
  /** How long istio-agent takes from sidecar start to a signed certificate. */
  csrRoundTripMs: 120,
  /** Back-off before istio-agent retries a refused or unanswered CSR. */
  csrRetryMs: 2_000,
} as const;

/** Who holds a workload certificate: a pod's sidecar, or the ztunnel of a node (by impersonation). */
export type CertificateHolder =
  { kind: 'sidecar'; podKey: string; podUid: string } | { kind: 'ztunnel'; node: string };

/** A certificate as metadata; the PEM is rendered lazily from it. */
export interface MeshCertificate {
  /** URI SAN, `spiffe://cluster.local/ns/<ns>/sa/<sa>`. */
  spiffeId: string;
  /** 128-bit serial as lowercase hex, from the world's PRNG. */
  serialHex: string;
  /** Issuer distinguished name (istiod's self-signed root). */
  issuer: string;
  issuedAtMs: number;
  notBeforeMs: number;
  notAfterMs: number;
  /** When the holder will ask for the next one (50 % ± 1 % of the lifetime). */
  rotateAtMs: number;
  /** 1 for the first certificate of this holder and identity, then 2, 3 … on each rotation. */
  generation: number;
}

/** istiod's self-signed root. */
export interface MeshRootCertificate {
  subject: string;
  serialHex: string;
  notBeforeMs: number;
  notAfterMs: number;
}

/** A pod with an injected sidecar, as istio-agent in it sees itself. */
export interface SidecarState {
  podKey: string;
  podUid: string;
  namespace: string;
  serviceAccount: string;
  node: string;
  certificate?: MeshCertificate;
  /** CSRs sent so far (including refused ones). */
  csrCount: number;
}

/** One node's ztunnel. */
export interface ZtunnelState {
  node: string;
  podName: string;
  /** Certificates by SPIFFE ID, one per service account with a pod on the node. */
  certificates: Record<string, MeshCertificate>;
}

/** What each side of a mesh connection used. */
export interface MeshPeer {
  pod: string;
  node: string;
  ip: string;
  /** The proxy that originated or terminated mTLS for it. */
  proxy: 'istio-proxy' | 'ztunnel' | 'none';
  spiffeId?: string;
  serialHex?: string;
}

/** How a mesh connection ended. */
export type MeshResult =
  | 'allowed'
  | 'denied-403'
  | 'closed-by-policy'
  | 'reset-plaintext-strict'
  | 'server-san-mismatch'
  | 'no-certificate'
  | 'waypoint-unavailable';

/** A plain-data record of one mesh connection and its handshake, for a widget. */
export interface MeshConnectionRecord {
  number: number;
  timeMs: number;
  dataplane: 'sidecar' | 'ambient' | 'mixed';
  client: MeshPeer;
  server: MeshPeer & { port: number };
  transport: 'mtls' | 'hbone' | 'plaintext';
  /** SNI the client sidecar sends (`outbound_.5000_._.helloworld-v1.default.svc.cluster.local`). */
  sni?: string;
  alpn?: string[];
  /** The SANs the client accepts from the server (the destination service's service accounts). */
  expectedServerSpiffeIds?: string[];
  mtlsMode: EffectiveMtlsMode;
  authorization?: { allowed: boolean; policy?: string; reason: string; layer: string };
  result: MeshResult;
  /** What the server node's Cilium ipcache believed about the source address (for contrast; never used). */
  ipcacheBelief?: { node: string; identity: number; podName?: string };
  /** An Envoy-style access-log line for the request, where a sidecar saw HTTP. */
  accessLog?: string;
  /** The waypoint the connection went through (ambient, service enrolled with `istio.io/use-waypoint`). */
  waypoint?: MeshPeer & { name: string; namespace: string };
  explanation: string[];
}

/** Which traffic a waypoint serves (label `istio.io/waypoint-for`; `istioctl waypoint apply` default: service). */
export type WaypointFor = 'service' | 'workload' | 'all' | 'none';

/** A waypoint as istiod sees it: its Gateway (gatewayClassName istio-waypoint) and its Envoy's certificate. */
export interface WaypointState {
  name: string;
  namespace: string;
  waypointFor: WaypointFor;
  /** The service account its Deployment runs as (named after the Gateway); its SPIFFE ID is the waypoint's identity. */
  serviceAccount: string;
  /** The Gateway object as applied (gateway.networking.k8s.io/v1), kept as written. */
  gateway: {
    apiVersion: 'gateway.networking.k8s.io/v1';
    kind: 'Gateway';
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: {
      gatewayClassName: 'istio-waypoint';
      listeners: { name: string; port: number; protocol: 'HBONE' }[];
    };
  };
  /** The certificate the waypoint's istio-agent got from istiod (absent until istiod answered). */
  certificate?: MeshCertificate;
  createdAtMs: number;
}

/** Istio in the cluster. */
export interface MeshState {
  profile: IstioProfile;
  version: string;
  trustDomain: string;
  installedAtMs: number;
  /** Which components were installed (istioctl: all of the profile's; Helm: chart by chart). */
  components: { base: boolean; istiod: boolean; cni: boolean; ztunnel: boolean; ingressGateway: boolean };
  root: MeshRootCertificate;
  sidecars: Record<string, SidecarState>;
  ztunnels: Record<string, ZtunnelState>;
  /** Waypoints by `namespace/name` (absent until the first `istioctl waypoint apply`). */
  waypoints?: Record<string, WaypointState>;
  connections: MeshConnectionRecord[];
  nextConnectionNumber: number;
  /** Things istiod and the agents logged (CSR refusals, rotations), newest last. */
  log: { timeMs: number; text: string }[];
}

/** How many connection records and log lines the ring keeps. */
export const meshRecordCapacity = 64;

/** The SPIFFE ID of a service account in this mesh. */
export function spiffeIdOf(
  mesh: Pick<MeshState, 'trustDomain'>,
  namespace: string,
  serviceAccount: string,
): string {
  return istioSpiffeId(namespace, serviceAccount, mesh.trustDomain);
}

/** Appends a log line, keeping the ring bounded. */
export function meshLog(mesh: MeshState, timeMs: number, text: string): void {
  mesh.log.push({ timeMs, text });
  if (mesh.log.length > meshRecordCapacity) mesh.log.splice(0, mesh.log.length - meshRecordCapacity);
}

// Istio's slot in a cluster (world.ts ClusterLayers): absent until Istio is installed.
declare module '../world' {
  interface ClusterLayers {
    mesh?: MeshState;
  }
}
