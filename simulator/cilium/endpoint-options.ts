/**
 * The per-endpoint options of `cilium-dbg endpoint config` (pkg/option's endpoint option library):
 * which options an endpoint has in each release, the values it inherits from the agent when it is
 * created, and how a `Name=value` argument is read (names case-insensitively, booleans as Cilium's
 * NormalizeBool reads them, MonitorAggregationLevel by level name or number).
 *
 * An endpoint stores only the options a reader set (as Cilium's numeric option settings); all
 * others follow the agent. Of them only PolicyAuditMode changes what the model decides: it
 * overrides the agent-wide `policyAuditMode` for that one endpoint (endpoint-policy-cache.ts).
 */
import type { CiliumConfig } from './config';

/** An option's setting as Cilium stores it: 0 is Disabled, 1 Enabled, levels for aggregation. */
export type EndpointOptionSettings = Readonly<Record<string, number>>;

export const policyAuditModeOption = 'PolicyAuditMode';
const monitorAggregationOption = 'MonitorAggregationLevel';

/**
 * The library of 1.15 and later (PolicyAccounting arrived with `--policy-accounting`, and
 * ConntrackLocal is gone), and of the releases before; sorted as the CLI prints them.
 */
const libraryFrom115 = [
  'ConntrackAccounting',
  'Debug',
  'DebugLB',
  'DebugPolicy',
  'DropNotification',
  monitorAggregationOption,
  'PolicyAccounting',
  policyAuditModeOption,
  'PolicyVerdictNotification',
  'SourceIPVerification',
  'TraceNotification',
] as const;
const libraryBefore115 = [
  'ConntrackAccounting',
  'ConntrackLocal',
  'Debug',
  'DebugLB',
  'DebugPolicy',
  'DropNotification',
  monitorAggregationOption,
  policyAuditModeOption,
  'PolicyVerdictNotification',
  'SourceIPVerification',
  'TraceNotification',
] as const;

/** The option names an endpoint has under this configuration, in the CLI's (sorted) order. */
export function endpointOptionNames(config: CiliumConfig): readonly string[] {
  return config.versionMinor >= 15 ? libraryFrom115 : libraryBefore115;
}

/** Monitor aggregation levels by name (pkg/option/monitor.go); `medium` is the chart's default. */
const aggregationLevels: Readonly<Record<string, number>> = {
  '': 0,
  none: 0,
  disabled: 0,
  lowest: 1,
  low: 2,
  medium: 3,
  max: 4,
  maximum: 4,
};
const aggregationNames = ['None', 'Lowest', 'Low', 'Medium', 'Max'] as const;

/**
 * What the agent sets for every new endpoint: notifications and source IP checks on, accounting
 * of conntrack off from 1.15 (on before), debugging off, audit mode as configured.
 */
function agentDefault(config: CiliumConfig, name: string): number {
  switch (name) {
    case 'ConntrackAccounting':
      return config.versionMinor >= 15 ? 0 : 1;
    case 'DropNotification':
    case 'PolicyAccounting':
    case 'PolicyVerdictNotification':
    case 'SourceIPVerification':
    case 'TraceNotification':
      return 1;
    case monitorAggregationOption:
      return aggregationLevels.medium ?? 3;
    case policyAuditModeOption:
      return config.policyAuditMode ? 1 : 0;
    default:
      return 0;
  }
}

/** How the agent's API reports a setting: Enabled/Disabled, or the aggregation level's name. */
export function formatSetting(name: string, setting: number): string {
  if (name === monitorAggregationOption) return aggregationNames[setting] ?? '';
  return setting === 0 ? 'Disabled' : 'Enabled';
}

/** An endpoint's options as the API reports them (`Enabled`, `Disabled`, `Medium`), by name. */
export function endpointOptionValues(
  config: CiliumConfig,
  settings: EndpointOptionSettings | undefined,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of endpointOptionNames(config))
    values[name] = formatSetting(name, settings?.[name] ?? agentDefault(config, name));
  return values;
}

/** Whether policy audit mode applies to an endpoint: its own option if set, else the agent's. */
export function effectiveAuditMode(
  config: CiliumConfig | undefined,
  settings: EndpointOptionSettings | undefined,
): boolean {
  const own = settings?.[policyAuditModeOption];
  return own === undefined ? (config?.policyAuditMode ?? false) : own !== 0;
}

/** Cilium's NormalizeBool: the spellings of on and off it accepts, in any case. */
function normalizeBool(value: string): number | undefined {
  const lower = value.toLowerCase();
  if (['true', 'on', 'enable', 'enabled', '1'].includes(lower)) return 1;
  if (['false', 'off', 'disable', 'disabled', '0'].includes(lower)) return 0;
  return undefined;
}

function parseAggregation(value: string): number | string {
  const named = aggregationLevels[value.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^[+-]?\d+$/.test(value)) return `invalid monitor aggregation level ${JSON.stringify(value)}`;
  const level = Number(value);
  return level < 0 || level > 4 ? 'monitor aggregation level must be between 0 and 4' : level;
}

/**
 * Reads one `Name=value` argument of `endpoint config` (OptionLibrary.ParseOption): the option's
 * canonical name and setting, or the error text the CLI prints after `Cannot parse option ARG: `.
 */
export function parseEndpointOption(
  config: CiliumConfig,
  argument: string,
): { name: string; setting: number } | { error: string } {
  return parseLibraryOption(endpointOptionNames(config), argument);
}

/**
 * Reads one `Name=value` argument against an option library (OptionLibrary.ParseOption, shared by
 * the endpoint and the daemon libraries): the canonical name and setting, or the error text.
 */
export function parseLibraryOption(
  library: readonly string[],
  argument: string,
): { name: string; setting: number } | { error: string } {
  const negated = argument.startsWith('!');
  const text = negated ? argument.slice(1) : argument;
  const equals = text.indexOf('=');
  if (equals < 0) return { error: 'invalid option format' };
  if (negated) return { error: 'invalid boolean format' };
  const wanted = text.slice(0, equals);
  const value = text.slice(equals + 1);
  const name = library.find((option) => option.toLowerCase() === wanted.toLowerCase());
  if (name === undefined) return { error: `unknown option ${JSON.stringify(wanted)}` };
  if (name === monitorAggregationOption) {
    const level = parseAggregation(value);
    return typeof level === 'string' ? { error: level } : { name, setting: level };
  }
  const setting = normalizeBool(value);
  return setting === undefined ? { error: `invalid option value ${value}` } : { name, setting };
}
