/**
 * `cilium-dbg config` (`cilium config` on 1.12 to 1.14 agents) in an agent pod, as
 * cilium-dbg/cmd/config.go (cilium/cmd/config.go before 1.15) prints it: without arguments the
 * "Read-write configurations" (the agent's runtime options, `MonitorNumPages` and
 * `PolicyEnforcement`), with `-r` the read-only settings, with `-a` both; `--list-options` the
 * options one may change; `Name=value` arguments send PATCH /config (the `cilium.agent.config`
 * input, so replays and permalinks repeat the change), which prints nothing when it succeeds.
 */
import type { CiliumConfig } from '../cilium/config';
import {
  daemonLibrary,
  daemonOptionValues,
  monitorBufferPages,
  parseDaemonOption,
} from '../cilium/daemon-options';
import type { AgentState } from '../cilium/state';
import { fail, ok, type CommandResult, type TerminalContext } from './context';

/** The descriptions `--list-options` prints (pkg/option/runtime_options.go, daemon.go). */
const descriptions: Readonly<Record<string, string>> = {
  ConntrackAccounting: 'Enable per flow (conntrack) statistics',
  ConntrackLocal: 'Use endpoint dedicated tracking table instead of global one',
  Debug: 'Enable debugging trace statements',
  DebugLB: 'Enable debugging trace statements for load balancer',
  DebugPolicy: 'Enable debugging trace statements for policy enforcement',
  DropNotification: 'Enable drop notifications',
  MonitorAggregationLevel: 'Set the level of aggregation for monitor events in the datapath',
  PolicyAccounting: 'Enable policy accounting ',
  PolicyAuditMode: 'Enable audit mode for policies',
  PolicyVerdictNotification: 'Enable policy verdict notifications',
  SourceIPVerification: 'Enable the check of the source IP on pod egress',
  TraceNotification: 'Enable trace notifications',
};

interface ConfigFlags {
  listOptions: boolean;
  readOnly: boolean;
  all: boolean;
  numPages: number;
  output?: string;
  options: string[];
}

/** Splits the command's flags (cobra's, as config.go declares them) from its `Name=value` arguments. */
function parseFlags(args: readonly string[]): ConfigFlags | string {
  const flags: ConfigFlags = { listOptions: false, readOnly: false, all: false, numPages: 0, options: [] };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    const [name, inline] = arg.startsWith('--') ? [arg.split('=')[0], arg.split('=')[1]] : [arg, undefined];
    const value = (): string => inline ?? args[++index] ?? '';
    if (name === '--list-options') flags.listOptions = true;
    else if (name === '-r' || name === '--read-only') flags.readOnly = true;
    else if (name === '-a' || name === '--all') flags.all = true;
    else if (name === '-o' || name === '--output') flags.output = value();
    else if (name === '-n' || name === '--num-pages') {
      const text = value();
      if (!/^-?\d+$/.test(text))
        return `Error: invalid argument "${text}" for "-n, --num-pages" flag: strconv.ParseInt: parsing "${text}": invalid syntax`;
      flags.numPages = Number(text);
    } else if (arg.startsWith('-') && arg !== '-')
      return `Error: unknown flag: ${name}\nSupported in this simulator: -a, -r, --list-options, -n, -o json`;
    else flags.options.push(arg);
  }
  return flags;
}

/** dumpConfig's lines: `Name<padded to 34>: Value`, sorted by name. */
function settingLines(values: Readonly<Record<string, string | number | boolean>>): string {
  return Object.keys(values)
    .sort()
    .map((name) => `${name.padEnd(34)}: ${String(values[name])}\n`)
    .join('');
}

/**
 * Some of the agent's DaemonConfig fields (GET /config's `daemonConfigurationMap`, which the real
 * agent fills with every exported field by reflection): those the model's configuration decides.
 */
function readOnlySettings(config: CiliumConfig): Record<string, string | number | boolean> {
  const balancing = config.serviceLoadBalancing;
  const settings: Record<string, string | number | boolean> = {
    ClusterID: Number(config.values['cluster.id'] ?? 0),
    ClusterName: config.clusterName,
    DatapathMode: 'veth',
    Debug: false,
    EnableHostFirewall: config.hostFirewall,
    EnableIPSec: config.encryption === 'ipsec',
    EnableIPv4: true,
    EnableIPv6: false,
    EnableL7Proxy: config.l7Proxy,
    EnableNodePort: balancing.nodePort,
    EnablePolicy: config.policyEnforcementMode,
    EnableWireguard: config.encryption === 'wireguard',
    IPAM: config.ipamMode,
    KubeProxyReplacement:
      config.values.kubeProxyReplacement ?? (config.versionMinor <= 13 ? 'disabled' : 'false'),
    MonitorAggregation: 'medium',
    PolicyAuditMode: config.policyAuditMode,
  };
  // `routing-mode` replaced `tunnel` in 1.14 (pkg/option/config.go RoutingMode).
  if (config.versionMinor >= 14) settings.RoutingMode = config.routingMode;
  else settings.Tunnel = config.routingMode === 'native' ? 'disabled' : config.tunnelProtocol;
  if (config.versionMinor >= 14) settings.EnableSocketLB = balancing.socketLB;
  return settings;
}

