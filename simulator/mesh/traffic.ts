/**
 * What Istio does to one TCP connection between pods, decided on the state each proxy really has.
 *
 * - Sidecar mode: the client's istio-proxy originates mutual TLS to a destination in the mesh (auto
 *   mTLS), sends SNI `outbound_.<port>_._.<service fqdn>` and accepts the server's certificate only
 *   if its URI SAN is one of the destination service's service accounts. The server's istio-proxy
 *   applies PeerAuthentication (STRICT resets plaintext), then AuthorizationPolicy on the VERIFIED
 *   client certificate; a denied HTTP request is answered 403 `RBAC: access denied`.
 * - Ambient mode: the client node's ztunnel opens HBONE (HTTP/2 CONNECT over mTLS, port 15008) with
 *   the certificate it holds for the client pod's service account, and checks the server's SAN is
 *   the destination workload's identity; the destination ztunnel enforces L4 AuthorizationPolicy and
 *   closes a denied connection.
 * - Ambient with a waypoint: when the destination Service (or, for a connection to a pod's IP, the
 *   pod with a `workload` waypoint) is enrolled (`istio.io/use-waypoint`), the client ztunnel's
 *   HBONE goes to the waypoint instead, which enforces the policies attached to it
 *   by targetRefs on the client certificate (403 `RBAC: access denied`), then opens its own HBONE to
 *   the destination ztunnel; that ztunnel's L4 policies see the waypoint's identity.
 *
 * The client identity is always the certificate of the pod that really opened the socket: a sidecar
 * lives in that pod, and ztunnel's in-pod redirection hands it the pod's own socket. No ipcache is
 * consulted; the server node's ipcache belief is only recorded beside the verdict, for contrast.
 */
import { lookupIpcache } from '../cilium/agent-ipcache';
import type { ConnectionOutcome, OpenedConnection } from '../cilium/datapath-types';
import {
  evaluateAuthorization,
  evaluateWaypointAuthorization,
  type AuthorizationVerdict,
} from '../istio/authorization';
import { principalOf } from '../istio/identity';
import { effectiveMtlsMode, inboundOutcome } from '../istio/peer-authentication';
import { listObjects } from '../k8s/api-store';
import type { HttpRequest, HttpResponse } from '../k8s/applications';
import { mapSelectorMatches } from '../k8s/metadata';
import type { Pod, Service } from '../k8s/objects';
import type { World } from '../world';
import { authorizationPoliciesIn, peerAuthenticationsIn } from './policies';
import {
  meshDefaults,
  meshRecordCapacity,
  spiffeIdOf,
  type MeshCertificate,
  type MeshConnectionRecord,
  type MeshPeer,
  type MeshState,
} from './state';
import { ztunnelRunning } from './install';
import {
  certificateForPod,
  handleZtunnelCsr,
  hasSidecar,
  inAmbientMesh,
  serviceAccountOf,
} from './workloads';
import {
  waypointCertificate,
  waypointForService,
  waypointForWorkload,
  waypointHbonePort,
  waypointPod,
  waypointReady,
} from './waypoint';

/** The proxy that handles a pod's traffic in the mesh. */
export function meshProxyOf(world: World, pod: Pod, node: string): MeshPeer['proxy'] {
  const mesh = world.cluster?.mesh;
  if (mesh === undefined) return 'none';
  if (
    hasSidecar(pod) &&
    mesh.sidecars[`${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`] !== undefined
  )
    return 'istio-proxy';
  if (inAmbientMesh(world, pod) && ztunnelRunning(world, node)) return 'ztunnel';
  return 'none';
}

/** The SNI a sidecar sends for a service port: `outbound_.5000_._.helloworld-v1.default.svc.cluster.local`. */
export function outboundSni(service: Service, port: number, trustDomain: string): string {
  return `outbound_.${port}_._.${service.metadata.name}.${service.metadata.namespace ?? 'default'}.svc.${trustDomain}`;
}

/** The SPIFFE IDs a sidecar accepts from a service's servers: the service accounts of its pods. */
export function serviceAccountsOfService(world: World, mesh: MeshState, service: Service): string[] {
  const cluster = world.cluster;
  if (cluster === undefined) return [];
  const namespace = service.metadata.namespace ?? 'default';
  const ids = new Set<string>();
  for (const pod of listObjects(cluster.api, 'Pod')) {
    if ((pod.metadata.namespace ?? 'default') !== namespace) continue;
    if (
      service.spec.selector === undefined ||
      !mapSelectorMatches(service.spec.selector, pod.metadata.labels)
    )
      continue;
    ids.add(spiffeIdOf(mesh, namespace, serviceAccountOf(pod)));
  }
  return [...ids].sort();
}

