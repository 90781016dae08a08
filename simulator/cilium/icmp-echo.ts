/**
 * One ICMP echo (a ping) through the same datapath as every connection: the client endpoint's
 * egress policy and the server endpoint's ingress policy are looked up with the ICMP type in place
 * of a port (so `icmps` rules decide, and `toPorts` never admits ICMP), the receiving node learns
 * the source identity as it does for TCP (tunnel header or its own, possibly stale, ipcache),
 * WireGuard checks the inner source, the host firewall filters pings to a node's own address, and
 * conntrack pairs the echo reply with its request by the echo identifier, so the reply skips policy.
 * Every step leaves its Hubble flows (`ICMPv4 EchoRequest` / `EchoReply`).
 */
import { hashString64 } from '../engine/state-hash';
import { listObjects } from '../k8s/api-store';
import type { World } from '../world';
import { requireCluster } from '../world';
import type { MistakenIdentity } from './flow';
import { locateOrigin, locateTarget, sourceAddressFor, unreachableFromOutside } from './connection-ends';
import type { PacketTuple } from './conntrack';
import type { EchoRequest, Origin, Target } from './datapath-types';
import { resolveHost } from './host-resolution';
import { traverse } from './packet-path';
import { returnReply } from './reply-path';

/** What became of one echo request. */
export type EchoOutcome =
  | {
      kind: 'reply';
      /** The address that was pinged (after name resolution) and the one that answered. */
      address: string;
      ttl: number;
      roundTripMs: number;
      /** Time spent resolving the name before the request left. */
      elapsedMs: number;
      explanation: string[];
      mistaken?: MistakenIdentity;
    }
  | {
      kind: 'lost';
      address: string;
      elapsedMs: number;
      reason: string;
      /** The sender's own kernel gave up resolving the neighbour (ping prints Destination Host Unreachable). */
      hostUnreachable?: true;
      explanation: string[];
      mistaken?: MistakenIdentity;
    }
  | { kind: 'resolve-failed'; elapsedMs: number; explanation: string[] }
  | { kind: 'error'; message: string; explanation: string[] };

const echoRequestType = 8;
/** Linux answers with TTL 64; each routed hop (a node's stack between pods) takes one off. */
const initialTtl = 64;
/** Hops to a host on the modelled internet (the number is illustrative: real paths vary). */
const internetHops = 8;

/** How many routers decrement the TTL of the reply on its way back to the sender. */
function hopsBack(origin: Origin, target: Target): number {
  if (target.kind === 'world') return internetHops;
  if (origin.kind === 'node') return target.kind === 'node' ? 0 : 1;
  if (target.kind === 'node') return target.node === origin.node ? 0 : 1;
  return target.node === origin.node ? 1 : 2;
}

/** Why nothing answers at the far end, or undefined when it answers (a kernel answers any echo). */
function silentTarget(target: Target): string | undefined {
  if (target.kind === 'pod' && target.sandbox.state !== 'running')
    return `${target.pod?.metadata.name ?? 'the pod'} is not running, so nothing answers.`;
  if (target.kind === 'world' && target.host === undefined)
    return `${target.ip} is outside the cluster and nothing in the modelled internet holds it.`;
  return undefined;
}

/** A round trip that looks like a real one and never changes between runs. */
function roundTripMs(tuple: PacketTuple, sequence: number, origin: Origin, target: Target): number {
  const jitter =
    parseInt(hashString64(`${tuple.sourceIP}>${tuple.destinationIP}#${sequence}`).slice(0, 4), 16) / 65535;
  if (target.kind === 'world') return 8 + jitter * 6;
  // The reader's machine reaches a node container over the Docker bridge: no tunnel, no wire.
  const external = origin.kind === 'node' && origin.external === true;
  const local =
    external || ((target.kind === 'pod' || target.kind === 'node') && target.node === origin.node);
  return local ? 0.05 + jitter * 0.08 : 0.3 + jitter * 0.4;
}

/** Sends one echo request and, if it arrives, the echo reply back. */
export function sendEcho(world: World, request: EchoRequest): EchoOutcome {
  const cluster = requireCluster(world);
  const explanation: string[] = [];
  const origin = locateOrigin(cluster, request);
  if (typeof origin === 'string') return { kind: 'error', message: origin, explanation };
  const resolved = resolveHost(world, cluster, origin, request.host, explanation);
  if (!resolved.ok) return { kind: 'resolve-failed', elapsedMs: resolved.elapsedMs, explanation };
  const address = resolved.address;
  const lost = (reason: string, mistaken?: MistakenIdentity, hostUnreachable = false): EchoOutcome => {
    explanation.push(reason);
    return {
      kind: 'lost',
      address,
      elapsedMs: resolved.elapsedMs,
      reason,
      ...(hostUnreachable ? { hostUnreachable: true as const } : {}),
      explanation,
      ...(mistaken !== undefined ? { mistaken } : {}),
    };
  };
  const unreachable = unreachableFromOutside(cluster, origin, address);
  if (unreachable?.outcome === 'error') return { kind: 'error', message: unreachable.sentence, explanation };
  if (unreachable !== undefined)
    return lost(unreachable.sentence, undefined, unreachable.outcome === 'no-host');
  const service = listObjects(cluster.api, 'Service').find(
    (candidate) => candidate.spec.clusterIP === address,
  );
  if (service !== undefined)
    return lost(
      `${address} is the ClusterIP of ${service.metadata.name}: service translation rewrites TCP, UDP and SCTP to a backend, an echo request to the virtual address is not translated, and no interface holds it.`,
    );
  const target = locateTarget(cluster, address);
  if (target === undefined) return lost(`No pod holds ${address}, so the echo request goes unanswered.`);
  const tuple: PacketTuple = {
    protocol: 'ICMP',
    sourceIP: sourceAddressFor(cluster, origin, target),
    sourcePort: 0,
    destinationIP: address,
    destinationPort: request.identifier,
    icmpType: echoRequestType,
  };
  const passage = traverse(world, cluster, origin, target, tuple, explanation);
  if (!passage.ok) return lost(passage.reason, passage.mistaken);
  const silent = silentTarget(target);
  if (silent !== undefined) return lost(silent, passage.mistaken);
  returnReply(world, cluster, passage, explanation, false);
  return {
    kind: 'reply',
    address,
    ttl: initialTtl - hopsBack(origin, target),
    roundTripMs: roundTripMs(tuple, request.sequence, origin, target),
    elapsedMs: resolved.elapsedMs,
    explanation,
    ...(passage.mistaken !== undefined ? { mistaken: passage.mistaken } : {}),
  };
}
