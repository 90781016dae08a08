/**
 * The stale-ipcache experiment's own actions (seed 001): read a node's ipcache and a workload's
 * identity, cut a node off from the API server, recycle pods until a new one takes a recorded
 * address, and check what the cut-off node still believes about that address.
 */
import { formatIpcacheMapGet } from '../../cilium/cli-format';
import { listIpcache, lookupIpcache } from '../../cilium/agent-ipcache';
import { getObject } from '../../k8s/api-store';
import { deploymentRolledOut, podKey, podsWithLabels, trueOwnerOf } from '../../queries';
import { formatDuration } from '../../engine/virtual-time';
import type { FirewallRule, World } from '../../world';
import { commandMs, type ScenarioRun } from '../run';
import type { ActionOf } from '../types';

export function showIpcache(run: ScenarioRun, action: ActionOf<'show-ipcache'>): void {
  const node = run.nodeOf(action.nodeOf);
  const agent = node === undefined ? undefined : run.cluster.cilium?.agents[node];
  if (node === undefined || agent === undefined) {
    run.fail('no node found for the selector');
    return;
  }
  run.facts.focusNode = node;
  run.say(`ipcache of ${agent.podName} on ${node} (cilium map get cilium_ipcache):`);
  for (const line of formatIpcacheMapGet(run.cluster, agent).split('\n')) run.say(`  ${line}`);
  const entries = listIpcache(run.cluster, agent).map((row) => ({
    prefix: row.prefix,
    identity: row.entry.identity,
  }));
  run.observe({ kind: 'ipcache', node, entries });
}

export function recordIdentity(run: ScenarioRun, action: ActionOf<'record-identity'>): void {
  const pods = podsWithLabels(run.world, action.of.labels, action.of.namespace);
  const endpoint = pods
    .map((pod) => getObject(run.cluster.api, 'CiliumEndpoint', podKey(pod)))
    .find((candidate) => candidate !== undefined);
  const identity = endpoint?.status.identity;
  if (identity?.id === undefined) {
    run.fail('no CiliumEndpoint with an identity for the selector');
    return;
  }
  run.facts.identities[action.as] = identity.id;
  run.say(
    `${action.as}=${identity.id}: security identity of ${Object.values(action.of.labels).join('-')}, labels ${identity.labels.join(', ')}.`,
  );
  run.observe({
    kind: 'identity-recorded',
    name: action.as,
    identity: identity.id,
    labels: [...identity.labels],
  });
}

export function cutOff(run: ScenarioRun, action: ActionOf<'cut-off'>): void {
  const node = run.nodeOf(action.nodeOf);
  if (node === undefined) {
    run.fail('no node found for the selector');
    return;
  }
  run.facts.focusNode = node;
  const { clusterIP, endpointIP } = run.cluster.apiServer;
  for (const source of [clusterIP, endpointIP]) {
    const rule: FirewallRule = { table: 'mangle', chain: 'INPUT', protocol: 'tcp', source, target: 'DROP' };
    run.simulation.advance(commandMs);
    run.input({ type: 'node.firewall.insert', node, rule });
    run.say(`docker exec ${node} iptables -t mangle -I INPUT -p tcp -s ${source} -j DROP`);
  }
  const agent = run.cluster.cilium?.agents[node];
  for (const note of agent?.notes.slice(-1) ?? []) run.say(note.text);
  run.observe({ kind: 'cut-off', node, droppedSources: [clusterIP, endpointIP] });
}

export function recordAddresses(run: ScenarioRun, action: ActionOf<'record-addresses'>): void {
  const addresses = podsWithLabels(run.world, action.of.labels, action.of.namespace).flatMap((pod) =>
    pod.status.podIP === undefined ? [] : [pod.status.podIP],
  );
  run.facts.addressSets[action.as] = addresses;
  run.say(`${action.as}: ${addresses.length} addresses (${addresses.join(' ')}).`);
  run.observe({ kind: 'addresses-recorded', name: action.as, addresses: [...addresses] });
}

/** Like `kubectl rollout status deployment/NAME`: whether this one Deployment has rolled out. */
function rolledOut(deploymentName: string): (world: Readonly<World>) => boolean {
  return (world) => {
    const deployment =
      world.cluster === undefined
        ? undefined
        : getObject(world.cluster.api, 'Deployment', `default/${deploymentName}`);
    return deployment !== undefined && deploymentRolledOut(deployment);
  };
}

export function restartUntilReuse(run: ScenarioRun, action: ActionOf<'restart-until-reuse'>): void {
  const addresses = run.facts.addressSets[action.addresses] ?? [];
  const [app = '', version = ''] = action.deployment.split('-');
  for (let restarts = 0; ; restarts++) {
    run.simulation.advance(commandMs * addresses.length);
    const match = podsWithLabels(run.world, { app, version }).find(
      (pod) => pod.status.podIP !== undefined && addresses.includes(pod.status.podIP),
    );
    if (match !== undefined) {
      const address = match.status.podIP ?? '';
      run.facts.pods[action.as] = match.metadata.name;
      run.facts.reusedAddress = address;
      run.facts.restarts = restarts;
      run.say(
        `Found ${action.deployment} pod ${match.metadata.name} ip ${address} after ${restarts} restart${restarts === 1 ? '' : 's'} (virtual time ${formatDuration(run.simulation.elapsedMs)}).`,
      );
      run.observe({
        kind: 'address-reused',
        deployment: action.deployment,
        pod: match.metadata.name,
        address,
        restarts,
      });
      return;
    }
    if (restarts >= action.maxRestarts) {
      run.facts.restarts = restarts;
      run.fail(`no ${action.deployment} pod re-used a recorded address after ${restarts} restarts`);
      run.observe({ kind: 'address-reused', deployment: action.deployment, restarts });
      return;
    }
    run.input({ type: 'deployment.restart', key: `default/${action.deployment}` });
    if (!run.simulation.advanceUntil(rolledOut(action.deployment), 600_000, 1000)) {
      run.fail(`rollout of ${action.deployment} did not finish`);
      return;
    }
  }
}

export function checkStaleEntry(run: ScenarioRun, action: ActionOf<'check-stale-entry'>): void {
  const node = run.nodeOf(action.nodeOf) ?? run.facts.focusNode;
  const agent = node === undefined ? undefined : run.cluster.cilium?.agents[node];
  const podName = run.facts.pods[action.pod];
  const ip = run.facts.reusedAddress;
  const expected = run.facts.identities[action.expectIdentity];
  if (node === undefined || agent === undefined || podName === undefined || ip === undefined) {
    run.fail('nothing to check: no reused address was found');
    return;
  }
  const entry = lookupIpcache(run.cluster, agent, ip);
  const owner = trueOwnerOf(run.world, ip);
  run.say(
    `${node} ipcache: ${ip}/32 identity=${entry.identity} (named ${entry.podName ?? 'unknown'}); really owned by ${owner?.pod ?? 'nobody'} on ${owner?.node ?? '?'}.`,
  );
  run.observe({
    kind: 'ipcache-entry',
    node,
    address: ip,
    identity: entry.identity,
    ...(entry.podName === undefined ? {} : { namedPod: entry.podName }),
    ...(owner === undefined ? {} : { owner }),
  });
  if (entry.identity !== expected)
    run.fail(`expected ${ip} to map to identity ${String(expected)} on ${node}, found ${entry.identity}`);
}
