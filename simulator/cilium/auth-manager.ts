/**
 * The agent's auth manager (cilium/cilium `pkg/auth`). The datapath writes an "authentication
 * required" signal to a perf ring when a policy entry demands auth and the auth map has no valid
 * entry; the agent reads it, skips reserved identities, runs at most one handshake per key, and on
 * success writes the auth map entry with the earlier of the two certificates' notAfter.
 *
 * The handshake (mutual_authhandler.go): the authenticating node's agent is the TLS client and
 * presents its SVID of the *local* identity; it dials the remote node's agent on port 4250 with SNI
 * `<remote identity>.spiffe.cilium`; the server picks its SVID of that identity by SNI (every agent
 * holds every identity's SVID) and only checks that the client's chain leads to the bundle; the
 * client checks the chain and that the server's certificate names exactly the expected identity.
 * Nothing else is exchanged. So a success proves "some agent of this cluster holds identity R's
 * SVID", never "the packet's sender is a pod with identity R": R is whatever the enforcing node's
 * ipcache said.
 */
import { toGoString } from '../engine/virtual-time';
import type { Cluster, NodeRuntime, World } from '../world';
import { requireCluster, schedule } from '../world';
import { isReservedIdentity } from './reserved-identities';
import { policyForEndpoint } from './local-identities';
import {
  authKeyString,
  describeAuthKey,
  handshakeCapacity,
  nodeAddressForId,
  type AuthKey,
  type AuthMapEntry,
  type HandshakeCertificate,
  type HandshakeRecord,
  type MutualAuthState,
  type NodeAuthState,
} from './auth-map';
import { svidValidAt, type SpireState, type SvidRecord } from './spire-model';
import { ciliumSni, ciliumSpiffeId, validateCiliumIdentity } from '../spire/svid-rules';
import { agentView } from './agent-ipcache';

/** Timings of the auth path, in virtual milliseconds. */
const authTimings = {
  /** From the datapath's perf-ring write to the agent reading the signal. */
  signalDelayMs: 1,
  /** A TCP connect and a TLS 1.3 handshake between two agents on the node network. */
  handshakeMs: 4,
  /** authentication.mutual.connectTimeout: a dial nobody answers gives up after 5 s. */
  connectTimeoutMs: 5_000,
  /** mesh-auth-signal-backoff-duration: a fresh entry is not re-authenticated on a new signal. */
  signalBackoffMs: 1_000,
  /** How many unread signals the ring holds before new ones are lost. */
  signalRingSize: 256,
} as const;

/** The cluster's mutual-auth state, created on first use. */
function mutualAuthOf(cluster: Cluster): MutualAuthState | undefined {
  const cilium = cluster.cilium;
  if (cilium === undefined || !cilium.config.mutualAuth.enabled) return undefined;
  cilium.mutualAuth ??= { nodes: {}, handshakes: [], nextHandshakeNumber: 1 };
  return cilium.mutualAuth;
}

function nodeAuth(cluster: Cluster, node: string): NodeAuthState | undefined {
  const state = mutualAuthOf(cluster);
  if (state === undefined) return undefined;
  let entry = state.nodes[node];
  if (entry === undefined) {
    entry = { authMap: {}, pending: {}, signals: [] };
    state.nodes[node] = entry;
  }
  return entry;
}

/** Whether the manager refuses a key outright (reserved identities cannot authenticate). */
function reservedKey(key: AuthKey): boolean {
  return isReservedIdentity(key.localIdentity) || isReservedIdentity(key.remoteIdentity);
}

/** Whether TCP from `sourceIP` is dropped on arrival at a node by its iptables rules. */
function droppedOnArrival(node: NodeRuntime, sourceIP: string): boolean {
  return node.firewall.some(
    (rule) =>
      (rule.chain === 'INPUT' || rule.chain === 'PREROUTING') &&
      (rule.protocol === 'tcp' || rule.protocol === 'all') &&
      (rule.target === 'DROP' || rule.target === 'REJECT') &&
      (rule.source === sourceIP || rule.source === `${sourceIP}/32` || rule.source === '0.0.0.0/0'),
  );
}

interface PeerRoute {
  address?: string;
  peer?: NodeRuntime;
  /** Why the dial fails, if it does. */
  failure?: string;
  timesOut: boolean;
}

