/**
 * Name lookups from a pod (or a node), query by query through the datapath (dns-query.ts). Two
 * callers: `nslookup`, which asks each name of the search list once, and the C library's stub
 * resolver behind a program's getaddrinfo (curl), which follows its library's schedule of
 * retransmissions and its rules for leaving the search list (stub-resolver.ts) until an answer
 * comes, it gives up, or the program's own deadline passes first.
 */
import type { World } from '../world';
import { requireCluster } from '../world';
import type { Pod } from '../k8s/objects';
import { locateOrigin } from './connection-ends';
import type { DnsRequest, Origin } from './datapath-types';
import {
  canonicalName,
  clusterDnsIP,
  hasClusterDns,
  searchCandidates,
  type DnsRecord,
} from '../k8s/dns-world';
import { dnsQuery, type QueryResult } from './dns-query';
import type { MistakenIdentity } from './flow';
import {
  afterFailure,
  querySchedule,
  refusedSends,
  stubResolverFor,
  type NameFailure,
  type StubResolver,
} from './stub-resolver';

/** One query the stub resolver sent and what came back. */
export interface DnsQueryLog {
  name: string;
  result: 'NOERROR' | 'NXDOMAIN' | 'REFUSED' | 'timeout' | 'refused';
  /** Who answered: the agent's DNS proxy (a refusal), CoreDNS, or a resolver on the internet. */
  answeredBy?: 'dns-proxy' | 'coredns' | 'upstream';
  /** Whether the DNS proxy saw the query (so toFQDNs could learn from the answer). */
  proxied: boolean;
}

/** The outcome of a DNS lookup. */
export interface DnsOutcome {
  kind: 'answer' | 'timeout' | 'error';
  /** The rcode of the final answer (NOERROR with answers, or the failure that ended the search). */
  rcode?: 'NOERROR' | 'NXDOMAIN' | 'REFUSED';
  /** The name that was answered (after the search list), and its records. */
  name: string;
  answers: DnsRecord[];
  server: string;
  elapsedMs: number;
  queries: DnsQueryLog[];
  explanation: string[];
  message?: string;
  mistaken?: MistakenIdentity;
  /** The caller's deadline passed before the resolver had an answer or gave up. */
  deadlineReached?: true;
}

/** What asking one name came to, with the time it took from its first query. */
type NameResult =
  | { kind: 'reply'; reply: Extract<QueryResult, { kind: 'reply' }>; elapsedMs: number }
  | { kind: 'timeout' | 'refused'; elapsedMs: number; proxied: boolean; mistaken?: MistakenIdentity }
  | { kind: 'deadline'; elapsedMs: number; proxied: boolean; mistaken?: MistakenIdentity };

interface LookupSession {
  world: World;
  origin: Origin;
  server: string;
  explanation: string[];
  deadlineMs?: number;
}

/** Asks one name as the stub resolver does: resends on schedule until an answer or it gives up. */
function askName(session: LookupSession, name: string, startMs: number, resolver: StubResolver): NameResult {
  const { world, origin, server, explanation, deadlineMs } = session;
  const schedule = querySchedule(resolver);
  let last: QueryResult | undefined;
  let refused = 0;
  for (let index = 0; index < schedule.sendsAtMs.length; index++) {
    const sendAt = schedule.sendsAtMs[index] ?? 0;
    if (deadlineMs !== undefined && startMs + sendAt >= deadlineMs)
      return { kind: 'deadline', elapsedMs: deadlineMs - startMs, proxied: last?.proxied ?? false };
    if (index > 0)
      explanation.push(
        `No answer for ${name} after ${(sendAt / 1000).toFixed(1)} s; ${resolver.libc}'s resolver sends the query again.`,
      );
    last = dnsQuery(
      world,
      origin,
      name,
      server,
      resolver.timeoutMs,
      explanation,
      world.timeMs + startMs + sendAt,
    );
    if (last.kind === 'refused')
      return { kind: 'refused', elapsedMs: sendAt + last.elapsedMs, proxied: false };
    if (last.kind === 'reply' && last.rcode === 'REFUSED' && ++refused < refusedSends(resolver)) {
      // glibc treats REFUSED like a server that failed and asks again at once.
      last = dnsQuery(
        world,
        origin,
        name,
        server,
        resolver.timeoutMs,
        explanation,
        world.timeMs + startMs + sendAt + last.elapsedMs,
      );
    }
    if (last.kind === 'reply') return { kind: 'reply', reply: last, elapsedMs: sendAt + last.elapsedMs };
  }
  const mistaken = last?.kind === 'timeout' ? last.mistaken : undefined;
  const extra = mistaken !== undefined ? { mistaken } : {};
  if (deadlineMs !== undefined && startMs + schedule.giveUpAtMs >= deadlineMs)
    return { kind: 'deadline', elapsedMs: deadlineMs - startMs, proxied: last?.proxied ?? false, ...extra };
  return { kind: 'timeout', elapsedMs: schedule.giveUpAtMs, proxied: last?.proxied ?? false, ...extra };
}

