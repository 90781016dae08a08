/**
 * The blast-radius lab's actions, on top of simulation inputs: a tenant's CiliumEnvoyConfig applied
 * and deleted, a client that keeps calling the tenant's Service until its node's Envoy has no free
 * worker, a restart of that Envoy, probes of every pod of a workload, and the comparison of who
 * shares a proxy with the faulty filter under Cilium, an Istio sidecar and an ambient waypoint.
 */
import { getObject } from '../../k8s/api-store';
import { podsWithLabels, runningPods } from '../../queries';
import { envoyWorkerThreads, isStalledOutcome, stuckWorkers } from '../../cilium/envoy';
import {
  podsSharingFaultyProxy,
  proxiedPods,
  proxyArchitectures,
  type FaultyExtension,
} from '../../cilium/envoy-blast-radius';
import { curlObservation } from '../observations';
import { commandMs, type ScenarioRun } from '../run';
import type { ActionOf } from '../types';
import { curlPrinted } from '../curl-reading';
import { curlFrom, describeSelector } from './l7';

/** The node recorded as the one whose Envoy the filter pinned, while some of its workers are stuck. */
function faultyNode(run: ScenarioRun): string | undefined {
  const node = run.facts.stuckEnvoyNode;
  return node !== undefined && stuckWorkers(run.cluster, node).length > 0 ? node : undefined;
}

export function curlUntilEnvoyStuck(run: ScenarioRun, action: ActionOf<'curl-until-envoy-stuck'>): void {
  const client = run.firstPod(action.from);
  const node = client?.spec.nodeName;
  if (client === undefined || node === undefined) {
    run.fail(`no running pod with ${describeSelector(action.from)}`);
    return;
  }
  run.facts.stuckEnvoyNode = node;
  let sent = 0;
  while (sent < action.maxRequests && stuckWorkers(run.cluster, node).length < envoyWorkerThreads) {
    sent += 1;
    const outcome = curlFrom(run, client, action.host, action.port, action.path, action.timeoutMs);
    run.say(
      `kubectl -n ${client.metadata.namespace ?? 'default'} exec ${client.metadata.name} -- curl -s --max-time ${action.timeoutMs / 1000} http://${action.host}:${action.port}${action.path} → ${curlPrinted(outcome, action.timeoutMs)}`,
    );
    // The last reason is the Envoy's: which worker took the connection and why it never answered.
    const envoyReason =
      outcome !== undefined && isStalledOutcome(outcome) ? outcome.explanation.at(-1) : undefined;
    if (envoyReason !== undefined) run.say(`  · ${envoyReason}`);
    if (outcome !== undefined && isStalledOutcome(outcome) && outcome.stalledProxy.config !== '')
      run.facts.faultyEnvoyConfig = outcome.stalledProxy.config;
    run.observe(
      curlObservation(
        { from: client.metadata.name, to: action.host, port: action.port, path: action.path },
        outcome,
      ),
    );
  }
  const stuck = stuckWorkers(run.cluster, node).length;
  run.say(`${node}'s Envoy: ${stuck} of its ${envoyWorkerThreads} workers stuck after ${sent} request(s).`);
  run.observe({
    kind: 'envoy-stuck',
    node,
    stuckWorkers: stuck,
    workers: envoyWorkerThreads,
    requests: sent,
  });
  if (stuck < envoyWorkerThreads) run.fail(`only ${stuck} of ${envoyWorkerThreads} workers are stuck`);
}

export function probePods(run: ScenarioRun, action: ActionOf<'probe-pods'>): void {
  const faulty = faultyNode(run);
  for (const probe of action.probes) {
    const client = run.firstPod(probe.from);
    if (client === undefined) {
      run.fail(`no running pod with ${describeSelector(probe.from)}`);
      continue;
    }
    const app = probe.to.labels.app ?? Object.values(probe.to.labels)[0] ?? '?';
    const expected = action.expect[app];
    for (const server of runningPods(podsWithLabels(run.world, probe.to.labels, probe.to.namespace))) {
      const address = server.status.podIP ?? '';
      const outcome = curlFrom(run, client, address, action.port, action.path, action.timeoutMs);
      const onFaulty = faulty !== undefined && server.spec.nodeName === faulty;
      const answered = outcome?.kind === 'response';
      run.say(
        `${client.metadata.name} → ${server.metadata.name} (${address} on ${server.spec.nodeName ?? '?'}${onFaulty ? ', the stuck Envoy' : ''}): ${answered ? `HTTP ${outcome.response.status}` : curlPrinted(outcome, action.timeoutMs)}`,
      );
      run.observe(
        curlObservation(
          { from: client.metadata.name, to: address, port: action.port, path: action.path },
          outcome,
          {
            server: {
              pod: server.metadata.name,
              node: server.spec.nodeName ?? '?',
              behindStuckEnvoy: onFaulty,
            },
          },
        ),
      );
      if (expected === undefined) continue;
      const wanted = onFaulty ? expected.onFaultyNode : expected.elsewhere;
      if ((wanted === 'answers') !== answered)
        run.fail(`${server.metadata.name} should ${wanted === 'answers' ? 'answer' : 'time out'}`);
    }
  }
}