function routeToPeer(cluster: Cluster, node: string, key: AuthKey, port: number): PeerRoute {
  const agent = cluster.cilium?.agents[node];
  const self = cluster.nodes[node];
  if (agent === undefined || self === undefined) return { failure: 'no agent on this node', timesOut: false };
  const address = nodeAddressForId(cluster, agent, key.remoteNodeId);
  if (address === undefined)
    return { failure: `remote node IP not available for node ID ${key.remoteNodeId}`, timesOut: false };
  const peer = Object.values(cluster.nodes).find((candidate) => candidate.internalIP === address);
  if (peer === undefined)
    return { address, failure: `dial tcp ${address}:${port}: i/o timeout`, timesOut: true };
  if (droppedOnArrival(peer, self.internalIP) || droppedOnArrival(self, peer.internalIP))
    return { address, peer, failure: `dial tcp ${address}:${port}: i/o timeout`, timesOut: true };
  const peerAgent = cluster.cilium?.agents[peer.name];
  if (peerAgent?.running !== true)
    return {
      address,
      peer,
      failure: `dial tcp ${address}:${port}: connect: connection refused`,
      timesOut: false,
    };
  return { address, peer, timesOut: false };
}

function certificateOf(svid: SvidRecord): HandshakeCertificate {
  return {
    spiffeId: svid.spiffeId,
    serialHex: svid.serialHex,
    issuerSerialHex: svid.issuerSerialHex,
    notBeforeMs: svid.notBeforeMs,
    notAfterMs: svid.notAfterMs,
  };
}

/** The client's check that the server's one certificate names the expected identity, as the record words it. */
function serverIdentityCheck(
  expectedIdentity: number,
  spiffeId: string,
  trustDomain: string,
): { valid: boolean; reason: string } {
  const check = validateCiliumIdentity(expectedIdentity, [spiffeId], trustDomain);
  return { valid: check.valid, reason: `its ${check.valid ? 'only ' : ''}${check.reason}` };
}

/**
 * Runs the handshake for a key as it would go at a virtual time, without changing anything: the
 * event handler records it, and a blocked client's retransmission asks it in advance.
 */
export function runHandshake(
  cluster: Cluster,
  node: string,
  key: AuthKey,
  startedAtMs: number,
  atMs: number,
  reason: 'signal' | 'rotation',
): Omit<HandshakeRecord, 'number'> {
  const cilium = cluster.cilium;
  const config = cilium?.config.mutualAuth;
  const trustDomain = config?.trustDomain ?? 'spiffe.cilium';
  const port = config?.port ?? 4250;
  const sni = ciliumSni(key.remoteIdentity, trustDomain);
  const agentPod = cilium?.agents[node]?.podName ?? '';
  const checks: HandshakeRecord['checks'] = [];
  const route = routeToPeer(cluster, node, key, port);
  const base = {
    startedAtMs,
    atMs,
    reason,
    node,
    agentPod,
    key: { ...key },
    ...(route.peer !== undefined ? { peerNode: route.peer.name } : {}),
    peerAddress: route.address ?? '',
    port,
    trustDomain,
    sni,
    tlsVersion: 'TLS 1.3' as const,
  };
  const fail = (failure: string, extra: Partial<HandshakeRecord> = {}): Omit<HandshakeRecord, 'number'> => ({
    ...base,
    ...extra,
    checks,
    result: 'failure',
    failure,
    sentence: `${node}'s agent could not authenticate ${describeAuthKey(key)}: ${failure}. The auth map stays empty for this key, so the datapath keeps dropping the flow with "Authentication required".`,
  });
  if (key.authType === 2) return fail('the test-always-fail handler refuses every request');
  if (key.authType !== 1) return fail(`unknown requested auth type: ${key.authType}`);
  const spire = cilium?.spire;
  if (config?.spire !== true || spire === undefined)
    return fail(
      'no certificate provider: authentication.mutual.spire is not enabled, so the mutual handler has no SVIDs',
    );
  if (route.failure !== undefined) return fail(route.failure);
  return exchangeCertificates(
    { spire, node, peerName: route.peer?.name ?? '', key, sni, port, atMs, trustDomain },
    base,
    checks,
    fail,
  );
}