/** Asks one name once and waits the tool's timeout (nslookup). */
function askOnce(session: LookupSession, name: string, timeoutMs: number): NameResult {
  const result = dnsQuery(
    session.world,
    session.origin,
    name,
    session.server,
    timeoutMs,
    session.explanation,
  );
  if (result.kind === 'reply') return { kind: 'reply', reply: result, elapsedMs: result.elapsedMs };
  return {
    kind: result.kind,
    elapsedMs: result.elapsedMs,
    proxied: result.proxied,
    ...(result.kind === 'timeout' && result.mistaken !== undefined ? { mistaken: result.mistaken } : {}),
  };
}

/** The next name to ask after one failed, or undefined to give up. */
function nextCandidate(
  resolver: StubResolver | undefined,
  candidates: readonly string[],
  index: number,
  failure: NameFailure,
): number | undefined {
  // Without a C library's rules (nslookup), only NXDOMAIN moves on through the search list.
  const action =
    resolver === undefined ? (failure === 'NXDOMAIN' ? 'next' : 'stop') : afterFailure(resolver, failure);
  if (action === 'next') return index + 1 < candidates.length ? index + 1 : undefined;
  if (action === 'stop') return undefined;
  const asTyped = candidates.length - 1;
  return asTyped > index ? asTyped : undefined;
}

/** Resolves a name from a pod or a node the way its stub resolver does, query by query. */
export function resolveDns(world: World, request: DnsRequest): DnsOutcome {
  const cluster = requireCluster(world);
  const explanation: string[] = [];
  const origin = locateOrigin(cluster, request);
  const server = request.server ?? clusterDnsIP(cluster);
  const base: LookupBase = {
    name: canonicalName(request.name),
    answers: [],
    server,
    queries: [],
    explanation,
  };
  if (typeof origin === 'string') return { ...base, kind: 'error', elapsedMs: 0, message: origin };
  if (request.server === undefined && !hasClusterDns(cluster)) {
    explanation.push(
      `The cluster runs no CoreDNS (no kube-system/kube-dns Service), so ${server} does not answer.`,
    );
    return { ...base, kind: 'timeout', elapsedMs: request.timeoutMs ?? 5000 };
  }
  const namespace = origin.kind === 'pod' ? origin.namespace : 'default';
  const candidates =
    request.searchList === false || origin.kind === 'node'
      ? [canonicalName(request.name)]
      : searchCandidates(request.name, namespace);
  const session: LookupSession = {
    world,
    origin,
    server,
    explanation,
    ...(request.deadlineMs !== undefined ? { deadlineMs: request.deadlineMs } : {}),
  };
  return walkSearchList(session, request, candidates, base);
}

/** What every outcome of a lookup carries; `queries` grows as the resolver asks. */
type LookupBase = Pick<DnsOutcome, 'name' | 'answers' | 'server' | 'queries' | 'explanation'>;

/**
 * Asks the candidates of the search list in turn, as the resolver's rules say after each failure,
 * until one is answered, the resolver gives up, or the caller's deadline passes.
 */
