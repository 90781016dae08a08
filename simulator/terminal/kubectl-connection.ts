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
