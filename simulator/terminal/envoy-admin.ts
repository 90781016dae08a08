/**
 * `curl --unix-socket <admin socket> http://localhost/…` inside a cilium-agent pod: Envoy's admin API
 * on the node (FACTS §7). The socket is /var/run/cilium/envoy-admin.sock up to 1.13 and
 * /var/run/cilium/envoy/sockets/admin.sock from 1.14 (cilium/envoy-config-dump.ts). In 1.12 the agent
 * starts Envoy on the first L7 redirect of the node, so before any endpoint there has an L7 policy
 * (or a CiliumEnvoyConfig adds a listener) the socket does not exist and curl cannot connect.
 * `/config_dump` and `/listeners` list the agent's policy listeners and the CiliumEnvoyConfig ones.
 */
import type { AgentState } from '../cilium/state';
import { envoyConfigDump, envoyListenerConfigs, envoySockets } from '../cilium/envoy-config-dump';
import { fail, ok, type CommandResult, type TerminalContext } from './context';

const adminHelp = `admin commands are:
  /: Admin home page
  /config_dump: dump current Envoy configs (experimental)
  /listeners: print listener info
  /ready: print server state, return 200 if LIVE, otherwise return 503
  (this simulator answers /config_dump, /listeners and /ready)
`;

/** Whether a curl command line talks to a unix socket (then it never leaves the agent pod). */
export function usesUnixSocket(args: readonly string[]): boolean {
  return args.some((arg) => arg === '--unix-socket' || arg.startsWith('--unix-socket='));
}

/** curl over the Envoy admin socket in an agent pod. */
export function envoyAdminCurl(context: TerminalContext, agent: AgentState, args: string[]): CommandResult {
  let socket: string | undefined;
  let silent = false;
  let url: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--unix-socket') socket = args[++i];
    else if (arg.startsWith('--unix-socket=')) socket = arg.slice('--unix-socket='.length);
    else if (/^-[sS]+$/.test(arg) || arg === '--silent') silent = silent || arg.includes('s');
    else if (arg.startsWith('-'))
      return fail(`curl: option ${arg}: is unknown\ncurl: try 'curl --help' for more information`, 2);
    else url = arg;
  }
  if (url === undefined)
    return fail("curl: no URL specified!\ncurl: try 'curl --help' for more information", 2);
  const match = /^(?:http:\/\/)?([^/:]+)(?::\d+)?(\/[^\s?]*)?(?:\?.*)?$/.exec(url);
  const path = match?.[2] ?? '/';
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
        : `curl: (7) Failed to connect to ${match?.[1] ?? 'localhost'} port 80 after 0 ms: Couldn't connect to server\n`,
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
