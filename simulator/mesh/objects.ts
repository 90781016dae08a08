/**
 * Istio's API objects (groups security.istio.io, networking.istio.io, telemetry.istio.io,
 * extensions.istio.io), kept as written. Istio's base chart installs their CRDs (mesh/crds.ts) and
 * composition.ts registers them as custom kinds; the types join Kubernetes' ApiObject by augmenting
 * k8s/objects.ts's CustomResourceObjects. Types only.
 */
import type { ObjectMeta } from '../k8s/objects';

/** Istio security resources (security.istio.io v1/v1beta1), kept as written; mesh/policies.ts reads them. */
export interface PeerAuthenticationObject {
  apiVersion: string;
  kind: 'PeerAuthentication';
  metadata: ObjectMeta;
  spec?: unknown;
}

export interface AuthorizationPolicyObject {
  apiVersion: string;
  kind: 'AuthorizationPolicy';
  metadata: ObjectMeta;
  spec?: unknown;
}

export type IstioSecurityObject = PeerAuthenticationObject | AuthorizationPolicyObject;

/**
 * The other kinds whose CRDs Istio's base chart installs (networking, telemetry and extensions
 * groups, plus RequestAuthentication), stored as written: the model gives them no behaviour, but
 * kubectl lists and describes them as a real cluster does (mesh/crds.ts).
 */
export type IstioConfigKind =
  | 'DestinationRule'
  | 'EnvoyFilter'
  | 'Gateway'
  | 'ProxyConfig'
  | 'ServiceEntry'
  | 'Sidecar'
  | 'VirtualService'
  | 'WorkloadEntry'
  | 'WorkloadGroup'
  | 'RequestAuthentication'
  | 'Telemetry'
  | 'WasmPlugin';

export interface IstioConfigObject {
  apiVersion: string;
  kind: IstioConfigKind;
  metadata: ObjectMeta;
  spec?: unknown;
}

declare module '../k8s/objects' {
  interface CustomResourceObjects {
    PeerAuthentication: PeerAuthenticationObject;
    AuthorizationPolicy: AuthorizationPolicyObject;
    IstioConfig: IstioConfigObject;
  }
}
