/**
 * What accepts a connection at the far end, once the datapath delivered it: the container
 * listening on the port in a pod (k8s/applications.ts), the kube-apiserver and kubelet on a node's
 * own address, or a site of the modelled internet (internet-sites.ts).
 */
import { applicationListeningOn, type Application } from '../k8s/applications';
import type { Cluster } from '../world';
import type { Target } from './datapath-types';
import type { ExternalHost } from '../k8s/dns-world';
import { siteResponse } from './internet-sites';

/** What answers a TCP connection on a node's own address. */
function nodeApplication(cluster: Cluster, node: string, port: number): Application | undefined {
  const runtime = cluster.nodes[node];
  if (runtime === undefined) return undefined;
  if (runtime.role === 'control-plane' && port === cluster.apiServer.port) {
    return {
      name: 'kube-apiserver',
      ports: [port],
      exitsOnSigterm: true,
      respond: (request) => ({
        status: 403,
        headers: { 'content-type': 'application/json' },
        body: `{\n  "kind": "Status",\n  "apiVersion": "v1",\n  "metadata": {},\n  "status": "Failure",\n  "message": "forbidden: User \\"system:anonymous\\" cannot get path \\"${request.path}\\"",\n  "reason": "Forbidden",\n  "details": {},\n  "code": 403\n}\n`,
      }),
    };
  }
  if (port === 10250) {
    return {
      name: 'kubelet',
      ports: [port],
      exitsOnSigterm: true,
      respond: () => ({ status: 401, headers: { 'content-type': 'text/plain' }, body: 'Unauthorized' }),
    };
  }
  return undefined;
}

/** What answers on a host of the modelled internet. */
function worldApplication(host: ExternalHost | undefined, port: number): Application | undefined {
  if (host === undefined || !host.httpPorts.includes(port)) return undefined;
  return {
    name: host.name,
    ports: [...host.httpPorts],
    exitsOnSigterm: true,
    respond: (request) => siteResponse(host, request, request.port === 443),
  };
}

/** The application that accepts a TCP connection at the target, if any. */
export function applicationAt(cluster: Cluster, target: Target, port: number): Application | undefined {
  if (target.kind === 'pod') {
    if (target.pod === undefined || target.sandbox.state !== 'running') return undefined;
    return applicationListeningOn(target.pod, port, target.sandbox);
  }
  if (target.kind === 'node') return nodeApplication(cluster, target.node, port);
  return worldApplication(target.host, port);
}
