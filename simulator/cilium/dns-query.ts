/**
 * One DNS query as a UDP datagram from a pod (or a node) to a DNS server: service translation of
 * the kube-dns address, the client's egress policy, Cilium's DNS proxy (which answers REFUSED, or
 * NXDOMAIN, for names the L7 DNS rules do not allow, and teaches toFQDNs the addresses of the
 * answers it lets through), and CoreDNS or a public resolver. The resolver that decides which
 * queries to send, and when, is in dns-lookup.ts.
 */
import type { World } from '../world';
import { requireCluster } from '../world';
import { applicationListeningOnUdp } from '../k8s/applications';
import { evaluateDnsQuery } from '../policy/index';
import type { PacketTuple } from './conntrack';
import { datapathState } from './datapath-state';
import { dnsQueryFrameBytes } from './policy-stats';
import { ephemeralPort, locateTarget, targetName } from './connection-ends';
import type { Origin, Passage, Redirect } from './datapath-types';
import { traverse } from './packet-path';
import { returnReply } from './reply-path';
import { translateService } from './service-translation';
import { describeIdentity, flowEndpoint, recordFlow } from './verdict-flows';
import { coreDnsAnswer, upstreamAnswer, type DnsRecord, type DnsReply } from './dns-world';
import { canonicalName, fqdnSettings, learnDnsAnswer } from './fqdn';
import { remoteIdentityFor, syncLocalIdentities } from './local-identities';
import type { MistakenIdentity } from './flow';

/** What one query got back. */
export type QueryResult =
  | {
      kind: 'reply';
      rcode: DnsReply['rcode'];
      answers: DnsRecord[];
      by: 'dns-proxy' | 'coredns' | 'upstream';
      proxied: boolean;
      elapsedMs: number;
    }
  | { kind: 'timeout' | 'refused'; proxied: boolean; elapsedMs: number; mistaken?: MistakenIdentity };

function dnsProxyRedirect(passage: Passage): Redirect | undefined {
  return passage.redirects.find((redirect) => redirect.verdict.l7?.parser === 'dns');
}

/**
 * Sends one DNS query as a UDP datagram through the datapath and the DNS proxy, at `atMs` (a
 * resolver's retransmission is sent later than the clock); the timeout is how long the sender
 * waits for an answer that never comes.
 */