export function compareProxyBlastRadius(
  run: ScenarioRun,
  action: ActionOf<'compare-proxy-blast-radius'>,
): void {
  const node = run.facts.stuckEnvoyNode;
  const key = run.facts.faultyEnvoyConfig;
  const config = key === undefined ? undefined : run.cluster.envoy?.configs?.[key];
  if (node === undefined || config === undefined) {
    run.fail('no filter has pinned an Envoy worker');
    return;
  }
  const fault: FaultyExtension = {
    node,
    namespace: config.namespace,
    services: config.services.filter((service) => service.namespace === config.namespace).map((s) => s.name),
  };
  const pods = proxiedPods(run.cluster);
  const descriptions = {
    'cilium-node-envoy': `Cilium (one Envoy per node, ${node})`,
    'istio-sidecar': `Istio sidecars (the filter in the sidecars of ${fault.services.join(', ')})`,
    'istio-ambient-waypoint': `Istio ambient (the filter in a waypoint for namespace ${fault.namespace})`,
  } as const;
  run.say(
    `The same ${pods.length} pods, ${pods.filter((pod) => pod.l7).length} of them behind a Cilium HTTP rule; whose traffic passes a proxy that runs the looping filter:`,
  );
  for (const architecture of proxyArchitectures) {
    const affected = podsSharingFaultyProxy(pods, architecture, fault);
    const namespaces = new Set(affected.map((pod) => pod.namespace));
    const names = affected.map((pod) => `${pod.namespace}/${pod.name}@${pod.node}`);
    run.say(
      `  ${descriptions[architecture]}: ${affected.length} pod(s) in ${namespaces.size} namespace(s): ${names.join(', ') || 'none'}`,
    );
    run.observe({ kind: 'blast-radius', architecture, pods: names, namespaces: namespaces.size });
    const expected = action.expect[architecture];
    if (affected.length !== expected.pods || namespaces.size !== expected.namespaces)
      run.fail(
        `${architecture}: expected ${expected.pods} pod(s) in ${expected.namespaces} namespace(s), found ${affected.length} in ${namespaces.size}`,
      );
  }
}

export function applyEnvoyConfig(run: ScenarioRun, action: ActionOf<'apply-envoy-config'>): void {
  run.simulation.advance(commandMs);
  const result = run.input({ type: 'envoy.config.apply', config: action.config });
  if (!result.ok) return;
  const stored = run.cluster.envoy?.configs?.[`${action.config.namespace}/${action.config.name}`];
  run.say(`kubectl apply -f ${action.file}: ciliumenvoyconfig.cilium.io/${action.config.name} created`);
  if (stored?.refusal !== undefined) run.say(`  · ${stored.refusal}`);
  const services = stored?.services.map((service) => `${service.namespace}/${service.name}`).join(', ') ?? '';
  for (const listener of stored?.listeners ?? [])
    run.say(
      `  · Every node's Envoy gets the listener ${listener.qualifiedName} on proxy port ${listener.port}; the datapath sends connections to ${services} there, on the client's node.`,
    );
  run.observe({
    kind: 'envoy-config-applied',
    name: action.config.name,
    listeners: (stored?.listeners ?? []).map((listener) => ({
      name: listener.qualifiedName,
      port: listener.port,
    })),
    ...(stored?.refusal === undefined ? {} : { refusal: stored.refusal }),
  });
}

export function deleteEnvoyConfig(run: ScenarioRun, action: ActionOf<'delete-envoy-config'>): void {
  run.simulation.advance(commandMs);
  const result = run.input({ type: 'envoy.config.delete', namespace: action.namespace, name: action.name });
  if (!result.ok) return;
  run.say(
    `kubectl -n ${action.namespace} delete ciliumenvoyconfig ${action.name}: ciliumenvoyconfig.cilium.io "${action.name}" deleted`,
  );
  const node = run.facts.stuckEnvoyNode;
  const stuck = node === undefined ? undefined : stuckWorkers(run.cluster, node).length;
  if (node !== undefined)
    run.say(
      `  · The agents remove the listener, but ${stuck} of ${node}'s ${envoyWorkerThreads} Envoy workers are still inside the loop and never see the change.`,
    );
  run.observe({
    kind: 'envoy-config-deleted',
    name: action.name,
    ...(stuck === undefined ? {} : { stuckWorkers: stuck }),
  });
}

export function restartEnvoy(run: ScenarioRun): void {
  const node = run.facts.stuckEnvoyNode;
  const agent = node === undefined ? undefined : run.cluster.cilium?.agents[node];
  if (node === undefined || agent === undefined) {
    run.fail('no Envoy was recorded as stuck');
    return;
  }
  run.simulation.advance(commandMs);
  const result = run.input({ type: 'envoy.restart', node });
  if (!result.ok) return;
  const pod = getObject(run.cluster.api, 'Pod', `kube-system/${agent.podName}`);
  const stuck = stuckWorkers(run.cluster, node).length;
  run.say(
    `The cilium-envoy process in ${pod?.metadata.name ?? agent.podName} on ${node} is killed; the agent starts a new one and pushes its listeners again: ${stuck} of ${envoyWorkerThreads} workers stuck.`,
  );
  run.observe({ kind: 'envoy-restarted', node, stuckWorkers: stuck });
}
