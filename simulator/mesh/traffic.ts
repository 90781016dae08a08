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
import type { IpcacheEntry } from '../cilium/state';
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
import { requireCluster } from '../world';
import { authorizationPoliciesIn, peerAuthenticationsIn } from './policies';
import {
  meshDefaults,
  meshRecordCapacity,
  spiffeIdOf,
  type MeshCertificate,
  type MeshConnectionRecord,
  type MeshPeer,
  type MeshState,
  type WaypointState,
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
function meshProxyOf(world: World, pod: Pod, node: string): MeshPeer['proxy'] {
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
function outboundSni(service: Service, port: number, trustDomain: string): string {
  return `outbound_.${port}_._.${service.metadata.name}.${service.metadata.namespace ?? 'default'}.svc.${trustDomain}`;
}

/** The SPIFFE IDs a sidecar accepts from a service's servers: the service accounts of its pods. */
function serviceAccountsOfService(world: World, mesh: MeshState, service: Service): string[] {
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

/** The proxies on a connection's two ends. */
interface MeshEnds {
  serverPod: Pod;
  clientPod: Pod | undefined;
  serverProxy: Exclude<MeshPeer['proxy'], 'none'>;
  clientProxy: MeshPeer['proxy'];
}

/** The waypoint an ambient connection goes through, as the client's ztunnel finds it. */
interface WaypointRoute {
  waypoint: WaypointState;
  pod: Pod | undefined;
  /** Its certificate, when it has a ready pod. */
  certificate: MeshCertificate | undefined;
  hop: MeshPeer & { name: string; namespace: string };
}

/** One connection as the mesh handles it: who holds which certificate, and what each side checks. */
interface MeshExchange extends MeshEnds {
  world: World;
  mesh: MeshState;
  opened: OpenedConnection;
  request: MeshRequest;
  explanation: string[];
  close: () => void;
  /** The sentences of this exchange, recorded with it and added to the explanation at the end. */
  steps: string[];
  service: Service | undefined;
  belief: IpcacheEntry | undefined;
  clientCertificate: MeshCertificate | undefined;
  serverCertificate: MeshCertificate | undefined;
  transport: MeshConnectionRecord['transport'];
  route: WaypointRoute | undefined;
  sni: string | undefined;
  expected: string[];
  workload: { namespace: string; labels: Record<string, string> };
  mode: MeshConnectionRecord['mtlsMode'];
  base: Omit<MeshConnectionRecord, 'number' | 'result' | 'explanation'>;
}

/**
 * The mesh as a proxy in front of applications (cilium/application-proxies.ts; composition.ts
 * registers it): called once a connection reached a pod whose application listens. Returns the
 * outcome when the mesh ends the exchange (reset, 403, 503), or undefined when the request goes on
 * to the application. `close` lets the datapath account for the closing packets.
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
  const { origin, target } = opened.passage;
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
  const ends: MeshEnds = { serverPod, clientPod, serverProxy, clientProxy };
  const exchange = describeExchange(world, mesh, opened, request, ends, explanation, close);
  if (exchange.transport === 'plaintext') {
    exchange.steps.push(
      clientProxy === 'istio-proxy'
        ? `${opened.passage.tuple.destinationIP} is not a service host, so the client's istio-proxy passes the connection through in plaintext (PassthroughCluster).`
        : `${clientPod?.metadata.name ?? origin.node} has no sidecar and no ztunnel: it connects in plaintext to ${serverPod.metadata.name}'s ${serverProxy}.`,
    );
  } else {
    const ended = secureChannel(exchange);
    if (ended !== undefined) return ended;
  }
  return authorizeAtServer(exchange);
}

/** The certificate the client's proxy presents: ztunnel asks istiod for one it does not hold yet. */
function clientCertificateOf(world: World, ends: MeshEnds, node: string): MeshCertificate | undefined {
  const { clientPod, clientProxy } = ends;
  if (clientPod === undefined) return undefined;
  if (clientProxy === 'ztunnel')
    return (
      certificateForPod(world, clientPod, node) ??
      handleZtunnelCsr(world, node, clientPod.metadata.namespace ?? 'default', serviceAccountOf(clientPod))
    );
  if (clientProxy === 'istio-proxy') return certificateForPod(world, clientPod, node);
  return undefined;
}

/**
 * Ambient only (sidecars do not use waypoints): a connection addressed to a Service goes through
 * the Service's waypoint, one addressed to a pod's IP through the pod's workload waypoint.
 */
function waypointRoute(
  world: World,
  mesh: MeshState,
  ends: MeshEnds,
  service: Service | undefined,
): WaypointRoute | undefined {
  const waypoint =
    service !== undefined ? waypointForService(world, service) : waypointForWorkload(world, ends.serverPod);
  if (waypoint === undefined) return undefined;
  const pod = waypointPod(world, waypoint);
  const certificate = !waypointReady(world, waypoint)
    ? undefined
    : waypointCertificate(world, mesh, waypoint);
  const hop = {
    ...peer(pod, pod?.spec.nodeName ?? '', pod?.status.podIP ?? '', 'istio-proxy', certificate),
    name: waypoint.name,
    namespace: waypoint.namespace,
  };
  return { waypoint, pod, certificate, hop };
}

/** Everything the two proxies know about a connection before the handshake, and its record's header. */
function describeExchange(
  world: World,
  mesh: MeshState,
  opened: OpenedConnection,
  request: MeshRequest,
  ends: MeshEnds,
  explanation: string[],
  close: () => void,
): MeshExchange {
  const cluster = requireCluster(world);
  const { origin, target, tuple } = opened.passage;
  const { serverPod, clientPod, serverProxy, clientProxy } = ends;
  const node = target.kind === 'pod' ? target.node : '';
  const namespace = serverPod.metadata.namespace ?? 'default';
  const service = listObjects(cluster.api, 'Service').find(
    (candidate) => candidate.spec.clusterIP === opened.address,
  );
  const serverAgent = cluster.cilium?.agents[node];
  const belief = serverAgent === undefined ? undefined : lookupIpcache(cluster, serverAgent, tuple.sourceIP);
  const clientCertificate = clientCertificateOf(world, ends, origin.node);
  const serverCertificate = certificateForPod(world, serverPod, node);
  const transport: MeshConnectionRecord['transport'] =
    clientProxy === 'none' || (clientProxy === 'istio-proxy' && service === undefined)
      ? 'plaintext'
      : clientProxy === 'ztunnel' || serverProxy === 'ztunnel'
        ? 'hbone'
        : 'mtls';
  const ambient = transport === 'hbone' && clientProxy === 'ztunnel' && serverProxy === 'ztunnel';
  const route = ambient ? waypointRoute(world, mesh, ends, service) : undefined;
  const sni =
    clientProxy === 'istio-proxy' && service !== undefined
      ? outboundSni(service, request.port, mesh.trustDomain)
      : undefined;
  const expected =
    clientProxy === 'istio-proxy' && service !== undefined && serverProxy === 'istio-proxy'
      ? serviceAccountsOfService(world, mesh, service)
      : [spiffeIdOf(mesh, namespace, serviceAccountOf(serverPod))];
  const workload = { namespace, labels: serverPod.metadata.labels ?? {} };
  const mode = effectiveMtlsMode(peerAuthenticationsIn(world), workload, tuple.destinationPort);
  const base = {
    timeMs: world.timeMs,
    dataplane: dataplaneOf(ends),
    client: peer(clientPod, origin.node, tuple.sourceIP, clientProxy, clientCertificate),
    server: {
      ...peer(serverPod, node, tuple.destinationIP, serverProxy, serverCertificate),
      port: tuple.destinationPort,
    },
    ...recordedChannel(transport, sni, expected, mode),
    ...(belief !== undefined ? { ipcacheBelief: ipcacheBeliefOf(node, belief) } : {}),
    ...(route !== undefined ? { waypoint: route.hop } : {}),
  };
  return {
    ...ends,
    world,
    mesh,
    opened,
    request,
    explanation,
    close,
    steps: [],
    service,
    belief,
    clientCertificate,
    serverCertificate,
    transport,
    route,
    sni,
    expected,
    workload,
    mode,
    base,
  };
}

/** The channel part of a connection record: transport, SNI and ALPN, the SANs the client expects. */
function recordedChannel(
  transport: MeshConnectionRecord['transport'],
  sni: string | undefined,
  expected: string[],
  mode: MeshConnectionRecord['mtlsMode'],
): Pick<MeshConnectionRecord, 'transport' | 'sni' | 'alpn' | 'expectedServerSpiffeIds' | 'mtlsMode'> {
  return {
    transport,
    ...(sni !== undefined ? { sni, alpn: ['istio-peer-exchange', 'istio', 'h2'] } : {}),
    ...(transport !== 'plaintext' ? { expectedServerSpiffeIds: expected } : {}),
    mtlsMode: mode,
  };
}

/** Which data plane carries the connection: sidecars, ambient, or a mix of the two. */
function dataplaneOf(ends: MeshEnds): MeshConnectionRecord['dataplane'] {
  const { clientProxy, serverProxy } = ends;
  if (clientProxy === 'none' || clientProxy === serverProxy)
    return serverProxy === 'ztunnel' ? 'ambient' : 'sidecar';
  return 'mixed';
}

/** What the server node's Cilium ipcache believed about the source, kept beside the verdict. */
function ipcacheBeliefOf(
  node: string,
  belief: IpcacheEntry,
): NonNullable<MeshConnectionRecord['ipcacheBelief']> {
  return {
    node,
    identity: belief.identity,
    ...(belief.podName !== undefined ? { podName: belief.podName } : {}),
  };
}

/** Records the exchange and says its steps; a returned outcome also closes the connection. */
function finish(
  exchange: MeshExchange,
  entry: Pick<MeshConnectionRecord, 'result'> & Partial<MeshConnectionRecord>,
  outcome: ConnectionOutcome | undefined,
): ConnectionOutcome | undefined {
  const { steps } = exchange;
  exchange.explanation.push(...steps);
  record(exchange.mesh, { ...exchange.base, ...entry, explanation: steps });
  if (outcome !== undefined) exchange.close();
  return outcome;
}

/** Records an exchange the mesh ended, returning the outcome the client sees. */
function end(
  exchange: MeshExchange,
  entry: Pick<MeshConnectionRecord, 'result'> & Partial<MeshConnectionRecord>,
  outcome: ConnectionOutcome,
): ConnectionOutcome {
  finish(exchange, entry, outcome);
  return outcome;
}

/** A connection reset by a proxy, as curl reports it. */
function reset(exchange: MeshExchange, elapsedMs: number): ConnectionOutcome {
  return {
    kind: 'error',
    elapsedMs: exchange.opened.elapsedMs + elapsedMs,
    message: 'curl: (56) Recv failure: Connection reset by peer',
    explanation: exchange.explanation,
  };
}

/** An answer from a proxy's Envoy instead of the application (403 RBAC, 503 upstream failures). */
function proxyAnswer(
  exchange: MeshExchange,
  status: number,
  body: string,
  elapsedMs: number,
): ConnectionOutcome {
  const { opened } = exchange;
  const mistaken = opened.passage.mistaken;
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
    serverPod: exchange.serverPod.metadata.name,
    explanation: exchange.explanation,
    ...(mistaken !== undefined ? { mistaken } : {}),
  };
}

/**
 * The mutual TLS (or HBONE) channel: both certificates, the waypoint's hop and its policies, and
 * the client's check of the server's SAN. Returns the outcome when the channel cannot be set up.
 */
function secureChannel(exchange: MeshExchange): ConnectionOutcome | undefined {
  const { steps, clientProxy, serverProxy, clientPod, serverPod, clientCertificate, serverCertificate } =
    exchange;
  const { origin, tuple } = exchange.opened.passage;
  if (clientCertificate === undefined || serverCertificate === undefined) {
    steps.push(
      clientCertificate === undefined
        ? `The client's ${clientProxy} has no certificate yet (istio-agent's CSR has not been answered), so it cannot originate mTLS.`
        : `${serverPod.metadata.name}'s ${serverProxy} has no certificate yet, so the TLS handshake fails.`,
    );
    if (clientProxy === 'istio-proxy')
      return end(exchange, { result: 'no-certificate' }, proxyAnswer(exchange, 503, connectionFailure, 3));
    return end(exchange, { result: 'no-certificate' }, reset(exchange, 3));
  }
  if (exchange.route !== undefined) {
    const refused = throughWaypoint(exchange, exchange.route, clientCertificate);
    if (refused !== undefined) return refused;
  }
  const waypointCert = exchange.route?.certificate;
  steps.push(
    clientProxy === 'istio-proxy'
      ? `${clientPod?.metadata.name ?? ''}'s istio-proxy opens mutual TLS to ${tuple.destinationIP}:${tuple.destinationPort}, SNI ${exchange.sni ?? '(none)'}, presenting ${clientCertificate.spiffeId} (serial ${clientCertificate.serialHex.slice(0, 8)}…).`
      : exchange.route !== undefined && waypointCert !== undefined
        ? `The waypoint opens HBONE to ${tuple.destinationIP}:${meshDefaults.hbonePort}, presenting its own certificate ${waypointCert.spiffeId}; the destination ztunnel sees the waypoint's identity, not the client's.`
        : `ztunnel on ${origin.node} opens HBONE (HTTP/2 CONNECT over mTLS) to ${tuple.destinationIP}:${meshDefaults.hbonePort}, presenting the certificate it holds for ${clientPod?.metadata.name ?? ''}'s service account: ${clientCertificate.spiffeId}.`,
  );
  if (!exchange.expected.includes(serverCertificate.spiffeId)) {
    steps.push(
      `The server presents ${serverCertificate.spiffeId}, which is not among the expected ${exchange.expected.join(', ')}: the client rejects the handshake.`,
    );
    return end(
      exchange,
      { result: 'server-san-mismatch' },
      clientProxy === 'istio-proxy'
        ? proxyAnswer(
            exchange,
            503,
            `${connectionFailure}, transport failure reason: TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:TLS_error_end`,
            4,
          )
        : reset(exchange, 4),
    );
  }
  steps.push(
    `The server presents ${serverCertificate.spiffeId} (an expected SAN); both chains verify against istiod's root ${exchange.mesh.root.subject}.`,
  );
  return undefined;
}

/** The client's HBONE to the waypoint and the policies attached to it; the outcome when it refuses. */
function throughWaypoint(
  exchange: MeshExchange,
  route: WaypointRoute,
  clientCertificate: MeshCertificate,
): ConnectionOutcome | undefined {
  const { steps, service, serverPod, mesh, request, world } = exchange;
  const { origin, tuple } = exchange.opened.passage;
  const { waypoint, pod, certificate } = route;
  const enrolled =
    service !== undefined ? `Service ${service.metadata.name}` : `Pod ${serverPod.metadata.name}`;
  const expectedWaypoint = spiffeIdOf(mesh, waypoint.namespace, waypoint.serviceAccount);
  if (certificate === undefined || pod === undefined) {
    steps.push(
      `${enrolled} is enrolled to waypoint ${waypoint.namespace}/${waypoint.name}, which has no ready pod with a certificate: ztunnel on ${origin.node} cannot open HBONE to it, and the connection fails.`,
    );
    return end(exchange, { result: 'waypoint-unavailable' }, reset(exchange, 3));
  }
  steps.push(
    `${enrolled} is enrolled to waypoint ${waypoint.name} (istio.io/use-waypoint): ztunnel on ${origin.node} opens HBONE to the waypoint ${pod.metadata.name} at ${route.hop.ip}:${waypointHbonePort}, presenting ${clientCertificate.spiffeId}; the waypoint presents ${certificate.spiffeId} (the expected ${expectedWaypoint}).`,
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
      port: tuple.destinationPort,
    },
  );
  const authorization = {
    allowed: l7.allowed,
    ...(l7.policy !== undefined ? { policy: l7.policy } : {}),
    reason: l7.reason,
    layer: `waypoint ${l7.layer}`,
  };
  steps.push(
    `AuthorizationPolicy at waypoint ${waypoint.name} (targetRefs; ${l7.layer}) for principal ${principalOf(clientCertificate.spiffeId)}: ${l7.allowed ? 'allowed' : 'denied'}, ${l7.reason}${l7.policy !== undefined ? ` (${l7.policy})` : ''}.`,
  );
  if (l7.allowed) return undefined;
  if (request.http === undefined)
    return end(exchange, { result: 'closed-by-policy', authorization }, reset(exchange, 4));
  return end(
    exchange,
    {
      result: 'denied-403',
      authorization,
      accessLog: `[${pod.metadata.name}] "${request.http.method} ${request.http.path} HTTP/1.1" 403 - rbac_access_denied_matched_policy[${l7.policy ?? 'none'}] ${clientCertificate.spiffeId}`,
    },
    proxyAnswer(exchange, 403, 'RBAC: access denied', 5),
  );
}

/** AuthorizationPolicy at the server's proxy, on the peer's verified identity (HTTP rules where a sidecar reads HTTP). */
function serverVerdict(
  exchange: MeshExchange,
  peerSpiffeId: string | undefined,
  http: boolean,
): AuthorizationVerdict {
  const { request } = exchange;
  const { tuple } = exchange.opened.passage;
  return evaluateAuthorization(authorizationPoliciesIn(exchange.world), exchange.workload, {
    peerSpiffeId,
    sourceIp: tuple.sourceIP,
    protocol: http ? 'http' : 'tcp',
    ...(request.http !== undefined && http
      ? { method: request.http.method, path: request.http.path, headers: request.http.headers }
      : {}),
    host: `${request.host}:${request.port}`,
    port: tuple.destinationPort,
  });
}

/**
 * The server side: PeerAuthentication (STRICT resets plaintext), then AuthorizationPolicy on the
 * peer's verified certificate. Returns the outcome when it refuses, undefined when the request
 * goes on to the application.
 */
function authorizeAtServer(exchange: MeshExchange): ConnectionOutcome | undefined {
  const { steps, serverProxy, serverPod, clientPod, transport, request, belief } = exchange;
  const { target, tuple } = exchange.opened.passage;
  const node = target.kind === 'pod' ? target.node : '';
  const inbound = inboundOutcome(
    exchange.mode,
    transport === 'plaintext' ? { transport: 'plaintext' } : { transport: 'tls', clientCertificate: true },
  );
  const enforcer =
    serverProxy === 'istio-proxy' ? `${serverPod.metadata.name}'s istio-proxy` : `ztunnel on ${node}`;
  if (!inbound.accepted) {
    steps.push(`PeerAuthentication at ${enforcer}: ${inbound.explanation}.`);
    return finish(exchange, { result: 'reset-plaintext-strict' }, reset(exchange, 2));
  }
  const peerSpiffeId = inbound.mutualTls
    ? exchange.route !== undefined
      ? exchange.route.certificate?.spiffeId
      : exchange.clientCertificate?.spiffeId
    : undefined;
  const http = serverProxy === 'istio-proxy' && request.http !== undefined;
  const verdict = serverVerdict(exchange, peerSpiffeId, http);
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
  if (belief?.podName !== undefined && clientPod !== undefined && belief.podName !== clientPod.metadata.name)
    steps.push(
      `${node}'s Cilium ipcache still names ${tuple.sourceIP} ${belief.podName} (identity ${belief.identity}); Istio did not ask it.`,
    );
  if (verdict.allowed) {
    if (transport !== 'plaintext')
      steps.push(
        `Hubble sees only TLS between ${tuple.sourceIP} and ${tuple.destinationIP}; the HTTP request travels inside the mTLS session.`,
      );
    return finish(exchange, { result: 'allowed', authorization }, undefined);
  }
  if (!http) return finish(exchange, { result: 'closed-by-policy', authorization }, reset(exchange, 3));
  const line =
    request.http === undefined ? undefined : `"${request.http.method} ${request.http.path} HTTP/1.1"`;
  return finish(
    exchange,
    {
      result: 'denied-403',
      authorization,
      ...(line !== undefined
        ? {
            accessLog: `[${serverPod.metadata.name}] ${line} 403 - rbac_access_denied_matched_policy[${verdict.policy ?? 'none'}] ${peerSpiffeId ?? '-'}`,
          }
        : {}),
    },
    proxyAnswer(exchange, 403, 'RBAC: access denied', 4),
  );
}

/** The newest mesh connection record, if any (what a widget shows after a curl). */
export function lastMeshConnection(world: Readonly<World>): MeshConnectionRecord | undefined {
  const connections = world.cluster?.mesh?.connections;
  return connections?.[connections.length - 1];
}
