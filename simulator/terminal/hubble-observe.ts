/**
 * `hubble observe`: in an agent pod the flows that agent's Hubble recorded, and through Hubble
 * Relay (the hubble CLI on the reader's machine, hubble-cli.ts) those of every node the relay
 * reaches, filtered as the CLI filters them. Repeating a flag widens it (any of its values matches); different flags narrow
 * the result (a flow must match each of them), as in Hubble's flow filters.
 */
import type { Flow, FlowEndpoint } from '../cilium/flow';
import { formatFlowCompact, formatFlowJson, plainText, sgrPaint } from '../cilium/hubble-format';
import { parsePrefix, prefixContains } from '../net/ipv4';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { newFlows, runLiveWindow } from './live-window';

type Side = 'source' | 'destination' | 'either';
type Test = (flow: Flow) => boolean;

const supported =
  '--verdict, --pod, --from-pod, --to-pod, -n/--namespace, --from-namespace, --to-namespace, --ip, --from-ip, --to-ip, --port, --from-port, --to-port, --identity, --from-identity, --to-identity, --protocol, --type, -o compact|json, --last N, --all, -f/--follow, --color auto|always|never';

function sides(flow: Flow, side: Side): FlowEndpoint[] {
  if (side === 'source') return [flow.source];
  if (side === 'destination') return [flow.destination];
  return [flow.source, flow.destination];
}

function podMatches(endpoint: FlowEndpoint, wanted: string): boolean {
  // A pod filter without a namespace means the default namespace; a prefix names a pod's workload.
  const full = wanted.includes('/') ? wanted : `default/${wanted}`;
  return (
    endpoint.podName !== undefined &&
    `${endpoint.namespace ?? 'default'}/${endpoint.podName}`.startsWith(full)
  );
}

function ipMatches(endpoint: FlowEndpoint, wanted: string): boolean {
  const prefix = parsePrefix(wanted.includes('/') ? wanted : `${wanted}/32`, true);
  const address = parsePrefix(`${endpoint.ip}/32`, true);
  return prefix !== undefined && address !== undefined && prefixContains(prefix, address.network);
}

const knownProtocols = ['tcp', 'udp', 'icmp', 'icmpv4', 'http', 'dns', 'kafka'];

/** `--protocol` values: L4 names (icmp covers ICMPv4 here, the model has no IPv6) and L7 parsers. */
function protocolMatches(flow: Flow, wanted: string): boolean {
  switch (wanted.toLowerCase()) {
    case 'tcp':
      return flow.protocol === 'TCP';
    case 'udp':
      return flow.protocol === 'UDP';
    case 'icmp':
    case 'icmpv4':
      return flow.protocol === 'ICMPv4';
    case 'http':
      return flow.l7 !== undefined && flow.l7.type.startsWith('http');
    case 'dns':
      return flow.l7?.dns !== undefined;
    case 'kafka':
      return flow.l7?.kafka !== undefined;
    default:
      return false;
  }
}

function typeMatches(flow: Flow, wanted: string): boolean {
  if (wanted === 'policy-verdict') return flow.eventType === 'policy-verdict';
  if (wanted === 'drop') return flow.verdict === 'DROPPED';
  if (wanted === 'l7') return flow.eventType === 'l7';
  return flow.eventType === 'trace';
}

/** The filter a flag stands for, or why its value is refused. */
function filterFor(flag: string, value: string): Test | string {
  const on =
    (side: Side, test: (endpoint: FlowEndpoint) => boolean): Test =>
    (flow) =>
      sides(flow, side).some(test);
  const sideOf = (name: string): Side =>
    name.startsWith('--from-') ? 'source' : name.startsWith('--to-') ? 'destination' : 'either';
  switch (flag) {
    case '--verdict':
      return (flow) => flow.verdict === value.toUpperCase();
    case '--pod':
    case '--from-pod':
    case '--to-pod':
      return on(sideOf(flag), (endpoint) => podMatches(endpoint, value));
    case '-n':
    case '--namespace':
    case '--from-namespace':
    case '--to-namespace':
      return on(sideOf(flag), (endpoint) => endpoint.podName !== undefined && endpoint.namespace === value);
    case '--ip':
    case '--from-ip':
    case '--to-ip':
      if (parsePrefix(value.includes('/') ? value : `${value}/32`, true) === undefined)
        return `invalid IP address or CIDR in filter: "${value}"`;
      return on(sideOf(flag), (endpoint) => ipMatches(endpoint, value));
    case '--port':
    case '--from-port':
    case '--to-port': {
      const port = Number(value);
      if (!/^\d+$/.test(value) || port > 65535) return `invalid port: "${value}"`;
      return (flow) =>
        flow.protocol !== 'ICMPv4' && sides(flow, sideOf(flag)).some((end) => end.port === port);
    }
    case '--identity':
    case '--from-identity':
    case '--to-identity': {
      if (!/^\d+$/.test(value)) return `invalid identity: "${value}"`;
      return on(sideOf(flag), (endpoint) => endpoint.identity === Number(value));
    }
    case '--protocol':
      if (!knownProtocols.includes(value.toLowerCase()))
        return `unknown protocol in filter: "${value}" (the simulated flows carry ${knownProtocols.join(', ')})`;
      return (flow) => protocolMatches(flow, value);
    case '--type':
    case '-t':
      return (flow) => typeMatches(flow, value);
    default:
      return `unknown flag: ${flag}`;
  }
}

