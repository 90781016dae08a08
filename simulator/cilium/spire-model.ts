/**
 * SPIRE as Cilium's mutual authentication uses it (cilium/cilium v1.14
 * Documentation/network/servicemesh/mutual-authentication/), modelled as plain metadata: no key
 * is generated and no certificate is encoded here. The widgets that show real X.509 certificates
 * build them from these records with the PKI modules in `simulator/pki`, outside the event loop.
 *
 * - `helm install … --set authentication.mutual.spire.enabled=true` (with `…install.enabled`, the
 *   default) adds a SPIRE server (StatefulSet `spire-server`, namespace `cilium-spire`) and a SPIRE
 *   agent on every node (DaemonSet `spire-agent`).
 * - The operator registers one SPIRE entry per CiliumIdentity, SPIFFE ID
 *   `spiffe://spiffe.cilium/identity/<id>`, and deletes it when it garbage-collects the identity.
 * - Every node's SPIRE agent mints an X.509-SVID for *every* entry and hands all of them to the
 *   local Cilium agent through the Delegated Identity API: the delegate store on each node holds
 *   every identity's SVID, not only those of its own pods.
 * - SVIDs and CAs follow SPIRE's rules in `simulator/spire/svid-rules.ts` (lifetimes, the 10 s
 *   cushion, renewal at a jittered half-life, the next CA when a sixth of the current one's life
 *   remains), the module the PKI that renders them (`spire/spire.ts`) uses too.
 */
import { nextInt, nextIntBetween, randomHex, randomNameSuffix } from '../engine/prng';
import { toTimestamp } from '../engine/virtual-time';
import { listObjects, getObject, type WatchChange } from '../k8s/api-store';
import { apiPut } from '../k8s/api-writes';
import { newMetadata } from '../k8s/metadata';
import { newNamespace } from '../k8s/namespace-controllers';
import type { Pod } from '../k8s/objects';
import type { World } from '../world';
import { requireCluster, schedule } from '../world';
import type { CiliumConfig } from './config';
import {
  ciliumSpiffeId,
  spireCaSchedule,
  spireCaValidity,
  svidRotationTimeMs,
  svidValidity,
} from '../spire/svid-rules';
import type { SpireCa, SvidRecord, SpireState } from './spire-state';
export type { SpireCa, SvidRecord, SpireEntry, SpireState } from './spire-state';

/** How Cilium's Helm chart runs SPIRE. */
const spireModelDefaults = {
  namespace: 'cilium-spire',
  /** How often a SPIRE agent syncs its entries and SVIDs with the server (5 s). */
  agentSyncIntervalMs: 5_000,
  /** Time from `helm install` until the SPIRE server has its CA and serves agents. */
  serverStartMs: 9_000,
} as const;

function spirePod(
  world: World,
  name: string,
  labels: Record<string, string>,
  nodeName: string,
  image: string,
  container: string,
  serviceAccount: string,
): Pod {
  const cluster = requireCluster(world);
  const nodeIP = cluster.nodes[nodeName]?.internalIP ?? '';
  const now = toTimestamp(world.timeMs);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: newMetadata(world, name, spireModelDefaults.namespace, labels),
    spec: {
      containers: [{ name: container, image }],
      nodeName,
      // The model runs both as host-network pods so that they take no address from the pod pool.
      hostNetwork: true,
      serviceAccountName: serviceAccount,
      terminationGracePeriodSeconds: 30,
    },
    status: {
      phase: 'Running',
      hostIP: nodeIP,
      podIP: nodeIP,
      podIPs: [{ ip: nodeIP }],
      startTime: now,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
      containerStatuses: [
        {
          name: container,
          image,
          ready: true,
          restartCount: 0,
          started: true,
          state: { running: { startedAt: now } },
        },
      ],
    },
  };
}