export function dnsQuery(
  world: World,
  origin: Origin,
  name: string,
  server: string,
  timeoutMs: number,
  explanation: string[],
  atMs: number = world.timeMs,
): QueryResult {
  const cluster = requireCluster(world);
  const translated = translateService(world, cluster, origin, server, 53, explanation);
  if (translated === 'refused') return { kind: 'refused', proxied: false, elapsedMs: 1 };
  const target = locateTarget(cluster, translated.backendIP);
  if (target === undefined) {
    explanation.push(`No pod holds ${translated.backendIP} any more, so the query goes unanswered.`);
    return { kind: 'timeout', proxied: false, elapsedMs: timeoutMs };
  }
  const tuple: PacketTuple = {
    protocol: 'UDP',
    sourceIP: origin.kind === 'pod' ? origin.ip : (cluster.nodes[origin.node]?.internalIP ?? origin.ip),
    sourcePort: ephemeralPort(world),
    destinationIP: translated.backendIP,
    destinationPort: translated.backendPort,
  };
  const passage = traverse(world, cluster, origin, target, tuple, explanation, {
    atMs,
    frameBytes: dnsQueryFrameBytes(name),
  });
  if (!passage.ok) {
    explanation.push(passage.reason);
    return {
      kind: 'timeout',
      proxied: false,
      elapsedMs: timeoutMs,
      ...(passage.mistaken !== undefined ? { mistaken: passage.mistaken } : {}),
    };
  }
  const settings = fqdnSettings(cluster);
  const redirect = dnsProxyRedirect(passage);
  const qname = canonicalName(name);
  const serverIdentity =
    target.kind === 'pod' ? (target.endpoint?.identity ?? 0) : passage.destinationIdentity;
  const l7Flow = (
    type: 'dns-request' | 'dns-response',
    allowed: boolean,
    summary: string,
    extra: { rcode?: string; ips?: string[]; ttl?: number },
  ): void => {
    if (redirect === undefined) return;
    const request = type === 'dns-request';
    const client = flowEndpoint(
      cluster,
      redirect.observer,
      tuple.sourceIP,
      tuple.sourcePort,
      origin.kind === 'pod' ? (origin.endpoint?.identity ?? 0) : 1,
    );
    const dnsServer = flowEndpoint(
      cluster,
      redirect.observer,
      tuple.destinationIP,
      tuple.destinationPort,
      serverIdentity,
    );
    recordFlow(cluster, {
      timeMs: atMs,
      node: redirect.node,
      eventType: 'l7',
      verdict: allowed ? 'FORWARDED' : 'DROPPED',
      trafficDirection: redirect.direction,
      protocol: 'UDP',
      isReply: !request,
      source: request ? client : dnsServer,
      destination: request ? dnsServer : client,
      explanation: summary,
      l7: { type, method: '', url: '', dns: { query: qname, qtypes: ['A'], ...extra } },
    });
  };
  if (redirect !== undefined) {
    const answer = evaluateDnsQuery(redirect.verdict, { name: qname }, settings.rejectResponseCode);
    l7Flow('dns-request', answer.allowed, `l7: ${answer.explanation.summary}`, {});
    explanation.push(
      `${redirect.node}'s DNS proxy (in the cilium agent) ${answer.allowed ? 'forwards' : 'refuses'} the query for ${qname}: ${answer.explanation.summary}`,
    );
    if (!answer.allowed) {
      const rcode = answer.dnsRcode === 'NXDOMAIN' ? 'NXDOMAIN' : 'REFUSED';
      l7Flow('dns-response', true, `the DNS proxy answers ${rcode}`, { rcode });
      returnReply(world, cluster, passage, explanation, false);
      return { kind: 'reply', rcode, answers: [], by: 'dns-proxy', proxied: true, elapsedMs: 1 };
    }
  }
  const state = datapathState(cluster);
  let reply: DnsReply | undefined;
  let by: 'coredns' | 'upstream' = 'coredns';
  if (target.kind === 'pod' && target.pod !== undefined && target.sandbox.state === 'running') {
    if (applicationListeningOnUdp(target.pod, translated.backendPort)?.dns === true)
      reply = coreDnsAnswer(cluster, qname, state.upstreamQueries++);
  } else if (target.kind === 'world' && target.host?.resolver === true && translated.backendPort === 53) {
    reply = upstreamAnswer(qname, state.upstreamQueries++);
    by = 'upstream';
  }
  if (reply === undefined) {
    explanation.push(
      `Nothing answers DNS on ${tuple.destinationIP}:${tuple.destinationPort} (${targetName(target)}).`,
    );
    return { kind: 'timeout', proxied: redirect !== undefined, elapsedMs: timeoutMs };
  }
  explanation.push(
    `${reply.source}: ${reply.rcode}${reply.answers.length > 0 ? ` ${reply.answers.map((record) => `${record.ip} (TTL ${record.ttlSeconds})`).join(', ')}` : ''}.`,
  );
  if (redirect !== undefined) {
    l7Flow('dns-response', true, `${reply.rcode} for ${qname}`, {
      rcode: reply.rcode,
      ips: reply.answers.map((record) => record.ip),
      ...(reply.answers[0] !== undefined ? { ttl: reply.answers[0].ttlSeconds } : {}),
    });
    // The proxy reads the answer on its way back and remembers the addresses for toFQDNs.
    if (
      origin.kind === 'pod' &&
      origin.endpoint !== undefined &&
      origin.agent !== undefined &&
      reply.answers.length > 0
    ) {
      const evicted = learnDnsAnswer(
        cluster,
        origin.node,
        origin.endpoint.id,
        qname,
        reply.answers.map((record) => ({ ip: record.ip, ttlSeconds: record.ttlSeconds })),
        atMs,
      );
      syncLocalIdentities(cluster, origin.agent, atMs);
      const kept = Math.max(reply.answers[0]?.ttlSeconds ?? 0, settings.minTtlSeconds);
      explanation.push(
        `The DNS proxy records ${reply.answers.map((record) => record.ip).join(', ')} for ${qname} on endpoint ${origin.endpoint.id} for ${kept} s (answer TTL ${reply.answers[0]?.ttlSeconds ?? 0} s, --tofqdns-min-ttl ${settings.minTtlSeconds} s)${evicted.length > 0 ? `; over --tofqdns-endpoint-max-ip-per-hostname=${settings.maxIpsPerHostname} it forgets ${evicted.join(', ')}` : ''}.`,
      );
      for (const record of reply.answers) {
        const identity = remoteIdentityFor(cluster, origin.agent, record.ip);
        explanation.push(
          `${record.ip} now has identity ${describeIdentity(cluster, origin.agent, identity)} on ${origin.node}.`,
        );
      }
    }
  }
  returnReply(world, cluster, passage, explanation, false);
  return {
    kind: 'reply',
    rcode: reply.rcode,
    answers: reply.answers,
    by,
    proxied: redirect !== undefined,
    elapsedMs: by === 'upstream' ? 12 : 2,
  };
}