/** What `hubble observe` prints with no `--last`, `--all` or `--follow` (hubble's FlowPrintCount). */
const defaultPrintCount = 20;

/**
 * `hubble observe [filters] [-o compact|json] [--last N | --all] [-f] [--color auto|always|never]`.
 * Without `--last` it prints the last 20 matching flows; `--all` prints every one the agent keeps;
 * `--follow` prints only new ones, for a bounded window in the foreground or, started with `&`, as
 * a background job. Compact lines are coloured when its standard output is a terminal (`tty`:
 * `kubectl exec -it`), as fatih/color decides under `--color auto`, Hubble's default.
 */
export function hubbleObserve(
  context: TerminalContext,
  /** Whether the Hubble server(s) asked recorded a flow: one agent's node, or the relay's peers. */
  recorded: (flow: Flow) => boolean,
  args: string[],
  options: { tty?: boolean } = {},
): CommandResult | Promise<CommandResult> {
  if (args[0] !== 'observe')
    return fail(
      `Error: unknown command "${args[0] ?? ''}" for "hubble"\nSupported in this simulator: hubble observe, hubble status`,
    );
  // `hubble observe flows` is `hubble observe`; the other event streams are not modelled.
  if (args[1] === 'flows') args = [args[0], ...args.slice(2)];
  else if (args[1] === 'agent-events' || args[1] === 'debug-events')
    return fail(`Error: hubble observe ${args[1]} is not simulated: the model records flows only`);
  const groups = new Map<string, Test[]>();
  let output = 'compact';
  let last: number | undefined;
  let all = false;
  let follow = false;
  let colour = 'auto';
  for (let i = 1; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '-o' || arg === '--output') output = args[++i] ?? '';
    else if (arg === '--color') colour = args[++i] ?? '';
    else if (arg.startsWith('--color=')) colour = arg.slice(8);
    else if (arg.startsWith('--output=')) output = arg.slice(9);
    else if (arg === '--last') last = Number(args[++i]);
    else if (arg === '--all') all = true;
    else if (arg === '--follow' || arg === '-f') follow = true;
    else {
      const [flag = '', inline] = arg.startsWith('--') ? arg.split(/=(.*)/s) : [arg];
      const value = inline ?? args[++i];
      if (value === undefined) return fail(`Error: flag needs an argument: ${flag}`);
      const test = filterFor(flag, value);
      if (typeof test === 'string') return fail(`Error: ${test}\nSupported in this simulator: ${supported}`);
      // --from-x and --to-x of one kind are separate groups; so are the unprefixed ones.
      const group = flag === '-t' ? '--type' : flag === '-n' ? '--namespace' : flag;
      groups.set(group, [...(groups.get(group) ?? []), test]);
    }
  }
  if (output !== 'compact' && output !== 'json')
    return fail(`Error: invalid output format "${output}": use compact or json`);
  // Hubble's colorer ignores a value it does not know, which leaves fatih/color's own decision.
  const painted = colour === 'always' || (colour !== 'never' && options.tty === true);
  if (last !== undefined && (!Number.isInteger(last) || last < 0))
    return fail(`Error: invalid argument "${args[args.indexOf('--last') + 1] ?? ''}" for "--last" flag`);
  if (all && last !== undefined) return fail('Error: --last and --all are mutually exclusive');
  const matches = (flow: Flow): boolean =>
    recorded(flow) && [...groups.values()].every((tests) => tests.some((test) => test(flow)));
  const print = (flows: readonly Flow[]): string =>
    flows
      .map(
        (flow) =>
          `${output === 'json' ? formatFlowJson(flow) : formatFlowCompact(flow, painted ? sgrPaint : plainText)}\n`,
      )
      .join('');
  const cilium = context.simulation.state.cluster?.cilium;
  const kept = (cilium?.flows ?? []).filter(matches);
  const count = all ? kept.length : (last ?? (follow ? 0 : defaultPrintCount));
  const past = print(count === 0 ? [] : kept.slice(-count));
  if (!follow) return ok(past);
  // Following: the flows recorded from now on.
  const read = newFlows(context);
  let fresh = '';
  const collect = (): void => {
    fresh += print(read().filter(matches));
  };
  const job = {
    poll: () => {
      collect();
      const text = fresh;
      fresh = '';
      return { stdout: text, stderr: '' };
    },
    stop: () => ({ stdout: '', stderr: '' }),
  };
  if (context.startJob?.(job) !== undefined || context.holdForeground?.(job) === true) return ok(past);
  return runLiveWindow(context, collect).then(({ interrupted, windowMs, capped }) => ({
    stdout: past + fresh,
    stderr: interrupted
      ? ''
      : `(hubble observe --follow stopped after ${Math.round(windowMs / 1000)} simulated seconds: a real one runs until you press Ctrl-C${capped ? '; this command line has no more simulated time left' : ''}; start it with & to keep it running while you send traffic)\n`,
    exitCode: interrupted ? 130 : 0,
  }));
}
