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
import { connect } from './connection';
import { locateOrigin } from './connection-ends';
import type { UdpDatagramRequest } from './datapath-types';
import { resolveHost } from './host-resolution';

/** What became of one datagram, or of the name lookup a UDP socket's connect() makes. */
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

/** Sends one datagram from a socket, or only resolves its peer's name (`resolveOnly`). */
export function sendUdpDatagram(world: World, request: UdpDatagramRequest): UdpDatagramOutcome {
  const cluster = requireCluster(world);
  const explanation: string[] = [];
  const origin = locateOrigin(cluster, request);
  if (typeof origin === 'string') return { kind: 'error', message: origin, explanation };
  if (request.resolveOnly === true) {
    const resolved = resolveHost(world, cluster, origin, request.host, explanation);
    return resolved.ok
      ? { kind: 'resolved', address: resolved.address, elapsedMs: resolved.elapsedMs, explanation }
      : { kind: 'resolve-failed', elapsedMs: resolved.elapsedMs, explanation };
  }
  // The same trip as a connection's first packet: resolution, service translation, the datapath.
  const opened = connect(
    world,
    origin,
    { host: request.host, port: request.port, protocol: 'UDP', timeoutMs: 0, sourcePort: request.sourcePort },
    explanation,
  );
  if ('passage' in opened) {
    const { target } = opened.passage;
    const listening =
      target.kind === 'pod'
        ? target.pod !== undefined &&
          target.sandbox.state === 'running' &&
          applicationListeningOnUdp(target.pod, opened.backendPort) !== undefined
        : target.kind === 'world' && target.host?.resolver === true && opened.backendPort === 53;
    explanation.push(
      listening
        ? `A socket on ${opened.backendIP}:${opened.backendPort} receives the datagram.`
        : `Nothing listens on UDP ${opened.backendIP}:${opened.backendPort}; the kernel there answers ICMP port unreachable.`,
    );
    return {
      kind: 'delivered',
      address: opened.address,
      listening,
      elapsedMs: opened.elapsedMs,
      explanation,
      ...(opened.passage.mistaken !== undefined ? { mistaken: opened.passage.mistaken } : {}),
    };
  }
  switch (opened.kind) {
    case 'resolve-failed':
      return { kind: 'resolve-failed', elapsedMs: opened.elapsedMs, explanation };
    case 'error':
    case 'response':
      return {
        kind: 'error',
        message: opened.kind === 'error' ? opened.message : 'unexpected response',
        explanation,
      };
    default:
      // Dropped on the way, or no backend for the service: nothing comes back.
      return {
        kind: 'lost',
        address: opened.address,
        elapsedMs: opened.elapsedMs,
        reason: explanation.at(-1) ?? 'The datagram goes nowhere.',
        explanation,
        ...(opened.kind === 'timeout' && opened.mistaken !== undefined ? { mistaken: opened.mistaken } : {}),
      };
  }
}