/** A request as the hook receives it from the datapath. */
export interface MeshRequest {
  host: string;
  port: number;
  http?: Omit<HttpRequest, 'host' | 'port'>;
  timeoutMs: number;
}

function peer(
  pod: Pod | undefined,
  node: string,
  ip: string,
  proxy: MeshPeer['proxy'],
  certificate?: MeshCertificate,
): MeshPeer {
  return {
    pod: pod === undefined ? `node ${node}` : `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`,
    node,
    ip,
    proxy,
    ...(certificate !== undefined
      ? { spiffeId: certificate.spiffeId, serialHex: certificate.serialHex }
      : {}),
  };
}

function record(mesh: MeshState, entry: Omit<MeshConnectionRecord, 'number'>): MeshConnectionRecord {
  const full = { ...entry, number: mesh.nextConnectionNumber++ };
  mesh.connections.push(full);
  if (mesh.connections.length > meshRecordCapacity)
    mesh.connections.splice(0, mesh.connections.length - meshRecordCapacity);
  return full;
}

const connectionFailure =
  'upstream connect error or disconnect/reset before headers. reset reason: connection failure';

/**
 * The datapath's hook, called once a connection reached a pod whose application listens. Returns
 * the outcome when the mesh ends the exchange (reset, 403, 503), or undefined when the request goes
 * on to the application. `close` lets the datapath account for the closing packets.
 */
