/**
 * Mutual authentication's own action (seed 002): the auth map of a node as `cilium bpf auth list`
 * prints it, with the handshakes that node's auth manager ran.
 */
import { authMapEntries, formatAuthMapList } from '../../cilium/auth-map';
import type { ScenarioRun } from '../run';
import type { ActionOf } from '../types';

export function showAuthMap(run: ScenarioRun, action: ActionOf<'show-auth-map'>): void {
  const node = run.nodeOf(action.nodeOf) ?? run.facts.focusNode;
  const agent = node === undefined ? undefined : run.cluster.cilium?.agents[node];
  if (node === undefined || agent === undefined) {
    run.fail('no node found for the selector');
    return;
  }
  const entries = authMapEntries(run.cluster, node);
  run.say(`kubectl -n kube-system exec ${agent.podName} -- cilium bpf auth list   (on ${node})`);
  const listing = formatAuthMapList(entries);
  for (const line of `${listing.stdout}${listing.stderr}`.trimEnd().split('\n')) run.say(`  ${line}`);
  const handshakes = (run.cluster.cilium?.mutualAuth?.handshakes ?? [])
    .filter((record) => record.node === node)
    .slice(-(action.showHandshakes ?? 1));
  for (const record of handshakes)
    run.say(`Handshake #${record.number} (${record.reason}, ${record.result}): ${record.sentence}`);
  run.observe({
    kind: 'auth-map',
    node,
    entries: entries.map(({ key, expirationMs }) => ({
      localIdentity: key.localIdentity,
      remoteIdentity: key.remoteIdentity,
      remoteNodeId: key.remoteNodeId,
      expirationMs,
    })),
    handshakes: handshakes.map(({ number, reason, result }) => ({ number, reason, result })),
  });
  if (action.expectEntry === undefined) return;
  const local = run.facts.identities[action.expectEntry.local];
  const remote = run.facts.identities[action.expectEntry.remote];
  const found = entries.some(
    (entry) =>
      entry.key.localIdentity === local &&
      entry.key.remoteIdentity === remote &&
      entry.expirationMs > run.simulation.nowMs,
  );
  if (!found)
    run.fail(`expected an auth map entry on ${node} for local ${String(local)} and remote ${String(remote)}`);
}
