/**
 * The server's answer travelling back. Conntrack on each node finds the entry the request created
 * and classifies the answer as CT_REPLY, so neither the server's egress nor the client's ingress
 * policy is looked up (upstream: `ct_lookup4` in `bpf/lib/conntrack.h`, whose CT_REPLY result
 * `bpf/bpf_lxc.c` lets skip the policy stage). A FIN moves the entries to the close timeout.
 */
import type { Cluster, World } from '../world';
import { ctLookup, ctTouch, reversed, type PacketTuple } from './conntrack';
import { originIdentity } from './connection-ends';
import type { Passage } from './datapath-types';
import { hostRepliesPass } from './host-firewall';
import { flowEndpoint, packetFields, recordFlow, replyPacketOf } from './verdict-flows';

/**
 * The server's answer travelling back: conntrack on each node finds the entry the request created
 * (CT_REPLY), so neither the server's egress nor the client's ingress policy is consulted. With
 * `closing`, the FIN moves the entries to the 10 s close timeout.
 */
export function returnReply(
  world: World,
  cluster: Cluster,
  passage: Passage,
  explanation: string[],
  closing: boolean,
): void {
  const now = Math.max(passage.atMs, world.timeMs);
  const { origin, target, tuple } = passage;
  const back = reversed(tuple);
  const notes: string[] = [];
  if (target.kind === 'pod') {
    const serverCt = ctLookup(cluster, target.node, 'egress', back, now);
    if (serverCt.status === 'reply' && serverCt.entry !== undefined) {
      ctTouch(serverCt.entry, now, { reply: true, closing });
      notes.push(`${target.node} (leaving ${target.pod?.metadata.name ?? tuple.destinationIP})`);
    }
  }
  if (origin.kind === 'pod' && origin.agent !== undefined) {
    const clientCt = ctLookup(cluster, origin.node, 'ingress', back, now);
    if (clientCt.status === 'reply' && clientCt.entry !== undefined) {
      ctTouch(clientCt.entry, now, { reply: true, closing });
      notes.push(`${origin.node} (entering ${origin.pod.metadata.name})`);
      recordReplyDelivery(cluster, passage, back, now);
    }
  }
  // Host endpoints (host firewall): the reply leaves or enters them as CT_REPLY too.
  const host = hostRepliesPass(cluster, passage, now, closing);
  if (host.atServer !== undefined) notes.unshift(host.atServer);
  if (host.atClient !== undefined) notes.push(host.atClient);
  if (notes.length > 0)
    explanation.push(
      `The reply matches the conntrack entries the request created (CT_REPLY) on ${notes.join(' and ')}, so it passes without a policy lookup.`,
    );
  // The client's egress and the server's ingress entries see the FIN too.
  if (closing) closeRequestEntries(cluster, passage, now);
}

/** Hubble's trace of the reply delivered to the client pod. */
function recordReplyDelivery(cluster: Cluster, passage: Passage, back: PacketTuple, now: number): void {
  const { origin } = passage;
  if (origin.kind !== 'pod' || origin.agent === undefined) return;
  recordFlow(cluster, {
    timeMs: now,
    node: origin.node,
    eventType: 'trace',
    verdict: 'FORWARDED',
    trafficDirection: 'EGRESS',
    ...packetFields(replyPacketOf(back, passage.established)),
    isReply: true,
    source: flowEndpoint(cluster, origin.agent, back.sourceIP, back.sourcePort, passage.destinationIdentity),
    destination: flowEndpoint(
      cluster,
      origin.agent,
      back.destinationIP,
      back.destinationPort,
      originIdentity(origin),
    ),
    explanation: 'to-endpoint (reply: conntrack CT_REPLY, no policy lookup)',
  });
}

/** Moves the request's own entries (the client's egress, the server's ingress) to the close timeout. */
function closeRequestEntries(cluster: Cluster, passage: Passage, now: number): void {
  const { origin, target, tuple } = passage;
  if (origin.kind === 'pod') {
    const entry = ctLookup(cluster, origin.node, 'egress', tuple, now).entry;
    if (entry !== undefined) ctTouch(entry, now, { reply: false, closing: true });
  }
  if (target.kind === 'pod') {
    const entry = ctLookup(cluster, target.node, 'ingress', tuple, now).entry;
    if (entry !== undefined) ctTouch(entry, now, { reply: false, closing: true });
  }
}