export function answerInMesh(
  world: World,
  opened: OpenedConnection,
  request: MeshRequest,
  explanation: string[],
  close: () => void,
): ConnectionOutcome | undefined {
  const cluster = world.cluster;
  const mesh = cluster?.mesh;
  const { origin, target, tuple } = opened.passage;
  if (cluster === undefined || mesh === undefined || target.kind !== 'pod' || target.pod === undefined)
    return undefined;
  const serverPod = target.pod;
  const clientPod = origin.kind === 'pod' ? origin.pod : undefined;
  const serverProxy = meshProxyOf(world, serverPod, target.node);
  const clientProxy = clientPod === undefined ? 'none' : meshProxyOf(world, clientPod, origin.node);
  if (serverProxy === 'none') {
    if (clientProxy !== 'none')
      explanation.push(
        `${serverPod.metadata.name} is not in the mesh, so the client's ${clientProxy} sends plaintext (auto mTLS finds no istio peer).`,
      );
    return undefined;
  }
  const now = world.timeMs;
  const steps: string[] = [];
  const namespace = serverPod.metadata.namespace ?? 'default';
  const service = listObjects(cluster.api, 'Service').find(
    (candidate) => candidate.spec.clusterIP === opened.address,
  );
  const serverAgent = cluster.cilium?.agents[target.node];
  const belief = serverAgent === undefined ? undefined : lookupIpcache(cluster, serverAgent, tuple.sourceIP);
  const ipcacheBelief =
    belief === undefined
      ? undefined
      : {
          node: target.node,
          identity: belief.identity,
          ...(belief.podName !== undefined ? { podName: belief.podName } : {}),
        };

  // The client side: which certificate goes out, if any, and what the server must prove.
  let clientCertificate: MeshCertificate | undefined;
  if (clientPod !== undefined && clientProxy === 'ztunnel') {
    clientCertificate = certificateForPod(world, clientPod, origin.node);
    if (clientCertificate === undefined)
      clientCertificate = handleZtunnelCsr(
        world,
        origin.node,
        clientPod.metadata.namespace ?? 'default',
        serviceAccountOf(clientPod),
      );
  } else if (clientPod !== undefined && clientProxy === 'istio-proxy') {
    clientCertificate = certificateForPod(world, clientPod, origin.node);
  }
  const serverCertificate = certificateForPod(world, serverPod, target.node);
  const transport: MeshConnectionRecord['transport'] =
    clientProxy === 'none' || (clientProxy === 'istio-proxy' && service === undefined)
      ? 'plaintext'
      : clientProxy === 'ztunnel' || serverProxy === 'ztunnel'
        ? 'hbone'
        : 'mtls';
  const dataplane: MeshConnectionRecord['dataplane'] =
    clientProxy === 'none' || clientProxy === serverProxy
      ? serverProxy === 'ztunnel'
        ? 'ambient'
        : 'sidecar'
      : 'mixed';
  // Ambient only (sidecars do not use waypoints): a connection addressed to a Service goes through
  // the Service's waypoint, one addressed to a pod's IP through the pod's workload waypoint.
  const ambient = transport === 'hbone' && clientProxy === 'ztunnel' && serverProxy === 'ztunnel';
  const waypoint = !ambient
    ? undefined
    : service !== undefined
      ? waypointForService(world, service)
      : waypointForWorkload(world, serverPod);
  const waypointPodNow = waypoint === undefined ? undefined : waypointPod(world, waypoint);
  const waypointCert =
    waypoint === undefined || !waypointReady(world, waypoint)
      ? undefined
      : waypointCertificate(world, mesh, waypoint);
  const waypointHop =
    waypoint === undefined
      ? undefined
      : {
          ...peer(
            waypointPodNow,
            waypointPodNow?.spec.nodeName ?? '',
            waypointPodNow?.status.podIP ?? '',
            'istio-proxy',
            waypointCert,
          ),
          name: waypoint.name,
          namespace: waypoint.namespace,
        };
  const sni =
    clientProxy === 'istio-proxy' && service !== undefined
      ? outboundSni(service, request.port, mesh.trustDomain)
      : undefined;
  const expected =
    clientProxy === 'istio-proxy' && service !== undefined && serverProxy === 'istio-proxy'
      ? serviceAccountsOfService(world, mesh, service)
      : [spiffeIdOf(mesh, namespace, serviceAccountOf(serverPod))];
  const targetPort = tuple.destinationPort;
  const clientPeer = peer(clientPod, origin.node, tuple.sourceIP, clientProxy, clientCertificate);
  const serverPeer = {
    ...peer(serverPod, target.node, tuple.destinationIP, serverProxy, serverCertificate),
    port: targetPort,
  };
  const workload = { namespace, labels: serverPod.metadata.labels ?? {} };
  const mode = effectiveMtlsMode(peerAuthenticationsIn(world), workload, targetPort);
  const base = {
    timeMs: now,
    dataplane,
    client: clientPeer,
    server: serverPeer,
    transport,
    ...(sni !== undefined ? { sni, alpn: ['istio-peer-exchange', 'istio', 'h2'] } : {}),
    ...(transport !== 'plaintext' ? { expectedServerSpiffeIds: expected } : {}),
    mtlsMode: mode,
    ...(ipcacheBelief !== undefined ? { ipcacheBelief } : {}),
    ...(waypointHop !== undefined ? { waypoint: waypointHop } : {}),
  };
  const mistaken = opened.passage.mistaken;
  const finish = (
    entry: Pick<MeshConnectionRecord, 'result'> & Partial<MeshConnectionRecord>,
    outcome: ConnectionOutcome | undefined,
  ): ConnectionOutcome | undefined => {
    explanation.push(...steps);
    record(mesh, { ...base, ...entry, explanation: steps });
    if (outcome !== undefined) close();
    return outcome;
  };
  const reset = (elapsedMs: number): ConnectionOutcome => ({
    kind: 'error',
    elapsedMs: opened.elapsedMs + elapsedMs,
    message: 'curl: (56) Recv failure: Connection reset by peer',
    explanation,
  });
  const proxyAnswer = (status: number, body: string, elapsedMs: number): ConnectionOutcome => {
    const response: HttpResponse = {
      status,
      headers: { 'content-type': 'text/plain', server: 'envoy' },
      body,
    };
    return {
      kind: 'response',
      elapsedMs: opened.elapsedMs + elapsedMs,
      address: opened.address,
      response,
      serverPod: serverPod.metadata.name,
      explanation,
      ...(mistaken !== undefined ? { mistaken } : {}),
    };
  };

  if (transport === 'plaintext') {
    steps.push(
      clientProxy === 'istio-proxy'
        ? `${tuple.destinationIP} is not a service host, so the client's istio-proxy passes the connection through in plaintext (PassthroughCluster).`
        : `${clientPod?.metadata.name ?? origin.node} has no sidecar and no ztunnel: it connects in plaintext to ${serverPod.metadata.name}'s ${serverProxy}.`,
    );
  } else {
    if (clientCertificate === undefined || serverCertificate === undefined) {
      steps.push(
        clientCertificate === undefined
          ? `The client's ${clientProxy} has no certificate yet (istio-agent's CSR has not been answered), so it cannot originate mTLS.`
          : `${serverPod.metadata.name}'s ${serverProxy} has no certificate yet, so the TLS handshake fails.`,
      );
      if (clientProxy === 'istio-proxy')
        return finish({ result: 'no-certificate' }, proxyAnswer(503, connectionFailure, 3));
      return finish({ result: 'no-certificate' }, reset(3));
    }
    if (waypoint !== undefined) {
      const enrolled =
        service !== undefined ? `Service ${service.metadata.name}` : `Pod ${serverPod.metadata.name}`;
      const expectedWaypoint = spiffeIdOf(mesh, waypoint.namespace, waypoint.serviceAccount);
      if (waypointHop === undefined || waypointCert === undefined || waypointPodNow === undefined) {
        steps.push(
          `${enrolled} is enrolled to waypoint ${waypoint.namespace}/${waypoint.name}, which has no ready pod with a certificate: ztunnel on ${origin.node} cannot open HBONE to it, and the connection fails.`,
        );
        return finish({ result: 'waypoint-unavailable' }, reset(3));
      }
      steps.push(
        `${enrolled} is enrolled to waypoint ${waypoint.name} (istio.io/use-waypoint): ztunnel on ${origin.node} opens HBONE to the waypoint ${waypointPodNow.metadata.name} at ${waypointHop.ip}:${waypointHbonePort}, presenting ${clientCertificate.spiffeId}; the waypoint presents ${waypointCert.spiffeId} (the expected ${expectedWaypoint}).`,
      );
      const l7 = evaluateWaypointAuthorization(
        authorizationPoliciesIn(world),
        { namespace: waypoint.namespace, gateway: waypoint.name, service: service?.metadata.name ?? '' },
        {
          peerSpiffeId: clientCertificate.spiffeId,
          sourceIp: tuple.sourceIP,
          protocol: request.http !== undefined ? 'http' : 'tcp',
          ...(request.http !== undefined
            ? { method: request.http.method, path: request.http.path, headers: request.http.headers }
            : {}),
          host: `${request.host}:${request.port}`,
          port: targetPort,
        },
      );
      const waypointAuthorization = {
        allowed: l7.allowed,
        ...(l7.policy !== undefined ? { policy: l7.policy } : {}),
        reason: l7.reason,
        layer: `waypoint ${l7.layer}`,
      };
      steps.push(
        `AuthorizationPolicy at waypoint ${waypoint.name} (targetRefs; ${l7.layer}) for principal ${principalOf(clientCertificate.spiffeId)}: ${l7.allowed ? 'allowed' : 'denied'}, ${l7.reason}${l7.policy !== undefined ? ` (${l7.policy})` : ''}.`,
      );
      if (!l7.allowed) {
        if (request.http !== undefined)
          return finish(
            {
              result: 'denied-403',
              authorization: waypointAuthorization,
              accessLog: `[${waypointPodNow.metadata.name}] "${request.http.method} ${request.http.path} HTTP/1.1" 403 - rbac_access_denied_matched_policy[${l7.policy ?? 'none'}] ${clientCertificate.spiffeId}`,
            },
            proxyAnswer(403, 'RBAC: access denied', 5),
          );
        return finish({ result: 'closed-by-policy', authorization: waypointAuthorization }, reset(4));
      }
    }
    steps.push(
      clientProxy === 'istio-proxy'
        ? `${clientPod?.metadata.name ?? ''}'s istio-proxy opens mutual TLS to ${tuple.destinationIP}:${targetPort}, SNI ${sni ?? '(none)'}, presenting ${clientCertificate.spiffeId} (serial ${clientCertificate.serialHex.slice(0, 8)}…).`
        : waypoint !== undefined && waypointCert !== undefined
          ? `The waypoint opens HBONE to ${tuple.destinationIP}:${meshDefaults.hbonePort}, presenting its own certificate ${waypointCert.spiffeId}; the destination ztunnel sees the waypoint's identity, not the client's.`
          : `ztunnel on ${origin.node} opens HBONE (HTTP/2 CONNECT over mTLS) to ${tuple.destinationIP}:${meshDefaults.hbonePort}, presenting the certificate it holds for ${clientPod?.metadata.name ?? ''}'s service account: ${clientCertificate.spiffeId}.`,
    );
    if (!expected.includes(serverCertificate.spiffeId)) {
      steps.push(
        `The server presents ${serverCertificate.spiffeId}, which is not among the expected ${expected.join(', ')}: the client rejects the handshake.`,
      );
      return finish(
        { result: 'server-san-mismatch' },
        clientProxy === 'istio-proxy'
          ? proxyAnswer(
              503,
              `${connectionFailure}, transport failure reason: TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:TLS_error_end`,
              4,
            )
          : reset(4),
      );
    }
    steps.push(
      `The server presents ${serverCertificate.spiffeId} (an expected SAN); both chains verify against istiod's root ${mesh.root.subject}.`,
    );
  }

  const inbound = inboundOutcome(
    mode,
    transport === 'plaintext' ? { transport: 'plaintext' } : { transport: 'tls', clientCertificate: true },
  );
  const enforcer =
    serverProxy === 'istio-proxy' ? `${serverPod.metadata.name}'s istio-proxy` : `ztunnel on ${target.node}`;
  if (!inbound.accepted) {
    steps.push(`PeerAuthentication at ${enforcer}: ${inbound.explanation}.`);
    return finish({ result: 'reset-plaintext-strict' }, reset(2));
  }
  const peerSpiffeId = inbound.mutualTls
    ? waypoint !== undefined
      ? waypointCert?.spiffeId
      : clientCertificate?.spiffeId
    : undefined;
  const http = serverProxy === 'istio-proxy' && request.http !== undefined;
  const verdict: AuthorizationVerdict = evaluateAuthorization(authorizationPoliciesIn(world), workload, {
    peerSpiffeId,
    sourceIp: tuple.sourceIP,
    protocol: http ? 'http' : 'tcp',
    ...(request.http !== undefined && http
      ? { method: request.http.method, path: request.http.path, headers: request.http.headers }
      : {}),
    host: `${request.host}:${request.port}`,
    port: targetPort,
  });
  const who =
    peerSpiffeId === undefined ? 'no peer identity (plaintext)' : `principal ${principalOf(peerSpiffeId)}`;
  const authorization = {
    allowed: verdict.allowed,
    ...(verdict.policy !== undefined ? { policy: verdict.policy } : {}),
    reason: verdict.reason,
    layer: serverProxy === 'ztunnel' ? 'ztunnel L4 authorization' : verdict.layer,
  };
  steps.push(
    `AuthorizationPolicy at ${enforcer} (${authorization.layer}) for ${who}: ${verdict.allowed ? 'allowed' : 'denied'}, ${verdict.reason}${verdict.policy !== undefined ? ` (${verdict.policy})` : ''}.`,
  );
  if (
    belief !== undefined &&
    clientPod !== undefined &&
    belief.podName !== undefined &&
    belief.podName !== clientPod.metadata.name
  )
    steps.push(
      `${target.node}'s Cilium ipcache still names ${tuple.sourceIP} ${belief.podName} (identity ${belief.identity}); Istio did not ask it.`,
    );
  const line =
    request.http === undefined ? undefined : `"${request.http.method} ${request.http.path} HTTP/1.1"`;
  if (verdict.allowed) {
    if (transport !== 'plaintext')
      steps.push(
        `Hubble sees only TLS between ${tuple.sourceIP} and ${tuple.destinationIP}; the HTTP request travels inside the mTLS session.`,
      );
    return finish({ result: 'allowed', authorization }, undefined);
  }
  if (http) {
    return finish(
      {
        result: 'denied-403',
        authorization,
        ...(line !== undefined
          ? {
              accessLog: `[${serverPod.metadata.name}] ${line} 403 - rbac_access_denied_matched_policy[${verdict.policy ?? 'none'}] ${peerSpiffeId ?? '-'}`,
            }
          : {}),
      },
      proxyAnswer(403, 'RBAC: access denied', 4),
    );
  }
  return finish({ result: 'closed-by-policy', authorization }, reset(3));
}

/** The newest mesh connection record, if any (what a widget shows after a curl). */
export function lastMeshConnection(world: Readonly<World>): MeshConnectionRecord | undefined {
  const connections = world.cluster?.mesh?.connections;
  return connections?.[connections.length - 1];
}
