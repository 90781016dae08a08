/**
 * `cilium-dbg endpoint log <endpoint id> [-o json|yaml|jsonpath=…]`: an endpoint's status log,
 * newest first, as the agent's `GET /endpoint/{id}/log` returns it. Layout and errors follow
 * cilium-dbg/cmd/endpoint_log.go and `requireEndpointID`/`Usagef` in cilium-dbg/cmd/helpers.go at
 * v1.18: a tabwriter of min width 2 and padding 3, timestamps in RFC 3339 to the second.
 */
import type { AgentState, EndpointStatusEntry } from '../cilium/state';
import { agentEndpointIds } from '../cilium/agent-endpoints';
import { healthEndpointNow, hostEndpointNow } from '../cilium/infra-endpoints';
import { renderJsonPath } from './jsonpath';
import { cobraParse } from './cobra-args';
import { ciliumDbgGlobalFlags } from './cilium-dbg-usage';
import { fail, ok, type CommandResult } from './context';
import { tabwrite } from './tabwriter';
import { toRfc3339Milli } from '../engine/virtual-time';

const usage = `View endpoint status log

Usage:
  cilium-dbg endpoint log <endpoint id> [flags]

Examples:
cilium endpoint log 5421

Flags:
  -h, --help            help for log
  -o, --output string   json| yaml| jsonpath='{}'

${ciliumDbgGlobalFlags}`;

/** The API's EndpointStatusChange model of an entry (api/v1/models). */
interface StatusChange {
  code: string;
  message: string;
  state: string;
  timestamp: string;
}

function statusChange(entry: EndpointStatusEntry): StatusChange {
  // time.RFC3339 in EndpointStatus.GetModel: whole seconds.
  const timestamp = toRfc3339Milli(entry.atMs).replace(/\.\d+Z$/, 'Z');
  return { code: 'OK', message: entry.message, state: entry.state, timestamp };
}

/** The id as `endpointid.Parse` reads a plain number (`cilium-local:` prefix allowed), or its error. */
function parseEndpointId(text: string): number | { error: string } {
  const digits = text.replace(/^cilium-local:/, '');
  if (/^\d+$/.test(digits) && Number(digits) <= 65_535) return Number(digits);
  const reason = /^\d+$/.test(digits) ? 'value out of range' : 'invalid syntax';
  return {
    error: `Error: Cannot parse endpoint id "${text}": strconv.ParseUint: parsing "${digits}": ${reason}`,
  };
}

function printLog(changes: StatusChange[], format: string | undefined): CommandResult {
  if (format === undefined) {
    const rows = ['Timestamp\tStatus\tState\tMessage'];
    for (const change of changes)
      rows.push(`${change.timestamp}\t${change.code}\t${change.state}\t${change.message}`);
    return ok(tabwrite(`${rows.join('\n')}\n`, { minWidth: 2, padding: 3 }));
  }
  if (format === 'json') return ok(`${JSON.stringify(changes, null, 2)}\n`);
  if (format === 'yaml')
    return ok(
      changes
        .map((change) =>
          [
            `- code: ${change.code}`,
            `  message: ${change.message}`,
            `  state: ${change.state}`,
            `  timestamp: "${change.timestamp}"`,
          ].join('\n'),
        )
        .join('\n') + (changes.length === 0 ? '[]\n' : '\n'),
    );
  if (format.startsWith('jsonpath=')) {
    const rendered = renderJsonPath(format.slice('jsonpath='.length), changes);
    return rendered.ok ? ok(`${rendered.text}\n`) : fail(rendered.error);
  }
  return fail(`Error: Unable to handle output format "${format}": use json, yaml or jsonpath=…`);
}

/**
 * The status log of one of the agent's endpoints, oldest first, or undefined when the agent has no
 * such endpoint. A status log lives in the agent's memory only: an endpoint restored after a restart
 * starts a new one at `restoring` (`ParseEndpoint`, pkg/endpoint/endpoint.go at v1.18.5), so entries
 * an earlier agent logged are not shown. The host and health endpoints' logs are derived
 * (cilium/infra-endpoints.ts).
 */
function statusLogOf(
  agent: AgentState,
  id: number,
  nowMs: number,
): readonly EndpointStatusEntry[] | undefined {
  const local = agent.endpoints[id];
  if (local !== undefined) {
    const since = agent.startedAtMs ?? 0;
    return (local.statusLog ?? []).filter((entry) => entry.atMs >= since);
  }
  const own = agentEndpointIds(agent);
  if (id === own.host) return hostEndpointNow(agent, nowMs)?.statusLog;
  if (id === own.health) return healthEndpointNow(agent, nowMs)?.statusLog;
  return undefined;
}

/** Runs `endpoint log` against the agent's own endpoints: its pods', the host's and the health endpoint's. */
export function endpointLog(agent: AgentState, args: readonly string[], nowMs: number): CommandResult {
  const parsed = cobraParse(args, [
    { long: 'output', short: 'o', takesValue: true },
    { long: 'help', short: 'h', takesValue: false },
  ]);
  if ('error' in parsed)
    return {
      stdout: usage.replace(/^View endpoint status log\n\n/, ''),
      stderr: `Error: ${parsed.error}\n`,
      exitCode: 1,
    };
  if (parsed.flags.has('help')) return ok(usage);
  const [id] = parsed.positionals;
  if (id === undefined)
    return { stdout: usage, stderr: 'Error: Missing endpoint id argument\n\n', exitCode: 1 };
  const number = parseEndpointId(id);
  if (typeof number !== 'number') return fail(number.error);
  const log = statusLogOf(agent, number, nowMs);
  if (log === undefined)
    return fail(
      `Error: Cannot get endpoint log ${id}: [GET /endpoint/{id}/log][404] getEndpointIdLogNotFound `,
    );
  const changes = [...log].reverse().map(statusChange);
  return printLog(changes, parsed.flags.get('output'));
}
