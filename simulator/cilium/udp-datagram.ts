/**
 * One UDP datagram through the datapath, for clients that are not DNS resolvers (`nc -u`): name
 * resolution, service translation on the client's node, both policies (`toPorts` with UDP or ANY),
 * the receiving node's view of the source, conntrack. Whether something listens on the port
 * decides what the sender's kernel learns: nothing when a socket takes it, an ICMP port
 * unreachable when none does (a connected UDP socket then reports ECONNREFUSED).
 */
import { applicationListeningOnUdp } from '../k8s/applications';
import type { World } from '../world';
import { requireCluster } from '../world';
import type { MistakenIdentity } from './flow';
import {
  locateOrigin,
  locateTarget,
  resolveHost,
  sourceAddressFor,
  translateService,
  traverse,
  unreachableFromOutside,
} from './datapath';
import type { PacketTuple } from './conntrack';

export interface UdpDatagramRequest {
  fromPodKey: string;
  fromNode?: string;
  /** An address or a name the sender resolves first. */
  host: string;
  port: number;
  /** The sender's socket port: one socket sends all its datagrams from it. */
  sourcePort: number;
  /** Only resolve the name, as connect() on a UDP socket does: no datagram leaves. */
  resolveOnly?: boolean;
}

export type UdpDatagramOutcome =
  | {
      kind: 'delivered';
      /** The address the datagram was sent to (before service translation). */
      address: string;
      /** False when nothing listens on the port there: the host answers ICMP port unreachable. */
      listening: boolean;
      elapsedMs: number;
      explanation: string[];
      mistaken?: MistakenIdentity;
    }
  | {
      kind: 'lost';
      address: string;
      elapsedMs: number;
      reason: string;
      explanation: string[];
      mistaken?: MistakenIdentity;
    }
  | { kind: 'resolved'; address: string; elapsedMs: number; explanation: string[] }
  | { kind: 'resolve-failed'; elapsedMs: number; explanation: string[] }
  | { kind: 'error'; message: string; explanation: string[] };

export function sendUdpDatagram(world: World, request: UdpDatagramRequest): UdpDatagramOutcome {
  const cluster = requireCluster(world);
  const explanation: string[] = [];
  const origin = locateOrigin(cluster, request);
  if (typeof origin === 'string') return { kind: 'error', message: origin, explanation };
  const resolved = resolveHost(world, cluster, origin, request.host, explanation);
  if (!resolved.ok) return { kind: 'resolve-failed', elapsedMs: resolved.elapsedMs, explanation };
  const address = resolved.address;
  if (request.resolveOnly === true)
    return { kind: 'resolved', address, elapsedMs: resolved.elapsedMs, explanation };
  const lost = (reason: string, mistaken?: MistakenIdentity): UdpDatagramOutcome => {
    explanation.push(reason);
    return {
      kind: 'lost',
      address,
      elapsedMs: resolved.elapsedMs,
      reason,
      explanation,
      ...(mistaken !== undefined ? { mistaken } : {}),
    };
  };
  const unreachable = unreachableFromOutside(cluster, origin, address, request.port);
  if (unreachable?.outcome === 'error') return { kind: 'error', message: unreachable.sentence, explanation };
  if (unreachable !== undefined) return lost(unreachable.sentence);
  const translated = translateService(world, cluster, origin, address, request.port, explanation);
  if (translated === 'refused') return lost(`No backend takes the datagram for ${address}:${request.port}.`);
  const target = locateTarget(cluster, translated.backendIP);
  if (target === undefined)
    return lost(`No pod holds ${translated.backendIP}, so the datagram goes nowhere.`);
  const tuple: PacketTuple = {
    protocol: 'UDP',
    sourceIP: sourceAddressFor(cluster, origin, target),
    sourcePort: request.sourcePort,
    destinationIP: translated.backendIP,
    destinationPort: translated.backendPort,
  };
  const passage = traverse(world, cluster, origin, target, tuple, explanation);
  if (!passage.ok) return lost(passage.reason, passage.mistaken);
  const listening =
    target.kind === 'pod'
      ? target.pod !== undefined &&
        target.sandbox.state === 'running' &&
        applicationListeningOnUdp(target.pod, translated.backendPort) !== undefined
      : target.kind === 'world' && target.host?.resolver === true && translated.backendPort === 53;
  explanation.push(
    listening
      ? `A socket on ${translated.backendIP}:${translated.backendPort} receives the datagram.`
      : `Nothing listens on UDP ${translated.backendIP}:${translated.backendPort}; the kernel there answers ICMP port unreachable.`,
  );
  return {
    kind: 'delivered',
    address,
    listening,
    elapsedMs: resolved.elapsedMs,
    explanation,
    ...(passage.mistaken !== undefined ? { mistaken: passage.mistaken } : {}),
  };
}
