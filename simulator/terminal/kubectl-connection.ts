/**
 * How kubectl reaches the API server. kind publishes the control plane's 6443 on the reader's
 * machine, where docker-proxy accepts the connection and opens its own to the control-plane
 * container from the Docker network's gateway; inside a node (`docker exec NODE bash -c 'kubectl …'`)
 * the node's kubeconfig points at the control plane directly. With Cilium's host firewall on,
 * that connection meets the control plane's host policy like any packet: a policy that admits only
 * the cluster locks the reader's own kubectl out, as the host firewall guide warns.
 */
import { readersMachine } from '../cilium/datapath-types';
import { fail, type CommandResult, type TerminalContext } from './context';

/** kubectl's TLS handshake timeout (client-go's default transport). */
const handshakeTimeoutMs = 10_000;

/** The failure kubectl prints when the API server cannot be reached, or undefined when it can. */
export function apiServerUnreachable(context: TerminalContext, fromNode?: string): CommandResult | undefined {
  const cluster = context.simulation.state.cluster;
  if (cluster?.cilium?.config.hostFirewall !== true) return undefined;
  const result = context.input({
    type: 'pod.connect',
    request: {
      fromPodKey: '',
      fromNode: fromNode ?? readersMachine,
      host: cluster.apiServer.endpointIP,
      port: cluster.apiServer.port,
      protocol: 'TCP',
      http: { method: 'GET', path: '/version', headers: {} },
      timeoutMs: handshakeTimeoutMs,
    },
  });
  if (!result.ok || result.connection?.kind !== 'timeout') return undefined;
  context.spend(handshakeTimeoutMs);
  // docker-proxy accepted the connection on the reader's side, so kubectl waits in the TLS handshake.
  return fail(
    fromNode === undefined
      ? 'Unable to connect to the server: net/http: TLS handshake timeout'
      : `Unable to connect to the server: dial tcp ${cluster.apiServer.endpointIP}:${cluster.apiServer.port}: i/o timeout`,
  );
}

/**
 * `kubectl exec` goes through the API server, which dials the kubelet on the pod's node (port
 * 10250) from the control plane. With the host firewall on, that connection meets the node's host
 * policy as a connection from `remote-node` (the docs' demo host policy admits it through
 * `fromEntities: [cluster]`); a policy that drops it breaks exec with the API server's dial error.
 */
export function kubeletUnreachable(context: TerminalContext, nodeName: string): CommandResult | undefined {
  const cluster = context.simulation.state.cluster;
  const node = cluster?.nodes[nodeName];
  if (cluster?.cilium?.config.hostFirewall !== true || node === undefined) return undefined;
  const controlPlane = Object.entries(cluster.nodes).find(
    ([, candidate]) => candidate.internalIP === cluster.apiServer.endpointIP,
  )?.[0];
  if (controlPlane === undefined || controlPlane === nodeName) return undefined;
  const result = context.input({
    type: 'pod.connect',
    request: {
      fromPodKey: '',
      fromNode: controlPlane,
      host: node.internalIP,
      port: 10250,
      protocol: 'TCP',
      http: { method: 'POST', path: '/exec', headers: {} },
      timeoutMs: 30_000,
    },
  });
  if (!result.ok || result.connection?.kind !== 'timeout') return undefined;
  context.spend(30_000);
  return fail(`Error from server: error dialing backend: dial tcp ${node.internalIP}:10250: i/o timeout`);
}
