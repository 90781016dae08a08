/**
 * `cilium-dbg endpoint config ID [Name=value…] [-o json]` in an agent pod (cilium-dbg/cmd/
 * endpoint_config.go): without options it prints the endpoint's options one per line (`%-34s: %s`,
 * sorted, as the CLI's dumpConfig does); with options it parses each one, sends them to the agent
 * (the `cilium.endpoint.config` input, so replays and permalinks repeat the change) and reports
 * `Endpoint ID configuration updated successfully`. Errors use the CLI's words: the id is checked
 * first, then fetched (404 for an id the agent does not have), then each option is parsed.
 */
import type { AgentState } from '../cilium/state';
import { findAgentEndpoint, maxEndpointId, type AgentEndpoint } from '../cilium/agent-endpoints';
import {
  endpointOptionValues,
  parseEndpointOption,
  type EndpointOptionSettings,
} from '../cilium/endpoint-options';
import { reservedIdentityNames } from '../cilium/reserved-identities';
import { fail, ok, type CommandResult, type TerminalContext } from './context';

/** The endpoint's own option settings, wherever the agent keeps them. */
function settingsOf(agent: AgentState, target: AgentEndpoint): EndpointOptionSettings | undefined {
  if (target.kind === 'pod') return target.endpoint.options;
  return target.kind === 'host' ? agent.hostEndpointOptions : agent.healthEndpointOptions;
}

/**
 * The id part of `[prefix:]ID` as endpointid.Parse checks it: a number no larger than 4095 after
 * the default `cilium-local:` prefix (other prefixes name containers and pods, not modelled here).
 */
function parseEndpointId(text: string): { id: number; shown: string } | { error: string } {
  const colon = text.indexOf(':');
  const prefix = colon < 0 ? 'cilium-local' : text.slice(0, colon);
  const rest = colon < 0 ? text : text.slice(colon + 1);
  if (prefix !== 'cilium-local')
    return { error: `Cannot parse endpoint id "${text}": unknown endpoint ID prefix "${prefix}"` };
  if (!/^\d+$/.test(rest))
    return {
      error: `Cannot parse endpoint id "${text}": invalid numeric cilium id: strconv.ParseInt: parsing "${rest}": invalid syntax`,
    };
  const id = Number(rest);
  if (id > maxEndpointId)
    return { error: `Cannot parse endpoint id "${text}": endpoint id too large: ${id}` };
  return { id, shown: rest };
}

/** The lines of dumpConfig: `Name<padded to 34>: Value`. */
function optionLines(values: Readonly<Record<string, string>>): string {
  return Object.keys(values)
    .sort()
    .map((name) => `${name.padEnd(34)}: ${values[name] ?? ''}\n`)
    .join('');
}

/** Splits `-o json` / `--output=json` off the positional arguments. */
function splitOutput(args: readonly string[]): { positionals: string[]; output?: string } | string {
  const positionals: string[] = [];
  let output: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg === '-o' || arg === '--output') output = args[++index] ?? '';
    else if (arg.startsWith('--output=')) output = arg.slice('--output='.length);
    else if (arg.startsWith('-o') && arg.length > 2) output = arg.slice(2).replace(/^=/, '');
    else if (arg.startsWith('-') && !arg.startsWith('-o'))
      return `Error: unknown flag: ${arg}\nSupported in this simulator: -o json`;
    else positionals.push(arg);
  }
  return output === undefined ? { positionals } : { positionals, output };
}

/** Runs `endpoint config` against one agent; `program` is `cilium` or `cilium-dbg`, for the usage text. */
export function endpointConfig(
  context: TerminalContext,
  agent: AgentState,
  args: readonly string[],
  program: string,
): CommandResult {
  const config = context.simulation.state.cluster?.cilium?.config;
  if (config === undefined) return fail('Error: Cilium is not installed');
  const parsedArgs = splitOutput(args);
  if (typeof parsedArgs === 'string') return fail(parsedArgs);
  const [idText, ...options] = parsedArgs.positionals;
  if (idText === undefined)
    return fail(
      `Error: Missing endpoint id argument\n\nUsage:\n  ${program} endpoint config <endpoint id> [<option>=(enable|disable) ...] [flags]\n`,
    );
  // A reserved identity's name (`host`, `world`) skips the id check and is then not found.
  const reserved = Object.values(reservedIdentityNames).includes(idText);
  const parsedId = reserved ? { id: -1, shown: idText } : parseEndpointId(idText);
  if ('error' in parsedId) return fail(`Error: ${parsedId.error}`);
  const target = findAgentEndpoint(agent, parsedId.id);
  if (target === undefined)
    // The CLI's format ends in a newline of its own, so the message is followed by an empty line.
    return fail(
      `Error: Cannot get configuration of endpoint ${parsedId.shown}: [GET /endpoint/{id}/config][404] getEndpointIdConfigNotFound \n\n`,
    );
  const values = endpointOptionValues(config, settingsOf(agent, target));
  if (options.length === 0) {
    if (parsedArgs.output === undefined) return ok(optionLines(values));
    if (parsedArgs.output !== 'json')
      return fail(`Error: Unable to handle output format "${parsedArgs.output}": use json`);
    return ok(`${JSON.stringify({ realized: { 'label-configuration': {}, options: values } }, null, 2)}\n`);
  }
  const changes: Record<string, number> = {};
  for (const option of options) {
    const parsed = parseEndpointOption(config, option);
    if ('error' in parsed) return fail(`Error: Cannot parse option ${option}: ${parsed.error}`);
    changes[parsed.name] = parsed.setting;
  }
  const result = context.input({
    type: 'cilium.endpoint.config',
    node: agent.node,
    endpointId: target.id,
    options: changes,
  });
  if (!result.ok) return fail(`Error: Cannot update endpoint ${parsedId.shown}: ${result.error}`);
  return ok(`Endpoint ${parsedId.shown} configuration updated successfully\n`);
}