/** The handshake's two sides once the peer answers: SVIDs by SNI, the client's checks, the server's. */
interface CertificateExchange {
  spire: SpireState;
  node: string;
  peerName: string;
  key: AuthKey;
  sni: string;
  port: number;
  atMs: number;
  trustDomain: string;
}

/**
 * The TLS 1.3 exchange between the two agents: the server picks its SVID by SNI, the client checks
 * its chain and that it names the remote identity, the server checks only the client's chain.
 */
function exchangeCertificates(
  exchange: CertificateExchange,
  base: Omit<HandshakeRecord, 'number' | 'checks' | 'result' | 'sentence'>,
  checks: HandshakeRecord['checks'],
  fail: (failure: string, extra?: Partial<HandshakeRecord>) => Omit<HandshakeRecord, 'number'>,
): Omit<HandshakeRecord, 'number'> {
  const { spire, node, peerName, key, sni, port, atMs, trustDomain } = exchange;
  const clientSvid = spire.stores[node]?.[String(key.localIdentity)];
  if (clientSvid === undefined)
    return fail(
      `the delegate store on ${node} has no SVID for local identity ${key.localIdentity} (${ciliumSpiffeId(key.localIdentity, trustDomain)})`,
    );
  const clientCertificate = certificateOf(clientSvid);
  const serverSvid = spire.stores[peerName]?.[String(key.remoteIdentity)];
  checks.push({
    side: 'server',
    check: `GetCertificate for SNI ${sni}: ${serverSvid === undefined ? 'no SVID for that identity' : serverSvid.spiffeId}`,
    passed: serverSvid !== undefined,
  });
  if (serverSvid === undefined)
    return fail(
      `${peerName}'s agent has no SVID for identity ${key.remoteIdentity}, so it aborts the handshake (remote error: tls: internal error)`,
      { clientCertificate },
    );
  const serverCertificate = certificateOf(serverSvid);
  const serverValid = svidValidAt(spire, serverSvid, atMs);
  checks.push({ side: 'client', check: `server chain: ${serverValid.reason}`, passed: serverValid.valid });
  if (!serverValid.valid) return fail(serverValid.reason, { clientCertificate, serverCertificate });
  const identityCheck = serverIdentityCheck(key.remoteIdentity, serverSvid.spiffeId, trustDomain);
  checks.push({
    side: 'client',
    check: `server identity: ${identityCheck.reason}`,
    passed: identityCheck.valid,
  });
  if (!identityCheck.valid) return fail(identityCheck.reason, { clientCertificate, serverCertificate });
  const clientValid = svidValidAt(spire, clientSvid, atMs);
  checks.push({
    side: 'server',
    check: `client chain: ${clientValid.reason} (the identity it names is not checked)`,
    passed: clientValid.valid,
  });
  if (!clientValid.valid)
    return fail(`remote error: tls: bad certificate (${clientValid.reason})`, {
      clientCertificate,
      serverCertificate,
    });
  const expirationMs = Math.min(clientSvid.notAfterMs, serverSvid.notAfterMs);
  return {
    ...base,
    clientCertificate,
    serverCertificate,
    checks,
    result: 'success',
    expirationMs,
    sentence: `${node}'s agent presented ${clientSvid.spiffeId} and ${peerName}'s agent answered SNI ${sni} with ${serverSvid.spiffeId} (TLS 1.3 on port ${port}); ${node} writes auth map entry ${key.localIdentity} ← ${key.remoteIdentity} via node ${key.remoteNodeId}, valid until ${toGoString(expirationMs)}.`,
  };
}

/** How long the handshake for a key takes from the moment the agent starts it. */
function handshakeDurationMs(cluster: Cluster, node: string, key: AuthKey): number {
  const route = routeToPeer(cluster, node, key, cluster.cilium?.config.mutualAuth.port ?? 4250);
  return route.timesOut ? authTimings.connectTimeoutMs : authTimings.handshakeMs;
}

// ---------------------------------------------------------------------------------------------
// The datapath's side.

/** The valid auth map entry for a key at a time, if any (auth_lookup without the node map step). */
export function authMapLookup(
  cluster: Cluster,
  node: string,
  key: AuthKey,
  atMs: number,
): AuthMapEntry | undefined {
  const entry = cluster.cilium?.mutualAuth?.nodes[node]?.authMap[authKeyString(key)];
  return entry !== undefined && entry.expirationMs > atMs ? entry : undefined;
}

