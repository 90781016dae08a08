/**
 * The C library's stub resolver inside a container, which a program such as curl calls through
 * getaddrinfo. Kubernetes writes the pod's /etc/resolv.conf with the cluster DNS Service as the
 * only nameserver, the namespace's search list and `options ndots:5`, and no `timeout` or
 * `attempts`, so both libraries run with their defaults: 5 s and 2 attempts. They spend that time
 * differently, and stop the search list for different reasons:
 *
 * - musl (Alpine images such as curlimages/curl and netshoot; src/network/res_msend.c,
 *   resolvconf.c and lookup_name.c): one 5 s window per name, in which the query is sent again
 *   every timeout/attempts = 2.5 s. An answer other than NXDOMAIN ends the lookup: a timeout gives
 *   EAI_AGAIN, REFUSED gives EAI_FAIL, so the rest of the search list is never tried.
 * - glibc (Debian and Ubuntu images such as the docs' json-mock mediabot; resolv/res_send.c and
 *   `__res_context_search` in resolv/res_query.c): each attempt waits the full 5 s, so a name
 *   takes 2 × 5 s. A timeout or REFUSED stops the search list, but the name as typed is still
 *   asked before giving up ("try the input name below in case it's fully-qualified"), so a lookup
 *   that every query misses takes 20 s. A REFUSED answer comes at once and is asked again once.
 */
import type { Pod } from '../k8s/objects';

export type Libc = 'musl' | 'glibc';

/** A container's resolver and the resolv.conf options it runs with. */
export interface StubResolver {
  libc: Libc;
  /** `options timeout:N` (RES_TIMEOUT, 5 s, in both libraries). */
  timeoutMs: number;
  /** `options attempts:N` (RES_DFLRETRY 2 in glibc, 2 in musl). */
  attempts: number;
}

/** Images built on Alpine, whose C library is musl (curlimages/curl, nicolaka/netshoot, alpine). */
const muslRepositories = new Set(['curl', 'alpine', 'netshoot']);

/** The C library of an image: musl for Alpine-based ones (also `*:alpine` tags), glibc otherwise. */
export function imageLibc(image: string): Libc {
  const reference = image.split('@')[0] ?? '';
  const colon = reference.lastIndexOf(':');
  const tagged = colon > reference.lastIndexOf('/');
  const repository = tagged ? reference.slice(0, colon) : reference;
  const tag = tagged ? reference.slice(colon + 1) : '';
  const name = repository.split('/').pop() ?? '';
  return muslRepositories.has(name) || /alpine|musl/.test(tag) ? 'musl' : 'glibc';
}

/** The resolver of a pod's first container, with resolv.conf's defaults. */
export function stubResolverFor(pod: Pod | undefined): StubResolver {
  return { libc: imageLibc(pod?.spec.containers[0]?.image ?? ''), timeoutMs: 5000, attempts: 2 };
}

/**
 * When the resolver sends the query for one name (ms after the first send), and when it gives up
 * waiting for an answer to it.
 */
export function querySchedule(resolver: StubResolver): { sendsAtMs: number[]; giveUpAtMs: number } {
  const attempts = Math.max(1, resolver.attempts);
  if (resolver.libc === 'musl') {
    // One window of `timeout`, resent every timeout/attempts.
    const interval = Math.floor(resolver.timeoutMs / attempts);
    return {
      sendsAtMs: Array.from({ length: attempts }, (_, index) => index * interval),
      giveUpAtMs: resolver.timeoutMs,
    };
  }
  return {
    sendsAtMs: Array.from({ length: attempts }, (_, index) => index * resolver.timeoutMs),
    giveUpAtMs: attempts * resolver.timeoutMs,
  };
}

/** How a name of the search list failed. */
export type NameFailure = 'NXDOMAIN' | 'REFUSED' | 'timeout';

/**
 * What the resolver does after a name failed: try the next name of the search list, skip to the
 * name as typed (glibc), or give up.
 */
export function afterFailure(resolver: StubResolver, failure: NameFailure): 'next' | 'as-typed' | 'stop' {
  if (failure === 'NXDOMAIN') return 'next';
  return resolver.libc === 'glibc' ? 'as-typed' : 'stop';
}

/** How many times the resolver asks a name that is answered REFUSED at once. */
export function refusedSends(resolver: StubResolver): number {
  return resolver.libc === 'glibc' ? Math.max(1, resolver.attempts) : 1;
}
