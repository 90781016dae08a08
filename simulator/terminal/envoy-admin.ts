/**
 * `curl --unix-socket <admin socket> http://localhost/…` inside a cilium-agent pod: Envoy's admin API
 * on the node (Documentation/security/network/proxy/envoy.rst in cilium/cilium). The socket is /var/run/cilium/envoy-admin.sock up to 1.13 and
 * /var/run/cilium/envoy/sockets/admin.sock from 1.14 (cilium/envoy-config-dump.ts). In 1.12 the agent
 * starts Envoy on the first L7 redirect of the node, so before any endpoint there has an L7 policy
 * (or a CiliumEnvoyConfig adds a listener) the socket does not exist and curl cannot connect.
 * `/config_dump` and `/listeners` list the agent's policy listeners and the CiliumEnvoyConfig ones.
 */
import type { AgentState } from '../cilium/state';
import { envoyConfigDump, envoyListenerConfigs, envoySockets } from '../cilium/envoy-config-dump';
import { ok, type CommandResult, type TerminalContext } from './context';
import { parseCurlArgs } from './curl-options';
import { parseCurlUrl } from './curl-url';

const adminHelp = `admin commands are:
  /: Admin home page
  /config_dump: dump current Envoy configs (experimental)
  /listeners: print listener info
  /ready: print server state, return 200 if LIVE, otherwise return 503
  (this simulator answers /config_dump, /listeners and /ready)
`;

/** Whether a curl command line talks to a unix socket (then it never leaves the agent pod). */
export function usesUnixSocket(args: readonly string[]): boolean {
  const line = parseCurlArgs(args);
  return line.kind === 'run' && line.options.unixSocket !== undefined;
}

/** curl over the Envoy admin socket in an agent pod (its command line read as curl reads it). */
export function envoyAdminCurl(context: TerminalContext, agent: AgentState, args: string[]): CommandResult {
  const line = parseCurlArgs(args);
  if (line.kind === 'print') return ok(line.stdout);
  if (line.kind === 'error') return { stdout: '', stderr: line.stderr, exitCode: line.exitCode };
  const { options } = line;
  const socket = options.unixSocket;
  const silent = options.silent && !options.showError;
  const url = parseCurlUrl(options.urls[0] ?? '');
  if ('exitCode' in url)
    return {
      stdout: '',
      stderr: silent ? '' : `curl: (${url.exitCode}) ${url.message}\n`,
      exitCode: url.exitCode,
    };
  const path = url.path.split('?')[0] ?? '/';
  const cluster = context.simulation.state.cluster;
  context.spend(5);
  const running =
    cluster !== undefined &&
    cluster.cilium?.config.l7Proxy === true &&
    (envoyListenerConfigs(cluster, agent).length > 0 || cluster.envoy?.nodes[agent.node] !== undefined);
  if (socket !== envoySockets(cluster?.cilium?.config).admin || cluster === undefined || !running) {
    return {
      stdout: '',
      stderr: silent
        ? ''
        : `curl: (7) Failed to connect to ${url.host} port ${url.port} after 0 ms: Couldn't connect to server\n`,
      exitCode: 7,
    };
  }
  if (path === '/config_dump') return ok(envoyConfigDump(cluster, agent));
  if (path === '/ready') return ok('LIVE\n');
  if (path === '/listeners')
    return ok(
      envoyListenerConfigs(cluster, agent)
        .map((listener) => {
          const port = (listener.config as { address: { socket_address: { port_value: number } } }).address
            .socket_address.port_value;
          return `${listener.name}::[::]:${port}\n`;
        })
        .join(''),
    );
  return { stdout: `invalid path. ${adminHelp}`, stderr: '', exitCode: 0 };
}