/**
 * What the auth map will hold for a key at a later time `atMs`, given the signals and handshakes
 * under way now: a connection that waits for a retransmission asks this, because the model settles
 * a connection attempt at once while the agent's events run later on the clock. It runs the same
 * handshake the event will run, at the time the event will run it.
 */
export function projectedAuthEntry(
  world: World,
  node: string,
  key: AuthKey,
  atMs: number,
): AuthMapEntry | undefined {
  const cluster = requireCluster(world);
  const current = authMapLookup(cluster, node, key, atMs);
  if (current !== undefined || atMs <= world.timeMs) return current;
  const state = cluster.cilium?.mutualAuth?.nodes[node];
  if (state === undefined || reservedKey(key)) return undefined;
  const index = authKeyString(key);
  const pending = state.pending[index];
  let startedAtMs: number | undefined;
  let dueMs: number | undefined;
  if (pending !== undefined) {
    dueMs = pending.dueMs;
    startedAtMs = pending.startedAtMs;
  } else {
    const signal = state.signals.find((candidate) => authKeyString(candidate.key) === index);
    if (signal !== undefined) {
      startedAtMs = signal.atMs + authTimings.signalDelayMs;
      dueMs = startedAtMs + handshakeDurationMs(cluster, node, key);
    }
  }
  if (dueMs === undefined || startedAtMs === undefined || dueMs > atMs) return undefined;
  const outcome = runHandshake(cluster, node, key, startedAtMs, dueMs, 'signal');
  if (outcome.result !== 'success' || outcome.expirationMs === undefined || outcome.expirationMs <= atMs)
    return undefined;
  return { key: { ...key }, expirationMs: outcome.expirationMs, storedAtMs: dueMs, handshake: 0 };
}

/**
 * The datapath found no valid entry: it writes SIGNAL_AUTH_REQUIRED to the perf ring (at `atMs`,
 * which a retransmission puts in the future) and the agent reads it a moment later.
 */
export function signalAuthRequired(world: World, node: string, key: AuthKey, atMs: number): void {
  const cluster = requireCluster(world);
  const state = nodeAuth(cluster, node);
  if (state === undefined) return;
  if (state.signals.length >= authTimings.signalRingSize) return; // the ring is full: the signal is lost
  state.signals.push({ key: { ...key }, atMs });
  schedule(world, atMs - world.timeMs + authTimings.signalDelayMs, { type: 'auth.signal', node });
}

// ---------------------------------------------------------------------------------------------
// The agent's side.

function startHandshake(
  world: World,
  node: string,
  state: NodeAuthState,
  key: AuthKey,
  reason: 'signal' | 'rotation',
): void {
  const cluster = requireCluster(world);
  const index = authKeyString(key);
  if (state.pending[index] !== undefined) return; // one handshake per key at a time
  const durationMs = handshakeDurationMs(cluster, node, key);
  state.pending[index] = {
    key: { ...key },
    startedAtMs: world.timeMs,
    dueMs: world.timeMs + durationMs,
    reason,
  };
  schedule(world, durationMs, { type: 'auth.handshake', node, key: index });
}

/** The agent reads the signals due by now from the perf ring. */
export function handleAuthSignals(world: World, node: string): void {
  const cluster = requireCluster(world);
  const state = nodeAuth(cluster, node);
  if (state === undefined) return;
  const due = state.signals.filter((signal) => signal.atMs <= world.timeMs);
  if (due.length === 0) return;
  state.signals = state.signals.filter((signal) => signal.atMs > world.timeMs);
  for (const { key } of due) {
    if (reservedKey(key)) continue; // "reserved identities are not compatible with authentication"
    const entry = state.authMap[authKeyString(key)];
    if (
      entry !== undefined &&
      entry.expirationMs > world.timeMs &&
      world.timeMs < entry.storedAtMs + authTimings.signalBackoffMs
    )
      continue; // authenticated a moment ago; the signal was already on its way
    startHandshake(world, node, state, key, 'signal');
  }
}

