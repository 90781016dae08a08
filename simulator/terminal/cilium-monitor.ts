/**
 * `cilium-dbg monitor [-t TYPE…] [--related-to ID…] [--from ID] [--to ID] [-n]` in an agent pod: a
 * live view of the events that node's datapath emits. Like `kubectl get --watch`
 * (kubectl-wait.ts), it lets a bounded window of virtual time pass (a minute, or what the command
 * line has left) in small slices, handing the thread back to the page now and then so Ctrl-C
 * works, and prints the policy-verdict and drop events the agent's node recorded in that window,
 * filtered as the real monitor filters them (cilium/monitor-events.ts). As in cilium-dbg, the
 * `Listening for events…` and `Press Ctrl-C to quit` lines go to stderr.
 *
 * Only events of the window are shown: traffic sent before the command is not (`hubble observe`
 * lists past flows). Started with `&`, the monitor instead runs as a background job
 * (background-jobs.ts) and shows what later command lines cause, as the docs use it while they
 * send traffic. `-t l7` shows the proxies' access log records (HTTP, DNS, Kafka); trace, debug,
 * capture and agent events are not modelled.
 */
import type { AgentState } from '../cilium/state';
import { reservedIdentityNames } from '../cilium/reserved-identities';
import { localIdentityLabels } from '../cilium/local-identities';
import { labelSetToStrings } from '../cilium/labels';
import {
  formatMonitorEvent,
  monitorEventOf,
  monitorMessageTypes,
  monitorShows,
  type MonitorFilter,
} from '../cilium/monitor-events';
import { fail, type CommandResult, type TerminalContext } from './context';
import { newFlows, runLiveWindow } from './live-window';
/** What `Listening for events on …` reports: the node's CPUs and the perf ring (64 pages of 4 KiB). */
const nodeCpus = 8;
const ringPages = 64;
const pageSize = 4096;

interface MonitorRequest extends MonitorFilter {
  numeric: boolean;
  verbose?: boolean;
}

/** The Go map the CLI prints for an unknown `-t` (keys sorted, as fmt prints maps). */
function typeList(): string {
  const entries = Object.keys(monitorMessageTypes)
    .sort()
    .map((name) => `${name}:${monitorMessageTypes[name] ?? 0}`);
  return `map[${entries.join(' ')}]`;
}

/** Parses the monitor's flags, or returns the CLI's error. */
function parseMonitorArgs(args: readonly string[]): MonitorRequest | string {
  const request: {
    types: string[];
    from: number[];
    to: number[];
    related: number[];
    numeric: boolean;
    verbose?: boolean;
  } = {
    types: [],
    from: [],
    to: [],
    related: [],
    numeric: false,
  };
  const endpointIds = (flag: string, value: string, into: number[]): string | undefined => {
    for (const part of value.split(',')) {
      if (!/^\d+$/.test(part) || Number(part) > 65535)
        return `Error: invalid argument "${value}" for "${flag}" flag: strconv.ParseUint: parsing "${part}": ${/^\d+$/.test(part) ? 'value out of range' : 'invalid syntax'}`;
      into.push(Number(part));
    }
    return undefined;
  };
  for (let index = 0; index < args.length; index++) {
    const raw = args[index] ?? '';
    const equals = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const flag = equals < 0 ? raw : raw.slice(0, equals);
    const value = (): string => (equals < 0 ? (args[++index] ?? '') : raw.slice(equals + 1));
    if (flag === '-t' || flag === '--type') {
      const type = value();
      if (monitorMessageTypes[type] === undefined)
        return `Error: invalid argument "${type}" for "-t, --type" flag: Unknown type (${type}). Please use one of the following ones ${typeList()}`;
      request.types.push(type);
    } else if (flag === '--related-to' || flag === '--from' || flag === '--to') {
      const into = flag === '--from' ? request.from : flag === '--to' ? request.to : request.related;
      const error = endpointIds(flag, value(), into);
      if (error !== undefined) return error;
    } else if (flag === '-n' || flag === '--numeric') request.numeric = true;
    else if (flag === '-v' || flag === '-vv' || flag === '--verbose') request.verbose = true;
    else if (['-j', '--json', '--hex'].includes(flag))
      return `Error: ${flag} is not simulated: the simulated monitor prints the one-line and verbose formats`;
    else
      return `Error: unknown ${raw.startsWith('--') ? 'flag' : 'shorthand flag'}: ${raw}\nSupported in this simulator: -t/--type, --related-to, --from, --to, -n/--numeric, -v/--verbose`;
  }
  return request;
}

