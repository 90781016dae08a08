/**
 * The events Istio adds to the world: installing it (an input), and the certificate work istio-agent
 * and ztunnel do on their own (internal events).
 */
import type { CertificateHolder, IstioProfile, WaypointFor } from './state';

/** Helm charts of an ambient installation, in the order the docs install them. */
export type IstioHelmChart = 'base' | 'istiod' | 'cni' | 'ztunnel';

/** `istioctl install --set profile=… -y`, or one `helm install` of Istio's charts. */
export type IstioInstallRequest =
  | { tool: 'istioctl'; profile: IstioProfile }
  | {
      tool: 'helm';
      chart: IstioHelmChart;
      values?: Record<string, string>;
      /** The Helm release name, recorded as Helm records releases (helm/releases.ts). */
      release?: string;
    };

/** Inputs Istio adds: installing it, and `istioctl waypoint apply`. */
export type MeshInputEvent =
  | { type: 'istio.install'; request: IstioInstallRequest }
  | { type: 'istio.waypoint.apply'; request: WaypointApplyRequest };

/** Work istio-agent, ztunnel and istiod schedule for themselves. */
export type MeshInternalEvent =
  /** istio-agent in a sidecar sends its CSR with the pod's ServiceAccount token. */
  | { type: 'mesh.sidecar.csr'; podKey: string; podUid: string }
  /** ztunnel asks for a certificate of a service account with a pod on its node (impersonation). */
  | { type: 'mesh.ztunnel.csr'; node: string; namespace: string; serviceAccount: string }
  /** The holder's rotation time came: it asks for a fresh certificate of the same identity. */
  | { type: 'mesh.certificate.rotate'; holder: CertificateHolder; spiffeId: string; serialHex: string };

/** `istioctl waypoint apply` as plain data. */
export interface WaypointApplyRequest {
  namespace: string;
  /** `--name`, default `waypoint`. */
  name?: string;
  /** `--for`, default `service`. */
  waypointFor?: WaypointFor;
  /** `--enroll-namespace`: the caller then labels the namespace (see `waypointEnrolment`). */
  enrollNamespace?: boolean;
}
