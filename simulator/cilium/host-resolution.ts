/**
 * How a client turns the host it was given into an address before its first packet: an address
 * literal as it is; in a pod of a cluster with CoreDNS, a lookup as real DNS packets through the
 * datapath and the DNS proxy, with the C library's resolver of the pod's image (dns-lookup.ts);
 * otherwise the model's shortcut, the cluster's records for a pod and the internet's for a node.
 */
import type { Cluster, World } from '../world';
import type { Origin } from './datapath-types';
import { resolveForConnection } from './dns-lookup';
import { hasClusterDns, resolveWithoutDns, upstreamAnswer } from '../k8s/dns-world';

/** Resolves the host of a request to an address, recording how. */
export function resolveHost(
  world: World,
  cluster: Cluster,
  origin: Origin,
  host: string,
  explanation: string[],
  deadlineMs?: number,
):
  | { ok: true; address: string; elapsedMs: number }
  | { ok: false; elapsedMs: number; rcode?: string; timedOut?: true } {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return { ok: true, address: host, elapsedMs: 0 };
  if (origin.kind === 'pod' && hasClusterDns(cluster)) {
    const answer = resolveForConnection(world, origin, host, deadlineMs);
    if (answer.ok) return { ok: true, address: answer.ip, elapsedMs: answer.elapsedMs };
    explanation.push(
      answer.timedOut === true
        ? `The client stops waiting for the DNS lookup of ${host} after ${deadlineMs ?? 0} ms.`
        : `The DNS lookup of ${host} failed${answer.rcode !== undefined ? ` (${answer.rcode})` : ''}.`,
    );
    return answer;
  }
  const namespace = origin.kind === 'pod' ? origin.namespace : 'default';
  const address =
    origin.kind === 'pod'
      ? resolveWithoutDns(cluster, host, namespace)
      : upstreamAnswer(host, 0).answers[0]?.ip;
  if (address === undefined) {
    explanation.push(
      origin.kind === 'pod'
        ? `Cluster DNS has no record for ${host} in namespace ${namespace}.`
        : `${origin.node}'s resolver has no record for ${host}.`,
    );
    return { ok: false, elapsedMs: 5 };
  }
  return { ok: true, address, elapsedMs: 0 };
}