/** The chart's SPIRE install: namespace, server and one agent per node. Needs config.mutualAuth.spireInstall. */
export function installSpire(world: World, config: CiliumConfig): SpireState {
  const cluster = requireCluster(world);
  const namespace = spireModelDefaults.namespace;
  if (getObject(cluster.api, 'Namespace', namespace) === undefined) {
    apiPut(world, newNamespace(world, namespace));
  }
  const nodes = Object.keys(cluster.nodes).sort();
  const workers = nodes.filter((name) => cluster.nodes[name]?.role === 'worker');
  const candidates = workers.length > 0 ? workers : nodes;
  const serverNode = candidates[nextIntBetween(world.random, 0, candidates.length - 1)] ?? nodes[0] ?? '';
  const serverPod = 'spire-server-0';
  apiPut(
    world,
    spirePod(
      world,
      serverPod,
      { app: 'spire-server', 'statefulset.kubernetes.io/pod-name': serverPod },
      serverNode,
      'ghcr.io/spiffe/spire-server:1.6.3',
      'spire-server',
      'spire-server',
    ),
  );
  const agentPods: Record<string, string> = {};
  const syncPhaseMs: Record<string, number> = {};
  const stores: Record<string, Record<string, SvidRecord>> = {};
  for (const node of nodes) {
    const name = `spire-agent-${randomNameSuffix(world.random, 5)}`;
    agentPods[node] = name;
    syncPhaseMs[node] = nextInt(world.random, spireModelDefaults.agentSyncIntervalMs);
    stores[node] = {};
    apiPut(
      world,
      spirePod(
        world,
        name,
        { app: 'spire-agent' },
        node,
        'ghcr.io/spiffe/spire-agent:1.6.3',
        'spire-agent',
        'spire-agent',
      ),
    );
  }
  schedule(world, spireModelDefaults.serverStartMs, { type: 'spire.server.start' });
  return {
    trustDomain: config.mutualAuth.trustDomain,
    namespace,
    serverPod,
    serverNode,
    agentPods,
    ready: false,
    cas: [],
    entries: {},
    stores,
    syncPhaseMs,
  };
}

function spireOf(world: World): SpireState | undefined {
  return world.cluster?.cilium?.spire;
}

/** Delay until a node's SPIRE agent next syncs with the server (at least 1 ms). */
function untilNextSync(world: World, spire: SpireState, node: string): number {
  const period = spireModelDefaults.agentSyncIntervalMs;
  const phase = spire.syncPhaseMs[node] ?? 0;
  const offset = (((phase - world.timeMs) % period) + period) % period;
  return offset === 0 ? period : offset;
}

function newCa(world: World): SpireCa {
  return { serialHex: randomHex(world.random, 32), ...spireCaValidity(world.timeMs) };
}

/** The CA that signs new SVIDs: the last one in the bundle. */
function activeCa(spire: SpireState): SpireCa | undefined {
  return spire.cas[spire.cas.length - 1];
}

/** The server is up: it creates its CA, and the operator registers every existing identity. */
export function startSpireServer(world: World): void {
  const spire = spireOf(world);
  if (spire === undefined || spire.ready) return;
  spire.ready = true;
  const ca = newCa(world);
  spire.cas = [ca];
  scheduleCaRotation(world, ca);
  const ids = listObjects(requireCluster(world).api, 'CiliumIdentity')
    .map((identity) => Number(identity.metadata.name))
    .sort((a, b) => a - b);
  for (const id of ids) registerIdentity(world, spire, id);
}

function scheduleCaRotation(world: World, ca: SpireCa): void {
  const { activateAtMs } = spireCaSchedule(world.timeMs, ca.notAfterMs);
  schedule(world, activateAtMs - world.timeMs, { type: 'spire.ca.rotate' });
}

/** Activates the next CA when a sixth of the current one's life remains; expired CAs leave the bundle. */
export function rotateSpireCa(world: World): void {
  const spire = spireOf(world);
  if (spire === undefined) return;
  const ca = newCa(world);
  spire.cas = [...spire.cas.filter((old) => old.notAfterMs > world.timeMs), ca];
  scheduleCaRotation(world, ca);
}

function registerIdentity(world: World, spire: SpireState, id: number): void {
  if (spire.entries[String(id)] !== undefined) return;
  spire.entries[String(id)] = {
    identity: id,
    spiffeId: ciliumSpiffeId(id, spire.trustDomain),
    parentId: `spiffe://${spire.trustDomain}/cilium-operator`,
    selectors: ['cilium:mutual-auth'],
    createdAtMs: world.timeMs,
  };
  for (const node of Object.keys(spire.stores).sort())
    schedule(world, untilNextSync(world, spire, node), { type: 'spire.svid.issue', node, identity: id });
}

