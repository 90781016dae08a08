/**
 * The agent's own runtime options, which `cilium-dbg config` lists under "Read-write
 * configurations" (GET /config's `status.realized.options`) and changes with `Name=value`
 * arguments (PATCH /config). They are the daemon option library of pkg/option/daemon.go, holding
 * only the options the agent set at start (daemon/cmd/daemon_main.go, where `Opts.SetBool` is
 * called for each), so the list differs by release:
 *
 * - 1.12 and 1.13: ConntrackAccounting on, ConntrackLocal off, notifications on, no source IP
 *   verification and no policy accounting (daemon_main.go at v1.12.0);
 * - 1.14 and 1.15: SourceIPVerification joins, on (v1.14.0, v1.15.0);
 * - 1.16 and 1.17: ConntrackAccounting off by default, PolicyAccounting from `policy-accounting`
 *   (on by default) (v1.16.0);
 * - 1.18: ConntrackLocal is gone (the commit "Remove deprecated CONNTRACK_LOCAL option", April
 *   2025, before the v1.18 branch).
 *
 * DebugPolicy appears only when the agent runs with `debug: true` (or verbose policy debugging),
 * which the modelled charts never set (cilium-config renders `debug: "false"`).
 * A PATCH changes the agent's options and overrides every endpoint's options of the same names
 * (daemon/restapi/config.go: `ApplyValidated` then `OverrideEndpointOpts`); a new endpoint copies
 * the agent's options; a restarted agent starts again from its configuration.
 */
import type { CiliumConfig } from './config';
import type { AgentState } from './state';
import {
  endpointOptionNames,
  formatSetting,
  parseLibraryOption,
  policyAuditModeOption,
} from './endpoint-options';

/** The monitor's perf ring size in pages (pkg/defaults MonitorBufferPages), as `config` prints it. */
export const monitorBufferPages = 64;

/** The daemon options an agent of this configuration holds, sorted as the CLI prints them. */
function daemonOptionNames(config: CiliumConfig): readonly string[] {
  const minor = config.versionMinor;
  return [
    'ConntrackAccounting',
    ...(minor <= 17 ? ['ConntrackLocal'] : []),
    'Debug',
    'DebugLB',
    'DropNotification',
    'MonitorAggregationLevel',
    ...(minor >= 16 ? ['PolicyAccounting'] : []),
    policyAuditModeOption,
    'PolicyTracing',
    'PolicyVerdictNotification',
    ...(minor >= 14 ? ['SourceIPVerification'] : []),
    'TraceNotification',
  ];
}

/** The option names PATCH /config accepts: the whole daemon library, set at start or not. */
export function daemonLibrary(config: CiliumConfig): readonly string[] {
  return [...new Set([...daemonOptionNames(config), 'DebugPolicy'])].sort();
}

/** The setting the agent gives an option at start, from its configuration. */
function startSetting(config: CiliumConfig, name: string): number {
  switch (name) {
    case 'ConntrackAccounting':
      return config.versionMinor <= 15 ? 1 : 0;
    case 'DropNotification':
    case 'PolicyAccounting':
    case 'PolicyVerdictNotification':
    case 'SourceIPVerification':
    case 'TraceNotification':
      return 1;
    case 'MonitorAggregationLevel':
      return 3; // `medium`, the chart's bpf.monitorAggregation
    case policyAuditModeOption:
      return config.policyAuditMode ? 1 : 0;
    default:
      return 0;
  }
}

/** The agent's options as GET /config reports them (`Enabled`, `Disabled`, `Medium`), by name. */
export function daemonOptionValues(config: CiliumConfig, agent: AgentState): Record<string, string> {
  const values: Record<string, string> = {};
  const names = new Set([...daemonOptionNames(config), ...Object.keys(agent.daemonOptions ?? {})]);
  for (const name of [...names].sort())
    values[name] = formatSetting(name, agent.daemonOptions?.[name] ?? startSetting(config, name));
  return values;
}

/** Reads one `Name=value` argument of `config` against the daemon library, or the error text. */
export function parseDaemonOption(
  config: CiliumConfig,
  argument: string,
): { name: string; setting: number } | { error: string } {
  return parseLibraryOption(daemonLibrary(config), argument);
}

/** The settings among daemon `options` that an endpoint has too, which endpoints take over. */
export function endpointShareOf(
  config: CiliumConfig | undefined,
  options: Readonly<Record<string, number>>,
): Record<string, number> {
  const library = config === undefined ? [] : endpointOptionNames(config);
  return Object.fromEntries(Object.entries(options).filter(([name]) => library.includes(name)));
}