function readOnlySection(config: CiliumConfig): string {
  // In-cluster the agent reads no kubeconfig and no --k8s-api-server: both print empty.
  const k8s = `${'k8s-configuration'.padEnd(34)}: \n${config.versionMinor <= 19 ? `${'k8s-endpoint'.padEnd(34)}: \n` : ''}`;
  return `#### Read-only configurations ####\n${settingLines(readOnlySettings(config))}${k8s}`;
}

function readWriteSection(config: CiliumConfig, agent: AgentState): string {
  return `##### Read-write configurations #####\n${settingLines(daemonOptionValues(config, agent))}${'MonitorNumPages'.padEnd(34)}: ${monitorBufferPages}\n${'PolicyEnforcement'.padEnd(34)}: ${config.policyEnforcementMode}\n`;
}

/** What the listing prints, by flags (printConfigurations). */
function printConfigurations(config: CiliumConfig, agent: AgentState, flags: ConfigFlags): CommandResult {
  if (flags.output !== undefined) {
    if (flags.output !== 'json')
      return fail(`Error: Unable to handle output format "${flags.output}": use json`);
    if (flags.readOnly || flags.all)
      return fail('Error: -o json with -r or -a is not modelled in this simulator');
    return ok(`${JSON.stringify(daemonOptionValues(config, agent), null, 2)}\n`);
  }
  const partial =
    '(the simulated agent lists the read-only settings its model decides; a real agent lists every field of its DaemonConfig)\n';
  if (flags.readOnly) return { ...ok(readOnlySection(config)), stderr: partial };
  if (flags.all)
    return { ...ok(`${readOnlySection(config)}${readWriteSection(config, agent)}`), stderr: partial };
  return ok(readWriteSection(config, agent));
}

/** The error of a refused PATCH /config: go-swagger quotes the message from 1.17 on. */
function patchRefused(config: CiliumConfig, message: string): CommandResult {
  const payload = config.versionMinor >= 17 ? ` ${JSON.stringify(message)}` : `  ${message}`;
  return fail(
    `Error: Unable to change agent configuration: [PATCH /config][400] patchConfigBadRequest${payload}\n\n`,
  );
}

/** Reads the `Name=value` arguments and sends the changes (configDaemon). */
function changeConfiguration(
  context: TerminalContext,
  config: CiliumConfig,
  agent: AgentState,
  flags: ConfigFlags,
): CommandResult {
  // MonitorNumPages goes to the agent as an option, which its option library does not have.
  if (flags.numPages > 0 && flags.numPages !== monitorBufferPages)
    return patchRefused(config, 'unknown option "MonitorNumPages"');
  const changes: Record<string, number> = {};
  for (const option of flags.options) {
    const equals = option.indexOf('=');
    if (equals < 0) return fail('Error: Improper configuration format provided\n');
    if (option.slice(0, equals) === 'PolicyEnforcement') {
      const wanted = option.slice(equals + 1);
      if (!['default', 'always', 'never'].includes(wanted))
        return patchRefused(config, `invalid option for PolicyEnforcement ${wanted}`);
      if (wanted !== config.policyEnforcementMode)
        return fail(
          `(changing PolicyEnforcement at runtime is not modelled in this simulator; set policyEnforcementMode with helm upgrade)\n`,
        );
      continue;
    }
    const parsed = parseDaemonOption(config, option);
    // The CLI prints a parse error on standard output before it exits.
    if ('error' in parsed) return { stdout: `${parsed.error}\n`, stderr: '', exitCode: 1 };
    changes[parsed.name] = parsed.setting;
  }
  if (Object.keys(changes).length === 0) return ok();
  const result = context.input({ type: 'cilium.agent.config', node: agent.node, options: changes });
  return result.ok ? ok() : fail(`Error: Unable to change agent configuration: ${result.error}\n\n`);
}

/** Runs `config` against one agent. */
export function ciliumConfig(
  context: TerminalContext,
  agent: AgentState,
  args: readonly string[],
): CommandResult {
  const config = agent.config ?? context.simulation.state.cluster?.cilium?.config;
  if (config === undefined) return fail('Error: Cilium is not installed');
  const flags = parseFlags(args);
  if (typeof flags === 'string') return fail(flags);
  if (flags.listOptions)
    return ok(
      daemonLibrary(config)
        .filter((name) => name !== 'PolicyTracing')
        .map((name) => `${name.padEnd(24)} ${descriptions[name] ?? ''}\n`)
        .join(''),
    );
  if (flags.numPages <= 0 && flags.options.length === 0) return printConfigurations(config, agent, flags);
  return changeConfiguration(context, config, agent, flags);
}