/**
 * The operator's reaction to a CiliumIdentity change (its identity watch): a new identity gets a
 * SPIRE entry, a deleted one loses it, and each SPIRE agent follows on its next sync.
 */
export function spireIdentityChanged(world: World, change: WatchChange): void {
  const spire = spireOf(world);
  if (spire === undefined || !spire.ready || change.kind !== 'CiliumIdentity') return;
  const id = Number(change.object.metadata.name);
  if (!Number.isInteger(id)) return;
  if (change.type === 'DELETED') {
    if (spire.entries[String(id)] === undefined) return;
    delete spire.entries[String(id)];
    for (const node of Object.keys(spire.stores).sort())
      schedule(world, untilNextSync(world, spire, node), { type: 'spire.svid.drop', node, identity: id });
    return;
  }
  registerIdentity(world, spire, id);
}

function mintSvid(world: World, spire: SpireState, id: number): SvidRecord | undefined {
  const ca = activeCa(spire);
  if (ca === undefined) return undefined;
  // An SVID never outlives the CA that signs it.
  const { notBeforeMs, notAfterMs } = svidValidity(world.timeMs, ca.notAfterMs);
  return {
    identity: id,
    spiffeId: ciliumSpiffeId(id, spire.trustDomain),
    serialHex: randomHex(world.random, 32),
    issuerSerialHex: ca.serialHex,
    issuedAtMs: world.timeMs,
    notBeforeMs,
    notAfterMs,
    rotateAtMs: svidRotationTimeMs(notBeforeMs, notAfterMs, world.random),
  };
}

function store(world: World, spire: SpireState, node: string, svid: SvidRecord): void {
  const stores = spire.stores[node];
  if (stores === undefined) return;
  stores[String(svid.identity)] = svid;
  schedule(world, svid.rotateAtMs - world.timeMs, {
    type: 'spire.svid.rotate',
    node,
    identity: svid.identity,
    serialHex: svid.serialHex,
  });
}

/** A node's SPIRE agent fetched the SVID of a newly registered entry. */
export function issueSvid(world: World, node: string, id: number): void {
  const spire = spireOf(world);
  if (spire === undefined || spire.entries[String(id)] === undefined) return;
  if (spire.stores[node]?.[String(id)] !== undefined) return;
  const svid = mintSvid(world, spire, id);
  if (svid !== undefined) store(world, spire, node, svid);
}

/**
 * A node's SPIRE agent renewed an SVID. Returns true when the delegate store changed, which the
 * Cilium agent treats as a certificate-rotation event.
 */
export function renewSvid(world: World, node: string, id: number, serialHex: string): boolean {
  const spire = spireOf(world);
  const current = spire?.stores[node]?.[String(id)];
  if (spire === undefined || current === undefined || current.serialHex !== serialHex) return false;
  if (spire.entries[String(id)] === undefined) return false;
  const svid = mintSvid(world, spire, id);
  if (svid === undefined) return false;
  store(world, spire, node, svid);
  return true;
}

/** A node's SPIRE agent dropped the SVID of a deleted entry; returns whether it held one. */
export function dropSvid(world: World, node: string, id: number): boolean {
  const stores = spireOf(world)?.stores[node];
  if (stores?.[String(id)] === undefined) return false;
  delete stores[String(id)];
  return true;
}

/** Whether an SVID chains to a CA in the bundle and both are valid at a time. */
export function svidValidAt(
  spire: SpireState,
  svid: SvidRecord,
  atMs: number,
): { valid: boolean; reason: string } {
  const ca = spire.cas.find((candidate) => candidate.serialHex === svid.issuerSerialHex);
  if (ca === undefined) return { valid: false, reason: 'x509: certificate signed by unknown authority' };
  if (atMs < svid.notBeforeMs || atMs >= svid.notAfterMs || atMs >= ca.notAfterMs)
    return {
      valid: false,
      reason: `x509: certificate has expired or is not yet valid (${svid.spiffeId}, valid ${toTimestamp(svid.notBeforeMs)} to ${toTimestamp(svid.notAfterMs)})`,
    };
  return { valid: true, reason: 'chains to the SPIRE bundle and is within its validity' };
}
