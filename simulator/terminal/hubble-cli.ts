/**
 * `hubble` on the reader's machine: the Hubble CLI of Cilium 1.18 (cilium/cilium hubble/cmd at
 * v1.18.5), which talks gRPC to Hubble Relay at `--server` (localhost:4245 by default), reached
 * through a port-forward: `cilium hubble port-forward &`, or the CLI's own `-P/--port-forward`.
 * `status`, `observe` and `list nodes` answer from every node the relay reaches
 * (hubble-server-status.ts); without a listener on the port, each fails as gRPC does when the
 * connection is refused. Errors go to standard error as hubble's main prints them, without a prefix.
 */
import type { Flow } from '../cilium/flow';
import { goSecondsString } from '../engine/virtual-time';
import type { World } from '../world';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { hubbleObserve } from './hubble-observe';
import {
  agentServerStatus,
  compactServerStatus,
  relayPeers,
  relayServerStatus,
} from './hubble-server-status';
import { forwardReachesPod, forwardToService, type PortForward } from './machine-ports';
import { getObject } from '../k8s/api-store';
import { relayListenPort } from '../cilium/chart-hubble-relay';
import { tabwrite } from './tabwriter';

/** Global flags (hubble/cmd/common/config flags.go): where the relay is and how to reach it. */
interface Connection {
  server: string;
  portForward: boolean;
  portForwardPort: number;
  kubeNamespace: string;
}

const usage = `Hubble is a utility to observe and inspect recent Cilium routed traffic in a cluster.

Simulated here: hubble status, hubble observe [filters], hubble list nodes
Global flags: --server ADDRESS (default "localhost:4245"), -P/--port-forward, --port-forward-port N, --kube-namespace NAME
`;

/** Splits the global flags off the arguments (they may come before or after the subcommand). */
function parseConnection(args: readonly string[]): { connection: Connection; rest: string[] } | string {
  const connection: Connection = {
    server: 'localhost:4245',
    portForward: false,
    portForwardPort: 4245,
    kubeNamespace: 'kube-system',
  };
  const rest: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    const [name = '', inline] = arg.startsWith('--') ? arg.split(/=(.*)/s) : [arg];
    const value = (): string | undefined => inline ?? args[++index];
    if (name === '-P' || name === '--port-forward') connection.portForward = inline !== 'false';
    else if (name === '--server' || name === '--port-forward-port' || name === '--kube-namespace') {
      const given = value();
      if (given === undefined) return `flag needs an argument: ${name}`;
      if (name === '--server') connection.server = given;
      else if (name === '--kube-namespace') connection.kubeNamespace = given;
      else if (!/^\d+$/.test(given) || Number(given) > 65535)
        return `invalid argument "${given}" for "--port-forward-port" flag: strconv.ParseUint: parsing "${given}": invalid syntax`;
      else connection.portForwardPort = Number(given);
    } else rest.push(arg);
  }
  return { connection, rest };
}

/** gRPC's answer when nothing listens at the address (grpc-go's transport dial error). */
const refused = (address: string): string =>
  `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp ${address}: connect: connection refused"`;

/**
 * Whether the relay answers at the connection's address: the target the CLI reports, or the gRPC
 * error a call would fail with. A forward whose pod went away still accepts the connection and
 * then closes it.
 */
