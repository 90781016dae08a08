/**
 * Ambient waypoints (istio/istio istioctl/pkg/waypoint/waypoint.go at 1.24.0;
 * https://istio.io/latest/docs/ambient/usage/waypoint/): `istioctl waypoint apply -n NS [--name N] [--enroll-namespace]`
 * creates a Gateway (gateway.networking.k8s.io/v1, gatewayClassName `istio-waypoint`, label
 * `istio.io/waypoint-for: service` by default), and istiod deploys it as an Envoy Deployment in the
 * namespace, running as its own service account, so the waypoint holds its own workload certificate.
 *
 * A waypoint serves what is enrolled to it with the label `istio.io/use-waypoint: <name>` on a
 * Service, a pod or their namespace (istio.io docs: ambient/usage/waypoint), and only the traffic
 * types its `istio.io/waypoint-for` names: `service` (the default) for connections addressed to a
 * Service, `workload` for connections addressed to a pod's own address, `all` for both. It is never
 * bound to a service account. The client node's ztunnel sends the request over HBONE to the waypoint, which
 * enforces the AuthorizationPolicies attached to it by `targetRefs` (L7: methods, paths) on the
 * client certificate it verified, then opens HBONE with its own certificate to the destination
 * ztunnel. That ztunnel still enforces selector-based L4 policy, and sees the waypoint's identity.
 *
 * The Gateway is kept in the mesh state (the API server of the model does not serve Gateway API
 * kinds); the Deployment and ServiceAccount are real API objects that the controllers run.
 */
import { applyObjects } from '../k8s/apply';
import { getObject, listObjects } from '../k8s/api-store';
import { mapSelectorMatches } from '../k8s/metadata';
import type { ApiObject, Deployment, Pod, Service } from '../k8s/objects';
import type { World } from '../world';
import { istiodRunning, ztunnelRunning } from './install';
import {
  dataplaneModeLabel,
  istioVersion,
  meshLog,
  spiffeIdOf,
  type MeshCertificate,
  type MeshState,
  type WaypointState,
} from './state';
import { issueCertificate, serviceAccountOf } from './workloads';
import type { WaypointApplyRequest } from './events';
export type { WaypointApplyRequest } from './events';

/** The GatewayClass istiod reconciles into waypoints (`WaypointGatewayClassName`). */
const waypointGatewayClassName = 'istio-waypoint';
/** The label that enrols a namespace or a Service to a waypoint. */
const useWaypointLabel = 'istio.io/use-waypoint';
/** The Gateway label that says which traffic the waypoint serves. */
const waypointForLabel = 'istio.io/waypoint-for';
/** The label istiod puts on the waypoint's pods (and that selects them). */
const gatewayNameLabel = 'gateway.networking.k8s.io/gateway-name';
/** The port a waypoint receives HBONE on. */
export const waypointHbonePort = 15008;

/** What `istioctl waypoint apply` did. */
export type WaypointApplyResult =
  | { ok: true; namespace: string; name: string; enrollNamespace: boolean; created: boolean }
  | { ok: false; error: string };

/** The namespace label `--enroll-namespace` sets (apply it with an `object.label` input). */
export function waypointEnrolment(name: string): Record<string, string> {
  return { [useWaypointLabel]: name };
}

function waypointDeployment(namespace: string, name: string): Deployment {
  const labels = { [gatewayNameLabel]: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace,
      labels: { ...labels, 'gateway.istio.io/managed': 'istio.io-mesh-controller' },
      uid: '',
      resourceVersion: '0',
      creationTimestamp: '',
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        // The waypoint is not itself captured by ztunnel, and gets no sidecar.
        metadata: {
          labels: { ...labels, [dataplaneModeLabel]: 'none', 'sidecar.istio.io/inject': 'false' },
        },
        spec: {
          serviceAccountName: name,
          containers: [
            {
              name: 'istio-proxy',
              image: `docker.io/istio/proxyv2:${istioVersion}`,
              ports: [waypointHbonePort, 15021, 15020].map((containerPort) => ({
                containerPort,
                protocol: 'TCP' as const,
              })),
            },
          ],
        },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    },
    status: {},
  };
}