/** An identity's labels as the agent knows them, sorted, as the access log prints an endpoint's. */
function identityLabels(context: TerminalContext, agent: AgentState, identity: number): string[] {
  const reserved = reservedIdentityNames[identity];
  if (reserved !== undefined) return [`reserved:${reserved}`];
  const cilium = context.simulation.state.cluster?.cilium;
  const current = cilium?.agents[agent.node] ?? agent;
  const cluster = context.simulation.state.cluster;
  // CIDR and FQDN identities are the node's own (local identities), not in the shared view.
  const labels =
    (cluster === undefined ? undefined : localIdentityLabels(cluster, agent.node, identity)) ??
    cilium?.views[current.viewId]?.identities[String(identity)] ??
    {};
  return labelSetToStrings(labels);
}

/** Runs the monitor on one agent's node. */
export async function ciliumMonitor(
  context: TerminalContext,
  agent: AgentState,
  args: readonly string[],
): Promise<CommandResult> {
  const cilium = context.simulation.state.cluster?.cilium;
  if (cilium === undefined) return fail('Error: Cilium is not installed');
  const request = parseMonitorArgs(args);
  if (typeof request === 'string') return fail(request);
  let stderr = `Listening for events on ${nodeCpus} CPUs with ${ringPages}x${pageSize} of shared memory\nPress Ctrl-C to quit\n`;
  const format = {
    numeric: request.numeric,
    verbose: request.verbose === true,
    versionMinor: cilium.config.versionMinor,
    labelsOf: (identity: number): readonly string[] => identityLabels(context, agent, identity),
  };
  const events: string[] = [];
  const read = newFlows(context);
  // Each slice's new flows become events at once, against the agent's endpoints of that moment.
  const collect = (): void => {
    const current = context.simulation.state.cluster?.cilium?.agents[agent.node] ?? agent;
    for (const flow of read()) {
      if (flow.node !== agent.node) continue;
      const event = monitorEventOf(current, flow);
      if (monitorShows(event, request)) events.push(`${formatMonitorEvent(event, format)}\n`);
    }
  };
  // Started with `&`, or in a terminal that holds it (the lab's tabs), the monitor goes on and
  // reports what later command lines cause.
  const job = {
    poll: () => {
      collect();
      return { stdout: events.splice(0).join(''), stderr: '' };
    },
    stop: () => ({ stdout: '', stderr: '\nReceived an interrupt, disconnecting from monitor...\n\n' }),
  };
  if (context.startJob?.(job) !== undefined || context.holdForeground?.(job) === true)
    return { stdout: '', stderr, exitCode: 0 };
  const { interrupted, windowMs, capped } = await runLiveWindow(context, collect);
  if (interrupted) {
    stderr += '\nReceived an interrupt, disconnecting from monitor...\n\n';
    return { stdout: events.join(''), stderr, exitCode: 130 };
  }
  const asksUnmodelled =
    request.types.length === 0 ||
    request.types.some((type) => type !== 'policy-verdict' && type !== 'drop' && type !== 'l7');
  if (asksUnmodelled)
    stderr +=
      '(the simulated monitor shows policy-verdict, drop and L7 events; trace, debug, capture and agent events are not modelled)\n';
  stderr += `(monitor stopped after ${Math.round(windowMs / 1000)} simulated seconds: a real cilium-dbg monitor runs until you press Ctrl-C${capped ? '; this command line has no more simulated time left' : ''}. It shows only events of its own window: start it with & to keep it running while you send traffic; hubble observe --type policy-verdict lists earlier ones)\n`;
  return { stdout: events.join(''), stderr, exitCode: 0 };
}