function reachRelay(
  context: TerminalContext,
  connection: Connection,
): { target: string; close?: () => void } | { error: string } {
  const ports = context.machinePorts;
  const world = context.simulation.state;
  let server = connection.server.replace(/^tls:\/\//, '');
  let close: (() => void) | undefined;
  if (connection.portForward) {
    if (ports === undefined) return { error: 'failed to port forward: this terminal has no local machine' };
    const opened = forwardToService(
      world,
      ports,
      connection.kubeNamespace,
      'hubble-relay',
      connection.portForwardPort,
    );
    if ('error' in opened) return { error: `failed to port forward: ${opened.error}` };
    close = opened.close;
    server = `127.0.0.1:${connection.portForwardPort}`;
  }
  const match = /^(localhost|127\.0\.0\.1|\[::1\]):(\d+)$/.exec(server);
  if (match === null)
    return { error: 'rpc error: code = Unavailable desc = name resolver error: produced zero addresses' };
  const [, host = '', port = ''] = match;
  // localhost resolves to ::1 first on the reader's machine, and the last address tried is reported.
  const address = host === 'localhost' ? `[::1]:${port}` : `${host}:${port}`;
  const forward = ports?.at(Number(port));
  if (forward === undefined) return { error: refused(address) };
  if (!forwardReachesPod(world, forward)) {
    close?.();
    return {
      error:
        'rpc error: code = Unavailable desc = connection error: desc = "error reading server preface: EOF"',
    };
  }
  if (!isRelayPort(world, forward)) {
    close?.();
    // An HTTP/1 server's first bytes, read as an HTTP/2 frame header, announce an oversized frame.
    return {
      error:
        'rpc error: code = Unavailable desc = connection error: desc = "error reading server preface: http2: frame too large"',
    };
  }
  return close === undefined ? { target: server } : { target: server, close };
}

/** Whether a forward leads to a Hubble Relay pod's gRPC port (`kubectl port-forward svc/hubble-relay 4245:80` too). */
function isRelayPort(world: World, forward: PortForward): boolean {
  const pod =
    world.cluster === undefined
      ? undefined
      : getObject(world.cluster.api, 'Pod', `${forward.namespace}/${forward.pod}`);
  return pod?.metadata.labels?.['k8s-app'] === 'hubble-relay' && forward.podPort === relayListenPort;
}

/** Whether a flow is in the ring of an agent the relay reaches (a restarted agent's ring starts empty). */
function relayHolds(world: World): (flow: Flow) => boolean {
  const since = new Map<string, number>();
  for (const agent of relayPeers(world)) if (agent.running) since.set(agent.node, agent.startedAtMs ?? 0);
  return (flow) => {
    const started = since.get(flow.node);
    return started !== undefined && flow.timeMs >= started;
  };
}

/** `hubble list nodes` in its table form (hubble/cmd/list/node.go nodeTableOutput). */
function listNodes(world: World, args: readonly string[]): CommandResult {
  if (args[0] !== 'nodes' && args[0] !== 'node')
    return fail(`unknown command "${args[0] ?? ''}" for "hubble list"\nSimulated here: hubble list nodes`);
  const outputIndex = args.findIndex((arg) => arg === '-o' || arg === '--output');
  const output = outputIndex >= 0 ? (args[outputIndex + 1] ?? '') : 'table';
  if (output !== 'table') return fail(`hubble list nodes -o ${output} is not simulated here: the table is`);
  const rows = [['NAME', 'STATUS', 'AGE', 'FLOWS/S', 'CURRENT/MAX-FLOWS'].join('\t')];
  for (const agent of relayPeers(world)) {
    if (!agent.running) {
      rows.push([agent.node, 'Unavailable', 'N/A', 'N/A', 'N/A'].join('\t'));
      continue;
    }
    const status = agentServerStatus(world, agent);
    const seconds = Math.round(status.uptimeMs / 1000);
    const age = seconds > 0 ? goSecondsString(status.uptimeMs) : 'N/A';
    const perSecond = seconds > 0 ? (status.seenFlows / seconds).toFixed(2) : 'N/A';
    const percent = ((status.numFlows / status.maxFlows) * 100).toFixed(2).padStart(6);
    rows.push(
      [agent.node, 'Connected', age, perSecond, `${status.numFlows}/${status.maxFlows} (${percent}%)`].join(
        '\t',
      ),
    );
  }
  return ok(tabwrite(`${rows.join('\n')}\n`, { minWidth: 2, padding: 3 }));
}

/** Runs `hubble ARGS` on the reader's machine. */
export function hubbleCli(
  context: TerminalContext,
  args: readonly string[],
): CommandResult | Promise<CommandResult> {
  const parsed = parseConnection(args);
  if (typeof parsed === 'string') return fail(parsed);
  const [command, ...rest] = parsed.rest;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h')
    return ok(usage);
  if (command !== 'status' && command !== 'observe' && command !== 'list')
    return fail(
      `unknown command "${command}" for "hubble"\nSimulated here: hubble status, observe, list nodes`,
    );
  const world = context.simulation.state;
  const reached = reachRelay(context, parsed.connection);
  if ('error' in reached)
    return fail(command === 'status' ? `failed getting status: ${reached.error}` : reached.error);
  try {
    if (command === 'list') return listNodes(world, rest);
    if (command === 'observe') return hubbleObserve(context, relayHolds(world), ['observe', ...rest]);
    const outputIndex = rest.findIndex((arg) => arg === '-o' || arg === '--output');
    const output = outputIndex >= 0 ? rest[outputIndex + 1] : 'compact';
    if (output !== 'compact')
      return fail(`hubble status -o ${output ?? ''} is not simulated here: the compact form is`);
    return ok(`Healthcheck (via ${reached.target}): Ok\n${compactServerStatus(relayServerStatus(world))}`);
  } finally {
    reached.close?.();
  }
}