/** Runs `istioctl waypoint apply`: the Gateway, and istiod's Deployment and ServiceAccount for it. */
export function applyWaypoint(world: World, request: WaypointApplyRequest): WaypointApplyResult {
  const cluster = world.cluster;
  const mesh = cluster?.mesh;
  const name = request.name ?? 'waypoint';
  const namespace = request.namespace;
  if (cluster === undefined)
    return {
      ok: false,
      error:
        'Error: failed to create Kubernetes client: the connection to the server localhost:8080 was refused',
    };
  // The Gateway API CRDs come from their own release bundle, not from Istio (k8s/gateway-api-crds.ts).
  if (cluster.gatewayApiCrds === undefined)
    return {
      ok: false,
      error: `Error: missing Kubernetes Gateway CRDs need to be installed before applying a waypoint: the server could not find the requested resource (patch gateways.gateway.networking.k8s.io ${name})`,
    };
  // A real Gateway would be stored and wait for an istiod; the model keeps waypoints with istiod.
  if (mesh === undefined || !mesh.components.istiod)
    return {
      ok: false,
      error:
        'Error: no Istio control plane runs in this cluster, so nothing would deploy the waypoint; install Istio first (istioctl install --set profile=ambient -y)',
    };
  if (getObject(cluster.api, 'Namespace', namespace) === undefined)
    return { ok: false, error: `Error: namespaces "${namespace}" not found` };
  const waypointFor = request.waypointFor ?? 'service';
  const key = `${namespace}/${name}`;
  mesh.waypoints ??= {};
  const existing = mesh.waypoints[key];
  mesh.waypoints[key] = {
    name,
    namespace,
    waypointFor,
    serviceAccount: name,
    gateway: {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name, namespace, labels: { [waypointForLabel]: waypointFor } },
      spec: {
        gatewayClassName: waypointGatewayClassName,
        listeners: [{ name: 'mesh', port: waypointHbonePort, protocol: 'HBONE' }],
      },
    },
    ...(existing?.certificate !== undefined ? { certificate: existing.certificate } : {}),
    createdAtMs: existing?.createdAtMs ?? world.timeMs,
  };
  const serviceAccount: ApiObject = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace, uid: '', resourceVersion: '0', creationTimestamp: '' },
  };
  applyObjects(world, [serviceAccount, waypointDeployment(namespace, name)]);
  meshLog(mesh, world.timeMs, `istiod: Gateway ${key} (class ${waypointGatewayClassName}) deployed`);
  return { ok: true, namespace, name, enrollNamespace: request.enrollNamespace === true, created: !existing };
}

/** What `istioctl waypoint apply` prints. */
export function istioctlWaypointApplyOutput(result: WaypointApplyResult): string {
  if (!result.ok) return result.error;
  const lines = [`✅ waypoint ${result.namespace}/${result.name} applied`];
  if (result.enrollNamespace)
    lines.push(`✅ namespace ${result.namespace} labeled with "${useWaypointLabel}: ${result.name}"`);
  return lines.join('\n');
}

/** The running pod of a waypoint's Deployment, if any (the first by name). */
export function waypointPod(world: Readonly<World>, waypoint: WaypointState): Pod | undefined {
  const cluster = world.cluster;
  if (cluster === undefined) return undefined;
  return listObjects(cluster.api, 'Pod')
    .filter(
      (pod) =>
        (pod.metadata.namespace ?? 'default') === waypoint.namespace &&
        pod.metadata.labels?.[gatewayNameLabel] === waypoint.name &&
        pod.status.phase === 'Running' &&
        pod.metadata.deletionTimestamp === undefined &&
        pod.spec.nodeName !== undefined &&
        pod.status.podIP !== undefined,
    )
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))[0];
}

/** The waypoint's name a Service or pod is enrolled to: its own label first (`none` opts out), else its namespace's. */
function enrolledName(world: Readonly<World>, service: Service | Pod): string | undefined {
  const own = service.metadata.labels?.[useWaypointLabel];
  if (own !== undefined) return own === 'none' ? undefined : own;
  const cluster = world.cluster;
  const namespace = service.metadata.namespace ?? 'default';
  const label =
    cluster === undefined
      ? undefined
      : getObject(cluster.api, 'Namespace', namespace)?.metadata.labels?.[useWaypointLabel];
  return label === 'none' ? undefined : label;
}

/** The waypoint that serves traffic addressed to a Service, if it is enrolled to one that exists and serves services. */
export function waypointForService(world: Readonly<World>, service: Service): WaypointState | undefined {
  const mesh = world.cluster?.mesh;
  const name = enrolledName(world, service);
  if (mesh === undefined || name === undefined) return undefined;
  const waypoint = mesh.waypoints?.[`${service.metadata.namespace ?? 'default'}/${name}`];
  if (waypoint === undefined) return undefined;
  return waypoint.waypointFor === 'service' || waypoint.waypointFor === 'all' ? waypoint : undefined;
}