function walkSearchList(
  session: LookupSession,
  request: DnsRequest,
  candidates: readonly string[],
  base: LookupBase,
): DnsOutcome {
  const { explanation } = session;
  let elapsed = 0;
  let index: number | undefined = 0;
  let last: DnsQueryLog | undefined;
  while (index !== undefined) {
    const candidate: string = candidates[index] ?? base.name;
    const result: NameResult =
      request.resolver === undefined
        ? askOnce(session, candidate, request.timeoutMs ?? 5000)
        : askName(session, candidate, elapsed, request.resolver);
    elapsed += result.elapsedMs;
    if (result.kind !== 'reply') {
      base.queries.push({
        name: candidate,
        result: result.kind === 'refused' ? 'refused' : 'timeout',
        proxied: result.proxied,
      });
      const mistaken = result.mistaken !== undefined ? { mistaken: result.mistaken } : {};
      if (result.kind === 'deadline')
        return { ...base, kind: 'timeout', elapsedMs: elapsed, deadlineReached: true, ...mistaken };
      index =
        result.kind === 'timeout' ? nextCandidate(request.resolver, candidates, index, 'timeout') : undefined;
      if (index === undefined) return { ...base, kind: 'timeout', elapsedMs: elapsed, ...mistaken };
      explanation.push(
        `The resolver leaves the search list and asks for ${candidates[index] ?? ''} as typed.`,
      );
      continue;
    }
    const { reply } = result;
    last = { name: candidate, result: reply.rcode, answeredBy: reply.by, proxied: reply.proxied };
    base.queries.push(last);
    if (reply.rcode === 'NOERROR' && reply.answers.length > 0)
      return {
        ...base,
        kind: 'answer',
        rcode: 'NOERROR',
        name: candidate,
        answers: reply.answers,
        elapsedMs: elapsed,
      };
    const failure: NameFailure = reply.rcode === 'REFUSED' ? 'REFUSED' : 'NXDOMAIN';
    index = nextCandidate(request.resolver, candidates, index, failure);
    if (failure === 'REFUSED') {
      if (index === undefined) {
        explanation.push('The resolver stops at REFUSED instead of trying the rest of its search list.');
        return { ...base, kind: 'answer', rcode: 'REFUSED', name: candidate, elapsedMs: elapsed };
      }
      explanation.push(
        `After REFUSED, glibc's resolver skips the rest of the search list and asks for ${candidates[index] ?? ''} as typed.`,
      );
    }
  }
  return {
    ...base,
    kind: 'answer',
    rcode: last?.result === 'REFUSED' ? 'REFUSED' : 'NXDOMAIN',
    name: last?.name ?? base.name,
    elapsedMs: elapsed,
  };
}

/** The pod a datapath origin stands for, for its container image. */
function podOf(origin: Origin): Pod | undefined {
  return origin.kind === 'pod' ? origin.pod : undefined;
}

/** A connection's name lookup: the address it may use, or why there is none. */
export type NameResolution =
  | { ok: true; ip: string; elapsedMs: number }
  | { ok: false; elapsedMs: number; rcode?: string; timedOut?: true };

/**
 * Resolves the host of a connection (curl, ping, nc) as its getaddrinfo does, through the same
 * queries as `nslookup` with the C library's resolver of the client's image; `deadlineMs` is when
 * the client stops waiting (curl's connect deadline).
 */
export function resolveForConnection(
  world: World,
  origin: Origin,
  name: string,
  deadlineMs?: number,
): NameResolution {
  const outcome = resolveDns(world, {
    ...(origin.kind === 'pod' ? { fromPodKey: origin.podKey } : { fromNode: origin.node }),
    name,
    resolver: stubResolverFor(podOf(origin)),
    ...(deadlineMs !== undefined ? { deadlineMs } : {}),
  });
  const first = outcome.answers[0];
  if (outcome.kind === 'answer' && first !== undefined)
    return { ok: true, ip: first.ip, elapsedMs: outcome.elapsedMs };
  return {
    ok: false,
    elapsedMs: outcome.elapsedMs,
    ...(outcome.rcode !== undefined ? { rcode: outcome.rcode } : {}),
    ...(outcome.deadlineReached === true ? { timedOut: true as const } : {}),
  };
}
