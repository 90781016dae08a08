/**
 * A bare TCP connection through the datapath, for clients that speak their own protocol on top
 * (`openssl s_client` renders its TLS handshake itself): resolution, service translation on the
 * client's node, policies, the receiving node's view of the source, and which pod accepted it.
 * The connection closes at once; what the client says over it is the caller's business.
 */
import type { World } from '../world';
import { requireCluster } from '../world';
import type { MistakenIdentity } from './flow';
import { openTcpConnection } from './connection';
import { targetName } from './connection-ends';
import type { TcpConnectRequest } from './datapath-types';
import { returnReply } from './reply-path';
import { applicationAt } from './server-applications';

/** Whether the connection was accepted, and by whom, or why not. */
export type TcpConnectOutcome =
  | {
      kind: 'connected';
      elapsedMs: number;
      address: string;
      /** The pod that accepted the connection (namespace/name), when a pod did. */
      serverPodKey?: string;
      serverName: string;
      explanation: string[];
      mistaken?: MistakenIdentity;
    }
  | { kind: 'timeout' | 'refused'; elapsedMs: number; address: string; explanation: string[] }
  | { kind: 'resolve-failed'; elapsedMs: number; explanation: string[] }
  | { kind: 'error'; elapsedMs: number; message: string; explanation: string[] };

/** Opens a TCP connection and closes it at once, reporting who accepted it. */
export function tcpConnect(world: World, request: TcpConnectRequest): TcpConnectOutcome {
  const cluster = requireCluster(world);
  const explanation: string[] = [];
  const opened = openTcpConnection(world, request, explanation);
  if (!('passage' in opened)) {
    if (opened.kind === 'error')
      return { kind: 'error', elapsedMs: opened.elapsedMs, message: opened.message, explanation };
    if (opened.kind === 'response')
      return { kind: 'error', elapsedMs: opened.elapsedMs, message: 'unexpected response', explanation };
    if (opened.kind === 'resolve-failed')
      return { kind: 'resolve-failed', elapsedMs: opened.elapsedMs, explanation };
    return { kind: opened.kind, elapsedMs: opened.elapsedMs, address: opened.address, explanation };
  }
  const { passage } = opened;
  if (applicationAt(cluster, passage.target, opened.backendPort) === undefined) {
    explanation.push(
      `Nothing listens on ${opened.backendIP}:${opened.backendPort}; the kernel answers with a reset.`,
    );
    returnReply(world, cluster, passage, explanation, true);
    return { kind: 'refused', elapsedMs: opened.elapsedMs + 3, address: opened.address, explanation };
  }
  returnReply(world, cluster, passage, explanation, true);
  const pod = passage.target.kind === 'pod' ? passage.target.pod : undefined;
  return {
    kind: 'connected',
    elapsedMs: opened.elapsedMs + 1,
    address: opened.address,
    ...(pod !== undefined
      ? { serverPodKey: `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}` }
      : {}),
    serverName: targetName(passage.target),
    explanation,
    ...(passage.mistaken !== undefined ? { mistaken: passage.mistaken } : {}),
  };
}
