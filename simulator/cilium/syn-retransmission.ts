/**
 * SYN retransmission by the client's kernel. Every copy of an unanswered SYN goes through the
 * datapath again (packet-path.ts), so a policy that drops the SYN drops and reports each copy, and
 * a copy can pass where the first did not (mutual authentication once the auth map has the entry).
 */
import type { Cluster, World } from '../world';
import type { PacketTuple } from './conntrack';
import type { Blocked, Origin, Passage, Target, TraverseOptions } from './datapath-types';
import { traverse } from './packet-path';

/**
 * How the client's kernel retransmits an unanswered SYN (net/ipv4/tcp_timer.c): the initial RTO is
 * 1 s (TCP_TIMEOUT_INIT, RFC 6298), doubling after each retransmission, up to
 * net.ipv4.tcp_syn_retries = 6 retransmissions; connect() fails with ETIMEDOUT after the last one's
 * timeout, 1 + 2 + 4 + 8 + 16 + 32 + 64 = 127 s after the first SYN.
 */
const synRetransmission = { initialRtoMs: 1000, retries: 6 } as const;
export const synGiveUpMs = 127_000;

/**
 * Sends a connection's SYN and, while it goes unanswered, the retransmissions the client's kernel
 * sends before the client gives up (its timeout) or the kernel does (tcp_syn_retries). Every copy
 * goes through the datapath again, so a policy that drops the SYN drops each copy and reports each
 * (policy-verdict and drop events); a copy can also pass where the first did not (mutual
 * authentication once the auth map has the entry). UDP and ICMP are not retransmitted here.
 */
export function sendSynWithRetransmissions(
  world: World,
  cluster: Cluster,
  origin: Origin,
  target: Target,
  tuple: PacketTuple,
  request: { protocol: 'TCP' | 'UDP'; timeoutMs: number },
  elapsedMs: number,
  explanation: string[],
  options: Pick<TraverseOptions, 'forwarded' | 'tunnelIdentity'> = {},
): { passage: Passage | Blocked; waitedMs: number } {
  let passage = traverse(world, cluster, origin, target, tuple, explanation, options);
  let waitedMs = 0;
  if (passage.ok) return { passage, waitedMs };
  explanation.push(passage.reason);
  if (request.protocol !== 'TCP') return { passage, waitedMs };
  let backoffMs: number = synRetransmission.initialRtoMs;
  for (let retry = 1; retry <= synRetransmission.retries && !passage.ok; retry++) {
    if (elapsedMs + waitedMs + backoffMs >= request.timeoutMs) break;
    waitedMs += backoffMs;
    backoffMs *= 2;
    explanation.push(
      `No SYN-ACK came back, so ${origin.kind === 'pod' ? origin.pod.metadata.name : origin.node}'s kernel retransmits the SYN ${(waitedMs / 1000).toFixed(0)} s after the first one.`,
    );
    const previous = passage.reason;
    passage = traverse(world, cluster, origin, target, tuple, explanation, {
      ...options,
      atMs: world.timeMs + waitedMs,
      retransmit: true,
    });
    // A copy dropped for the same reason adds nothing new; the auth path changes as the agent works.
    if (!passage.ok && (passage.reason !== previous || passage.auth !== undefined))
      explanation.push(passage.reason);
  }
  return { passage, waitedMs };
}
