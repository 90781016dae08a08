/**
 * `cilium ip list [-n] [-v]` (`cilium-dbg` from 1.15) in an agent pod: the agent's userspace
 * ipcache with each identity printed as its labels, one per line (cilium/cmd/ip_list.go and
 * cilium-dbg/cmd/ip_list.go). `-n` prints the numbers instead, `-v` adds the host and the
 * encryption key. Until 1.14.3 a reserved identity prints as its short name (`world`, `host`,
 * cilium/cilium#13375); from 1.14.4 and 1.15 every identity prints its full label set, reserved
 * ones included (cilium/cilium#28425, in the v1.14 backports of 2023-10-24). Before that change the
 * labels of a pod identity come out in Go's map order; the model sorts them, as the later
 * GetPrintableModel does.
 */
import type { Cluster } from '../world';
import type { AgentState } from '../cilium/state';
import { agentView, listIpcache } from '../cilium/agent-ipcache';
import { labelSetToStrings } from '../cilium/labels';
import { localIdentityLabels } from '../cilium/local-identities';
import { parseCiliumVersion } from '../cilium/config';
import { reservedIdentityLabels, reservedIdentityNames } from '../cilium/reserved-identities';
import { fail, type CommandResult } from './context';
import { ciliumTabs, tabwrite } from './tabwriter';

/** Whether this release prints reserved identities by their labels rather than their short name. */
function reservedAsLabels(cluster: Cluster): boolean {
  const version = parseCiliumVersion(cluster.cilium?.config.version ?? '1.12.0');
  if (version === undefined) return false;
  return version.minor > 14 || (version.minor === 14 && version.patch >= 4);
}

/** An identity's lines in the IDENTITY column, or undefined when the agent does not know it. */
function identityLines(cluster: Cluster, agent: AgentState, id: number): string[] | undefined {
  const name = reservedIdentityNames[id];
  if (name !== undefined) {
    if (!reservedAsLabels(cluster)) return [name];
    return labelSetToStrings(reservedIdentityLabels(id));
  }
  const labels =
    agentView(cluster, agent)?.identities[String(id)] ?? localIdentityLabels(cluster, agent.node, id);
  return labels === undefined ? undefined : labelSetToStrings(labels);
}

/** Runs `ip list` with its flags against one agent's ipcache. */
export function ciliumIpList(cluster: Cluster, agent: AgentState, args: readonly string[]): CommandResult {
  let numeric = false;
  let verbose = false;
  for (const arg of args) {
    if (arg === '-n' || arg === '--numeric') numeric = true;
    else if (arg === '-v' || arg === '--verbose') verbose = true;
    else if (arg === '-nv' || arg === '-vn') numeric = verbose = true;
    else if (arg.startsWith('--')) return fail(`Error: unknown flag: ${arg}`);
    else if (arg.startsWith('-')) return fail(`Error: unknown shorthand flag: '${arg.charAt(1)}' in ${arg}`);
    // Positional arguments are accepted and ignored, as cobra does for a command without Args.
  }
  const lines = [verbose ? 'IP\tIDENTITY\tSOURCE\tHOST\tENCRYPT_KEY' : 'IP\tIDENTITY\tSOURCE'];
  let stderr = '';
  for (const { prefix, entry } of listIpcache(cluster, agent)) {
    let identities = numeric ? [String(entry.identity)] : identityLines(cluster, agent, entry.identity);
    if (identities === undefined) {
      stderr += `Cannot get identity for ID ${entry.identity}: [GET /identity/{id}][404] getIdentityIdNotFound \n`;
      identities = [String(entry.identity)];
    }
    identities.forEach((identity, index) => {
      if (index > 0) lines.push(`\t${identity}\t`);
      else if (verbose)
        lines.push(`${prefix}\t${identity}\t${entry.source}\t${entry.hostIP}\t${entry.encryptKey}`);
      else lines.push(`${prefix}\t${identity}\t${entry.source}`);
    });
  }
  return { stdout: tabwrite(`${lines.join('\n')}\n`, ciliumTabs), stderr, exitCode: 0 };
}
