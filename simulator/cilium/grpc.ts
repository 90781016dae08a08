/**
 * gRPC calls: HTTP/2 POSTs to `/package.Service/Method` through the datapath and the node's Envoy,
 * whose L7 rules refuse a call with grpc-status 7 PERMISSION_DENIED; a connection that fails
 * becomes the status a gRPC client reports (UNAVAILABLE, DEADLINE_EXCEEDED).
 */
import type { HttpRequest } from '../k8s/applications';
import type { World } from '../world';
import { openConnection } from './connection';
import type { ConnectionOutcome, GrpcRequest } from './datapath-types';
import type { MistakenIdentity } from './flow';

/** A gRPC status (0 OK, 7 PERMISSION_DENIED, 12 UNIMPLEMENTED, 14 UNAVAILABLE, 4 DEADLINE_EXCEEDED). */
export interface GrpcOutcome {
  kind: 'grpc';
  status: number;
  statusName: string;
  message: string;
  body: string;
  elapsedMs: number;
  explanation: string[];
  /** Set when Envoy answered instead of the server. */
  deniedByProxy: boolean;
  serverPod?: string;
  connectionId?: string;
  mistaken?: MistakenIdentity;
}

/** Status names of the gRPC codes the model produces. */
const grpcStatusNames: Readonly<Record<number, string>> = {
  0: 'OK',
  4: 'DEADLINE_EXCEEDED',
  7: 'PERMISSION_DENIED',
  12: 'UNIMPLEMENTED',
  14: 'UNAVAILABLE',
};

/** The gRPC status a client reports for a connection's outcome. */
export function grpcFromConnection(outcome: ConnectionOutcome): GrpcOutcome {
  const base = {
    body: '',
    deniedByProxy: false,
    explanation: outcome.explanation,
    elapsedMs: outcome.elapsedMs,
  };
  switch (outcome.kind) {
    case 'response': {
      const status = Number(outcome.response.headers['grpc-status'] ?? 2);
      return {
        ...base,
        kind: 'grpc',
        status,
        statusName: grpcStatusNames[status] ?? 'UNKNOWN',
        message: outcome.response.headers['grpc-message'] ?? '',
        body: outcome.response.body,
        deniedByProxy: outcome.response.headers.server === 'envoy',
        serverPod: outcome.serverPod,
        ...(outcome.connectionId !== undefined ? { connectionId: outcome.connectionId } : {}),
        ...(outcome.mistaken !== undefined ? { mistaken: outcome.mistaken } : {}),
      };
    }
    case 'timeout':
      return {
        ...base,
        kind: 'grpc',
        status: 4,
        statusName: 'DEADLINE_EXCEEDED',
        message: 'Deadline Exceeded',
        ...(outcome.mistaken !== undefined ? { mistaken: outcome.mistaken } : {}),
      };
    case 'refused':
      return {
        ...base,
        kind: 'grpc',
        status: 14,
        statusName: 'UNAVAILABLE',
        message: 'failed to connect to all addresses',
      };
    case 'resolve-failed':
      return {
        ...base,
        kind: 'grpc',
        status: 14,
        statusName: 'UNAVAILABLE',
        message: 'DNS resolution failed',
      };
    case 'error':
      return { ...base, kind: 'grpc', status: 14, statusName: 'UNAVAILABLE', message: outcome.message };
  }
}

/** The HTTP/2 request that carries a gRPC call. */
export function grpcHttp(
  request: Pick<GrpcRequest, 'service' | 'method' | 'argument'>,
): Omit<HttpRequest, 'host' | 'port'> & { grpc: true } {
  return {
    method: 'POST',
    path: `/${request.service}/${request.method}`,
    headers: {
      'content-type': 'application/grpc',
      te: 'trailers',
      ...(request.argument !== undefined ? { 'x-grpc-argument': request.argument } : {}),
    },
    grpc: true,
  };
}

/** Makes one gRPC call (an HTTP/2 POST to `/package.Service/Method`) through the datapath and Envoy. */
export function sendGrpc(world: World, request: GrpcRequest): GrpcOutcome {
  return grpcFromConnection(
    openConnection(world, {
      fromPodKey: request.fromPodKey ?? '',
      ...(request.fromNode !== undefined ? { fromNode: request.fromNode } : {}),
      host: request.host,
      port: request.port,
      protocol: 'TCP',
      http: grpcHttp(request),
      timeoutMs: request.timeoutMs,
      ...(request.keepOpen !== undefined ? { keepOpen: request.keepOpen } : {}),
    }),
  );
}