/** A handshake ends: it is recorded, and on success the auth map entry is written. */
export function completeHandshake(world: World, node: string, index: string): void {
  const cluster = requireCluster(world);
  const state = nodeAuth(cluster, node);
  const all = cluster.cilium?.mutualAuth;
  const pending = state?.pending[index];
  if (state === undefined || all === undefined || pending === undefined) return;
  delete state.pending[index];
  const outcome = runHandshake(cluster, node, pending.key, pending.startedAtMs, world.timeMs, pending.reason);
  const record: HandshakeRecord = { number: all.nextHandshakeNumber++, ...outcome };
  all.handshakes.push(record);
  if (all.handshakes.length > handshakeCapacity)
    all.handshakes.splice(0, all.handshakes.length - handshakeCapacity);
  if (outcome.result === 'success' && outcome.expirationMs !== undefined) {
    state.authMap[index] = {
      key: { ...pending.key },
      expirationMs: outcome.expirationMs,
      storedAtMs: world.timeMs,
      handshake: record.number,
    };
  }
}

/** The delegate store renewed an identity's SVID: re-authenticate every entry that names it. */
export function authCertificateRotated(world: World, node: string, identity: number): void {
  const cluster = requireCluster(world);
  const state = cluster.cilium?.mutualAuth?.nodes[node];
  if (state === undefined) return;
  for (const index of Object.keys(state.authMap).sort()) {
    const entry = state.authMap[index];
    if (entry === undefined) continue;
    if (entry.key.localIdentity === identity || entry.key.remoteIdentity === identity)
      startHandshake(world, node, state, entry.key, 'rotation');
  }
}

/** The delegate store dropped an identity's SVID: entries that name it go. */
export function authCertificateDeleted(world: World, node: string, identity: number): void {
  const state = requireCluster(world).cilium?.mutualAuth?.nodes[node];
  if (state === undefined) return;
  for (const [index, entry] of Object.entries(state.authMap)) {
    if (entry.key.localIdentity === identity || entry.key.remoteIdentity === identity)
      delete state.authMap[index];
  }
}

/** Whether some policy of a local endpoint with the key's local identity still asks for that auth type. */
function policyStillRequires(cluster: Cluster, node: string, key: AuthKey): boolean {
  const agent = cluster.cilium?.agents[node];
  if (agent === undefined) return false;
  for (const endpoint of Object.values(agent.endpoints)) {
    if (endpoint.identity !== key.localIdentity) continue;
    if (endpoint.state === 'disconnected' || endpoint.state === 'disconnecting') continue;
    const policy = policyForEndpoint(cluster, agent, endpoint);
    if (policy === undefined) continue;
    for (const direction of [policy.ingress, policy.egress]) {
      for (const [identity, byPort] of direction.entries) {
        if (identity !== key.remoteIdentity && identity !== 0) continue;
        for (const entry of byPort.values()) if (!entry.deny && entry.authType === key.authType) return true;
      }
    }
  }
  return false;
}

/**
 * The auth map GC (authmap_gc.go), every authentication.gcInterval on each agent: entries that
 * expired, whose remote node the agent no longer knows, whose identities its view no longer has,
 * or that no policy of the node requires any more.
 */
export function collectAuthGarbage(world: World): void {
  const cluster = requireCluster(world);
  const cilium = cluster.cilium;
  if (cilium === undefined || !cilium.config.mutualAuth.enabled) return;
  for (const node of Object.keys(cilium.mutualAuth?.nodes ?? {}).sort()) {
    const state = cilium.mutualAuth?.nodes[node];
    const agent = cilium.agents[node];
    if (state === undefined || agent === undefined || !agent.running) continue;
    const view = agentView(cluster, agent);
    for (const [index, entry] of Object.entries(state.authMap)) {
      const { key } = entry;
      const known = (id: number): boolean => view?.identities[String(id)] !== undefined;
      const expired = entry.expirationMs <= world.timeMs;
      const nodeGone = nodeAddressForId(cluster, agent, key.remoteNodeId) === undefined;
      const identityGone = !known(key.localIdentity) || !known(key.remoteIdentity);
      if (expired || nodeGone || identityGone || !policyStillRequires(cluster, node, key))
        delete state.authMap[index];
    }
  }
  schedule(world, cilium.config.mutualAuth.gcIntervalMs, { type: 'auth.gc' });
}
