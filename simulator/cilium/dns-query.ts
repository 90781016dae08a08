/**
 * One DNS query as a UDP datagram from a pod (or a node) to a DNS server: service translation of
 * the kube-dns address, the client's egress policy, Cilium's DNS proxy (which answers REFUSED, or
 * NXDOMAIN, for names the L7 DNS rules do not allow, and teaches toFQDNs the addresses of the
 * answers it lets through), and CoreDNS or a public resolver. The resolver that decides which
 * queries to send, and when, is in dns-lookup.ts.
 */
import type { Cluster, World } from '../world';
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
import {
  canonicalName,
  coreDnsAnswer,
  upstreamAnswer,
  type DnsRecord,
  type DnsReply,
} from '../k8s/dns-world';
import { fqdnSettings, learnDnsAnswer } from './fqdn';
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

/** A query that reached the DNS server's side, with what the rest of the exchange needs. */
interface DeliveredQuery {
  world: World;
  cluster: Cluster;
  origin: Origin;
  passage: Passage;
  /** The DNS proxy the query was redirected to, if an L7 DNS rule applies. */
  redirect: Redirect | undefined;
  /** The lower-case name with its trailing dot. */
  qname: string;
  atMs: number;
  explanation: string[];
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
  const query: DeliveredQuery = {
    world,
    cluster,
    origin,
    passage,
    redirect: dnsProxyRedirect(passage),
    qname: canonicalName(name),
    atMs,
    explanation,
  };
  return proxyRefusal(query) ?? answerQuery(query, translated.backendPort, timeoutMs);
}

/** Hubble's L7 record of a query or its answer at the DNS proxy, when the query went through one. */
function recordDnsL7(
  query: DeliveredQuery,
  type: 'dns-request' | 'dns-response',
  allowed: boolean,
  summary: string,
  extra: { rcode?: string; ips?: string[]; ttl?: number },
): void {
  const { cluster, origin, passage, redirect, qname, atMs } = query;
  if (redirect === undefined) return;
  const { target, tuple } = passage;
  const request = type === 'dns-request';
  const serverIdentity =
    target.kind === 'pod' ? (target.endpoint?.identity ?? 0) : passage.destinationIdentity;
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
}

/** The DNS proxy's verdict on the name: its own REFUSED (or NXDOMAIN) answer when a rule refuses it. */
function proxyRefusal(query: DeliveredQuery): QueryResult | undefined {
  const { world, cluster, passage, redirect, qname, explanation } = query;
  if (redirect === undefined) return undefined;
  const settings = fqdnSettings(cluster);
  const answer = evaluateDnsQuery(redirect.verdict, { name: qname }, settings.rejectResponseCode);
  recordDnsL7(query, 'dns-request', answer.allowed, `l7: ${answer.explanation.summary}`, {});
  explanation.push(
    `${redirect.node}'s DNS proxy (in the cilium agent) ${answer.allowed ? 'forwards' : 'refuses'} the query for ${qname}: ${answer.explanation.summary}`,
  );
  if (answer.allowed) return undefined;
  const rcode = answer.dnsRcode === 'NXDOMAIN' ? 'NXDOMAIN' : 'REFUSED';
  recordDnsL7(query, 'dns-response', true, `the DNS proxy answers ${rcode}`, { rcode });
  returnReply(world, cluster, passage, explanation, false);
  return { kind: 'reply', rcode, answers: [], by: 'dns-proxy', proxied: true, elapsedMs: 1 };
}

/** The DNS server's answer (CoreDNS in a pod, or a resolver on the internet), back through the proxy. */
function answerQuery(query: DeliveredQuery, backendPort: number, timeoutMs: number): QueryResult {
  const { world, cluster, passage, redirect, qname, explanation } = query;
  const { target, tuple } = passage;
  const state = datapathState(cluster);
  let reply: DnsReply | undefined;
  let by: 'coredns' | 'upstream' = 'coredns';
  if (target.kind === 'pod' && target.pod !== undefined && target.sandbox.state === 'running') {
    if (applicationListeningOnUdp(target.pod, backendPort)?.dns === true)
      reply = coreDnsAnswer(cluster, qname, state.upstreamQueries++);
  } else if (target.kind === 'world' && target.host?.resolver === true && backendPort === 53) {
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
    recordDnsL7(query, 'dns-response', true, `${reply.rcode} for ${qname}`, {
      rcode: reply.rcode,
      ips: reply.answers.map((record) => record.ip),
      ...(reply.answers[0] !== undefined ? { ttl: reply.answers[0].ttlSeconds } : {}),
    });
    // The proxy reads the answer on its way back and remembers the addresses for toFQDNs.
    learnFromAnswer(query, reply);
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

/** toFQDNs: the DNS proxy keeps the answer's addresses for the asking endpoint, each with an identity. */
function learnFromAnswer(query: DeliveredQuery, reply: DnsReply): void {
  const { cluster, origin, qname, atMs, explanation } = query;
  if (
    origin.kind !== 'pod' ||
    origin.endpoint === undefined ||
    origin.agent === undefined ||
    reply.answers.length === 0
  )
    return;
  const settings = fqdnSettings(cluster);
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