/**
 * The waypoint that serves traffic addressed to a pod's own IP, if the pod (or its namespace) is
 * enrolled to one that exists and serves workloads.
 */
export function waypointForWorkload(world: Readonly<World>, pod: Pod): WaypointState | undefined {
  const mesh = world.cluster?.mesh;
  const name = enrolledName(world, pod);
  if (mesh === undefined || name === undefined) return undefined;
  const waypoint = mesh.waypoints?.[`${pod.metadata.namespace ?? 'default'}/${name}`];
  if (waypoint === undefined) return undefined;
  return waypoint.waypointFor === 'workload' || waypoint.waypointFor === 'all' ? waypoint : undefined;
}

/**
 * The waypoint's own certificate: its istio-agent asks istiod once the pod runs, and again when the
 * one it holds has expired. Undefined while istiod does not answer or the pod does not run.
 */
export function waypointCertificate(
  world: World,
  mesh: MeshState,
  waypoint: WaypointState,
): MeshCertificate | undefined {
  const current = waypoint.certificate;
  if (current !== undefined && current.notAfterMs > world.timeMs) return current;
  if (waypointPod(world, waypoint) === undefined || !istiodRunning(world)) return undefined;
  const certificate = issueCertificate(
    world,
    mesh,
    spiffeIdOf(mesh, waypoint.namespace, waypoint.serviceAccount),
    (current?.generation ?? 0) + 1,
  );
  waypoint.certificate = certificate;
  meshLog(
    mesh,
    world.timeMs,
    `waypoint ${waypoint.namespace}/${waypoint.name}: istiod signed ${certificate.spiffeId} (serial ${certificate.serialHex})`,
  );
  return certificate;
}

/** Whether the waypoint can take connections: its pod runs on a node whose ztunnel is up. */
export function waypointReady(world: Readonly<World>, waypoint: WaypointState): boolean {
  const pod = waypointPod(world, waypoint);
  return pod?.spec.nodeName !== undefined && ztunnelRunning(world, pod.spec.nodeName);
}

/** A pod a stalled waypoint takes down with it. */
export interface WaypointAffectedPod {
  name: string;
  namespace: string;
  serviceAccount: string;
  node: string;
  /** The enrolled Services that select it. */
  services: string[];
}

/**
 * Blast radius of a stalled waypoint: every running pod behind a Service enrolled to it, or enrolled
 * itself for workload traffic (its own label or its namespace's), on whatever node it runs, and
 * nothing outside that enrolment. Compare Cilium's per-node Envoy (cilium/envoy-blast-radius.ts),
 * which takes down every redirected endpoint of one node, whatever its namespace.
 */
export function podsBehindWaypoint(world: Readonly<World>, waypointKey: string): WaypointAffectedPod[] {
  const cluster = world.cluster;
  const waypoint = cluster?.mesh?.waypoints?.[waypointKey];
  if (cluster === undefined || waypoint === undefined) return [];
  const enrolled = listObjects(cluster.api, 'Service').filter(
    (service) =>
      (service.metadata.namespace ?? 'default') === waypoint.namespace &&
      waypointForService(world, service) === waypoint,
  );
  const affected: WaypointAffectedPod[] = [];
  for (const pod of listObjects(cluster.api, 'Pod')) {
    const namespace = pod.metadata.namespace ?? 'default';
    const node = pod.spec.nodeName;
    if (
      namespace !== waypoint.namespace ||
      node === undefined ||
      pod.status.phase !== 'Running' ||
      pod.metadata.deletionTimestamp !== undefined ||
      pod.metadata.labels?.[gatewayNameLabel] !== undefined
    )
      continue;
    const services = enrolled
      .filter(
        (service) =>
          service.spec.selector !== undefined &&
          mapSelectorMatches(service.spec.selector, pod.metadata.labels),
      )
      .map((service) => service.metadata.name)
      .sort();
    if (services.length === 0 && waypointForWorkload(world, pod) !== waypoint) continue;
    affected.push({
      name: pod.metadata.name,
      namespace,
      serviceAccount: serviceAccountOf(pod),
      node,
      services,
    });
  }
  return affected.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}
