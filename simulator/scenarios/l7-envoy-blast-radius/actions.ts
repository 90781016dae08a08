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
import type { ScenarioAction } from '../types';
import { curlFrom, curlText, describeSelector, firstPod, type ActionRun } from '../l7-cilium/actions';

/** The action kinds handled here. */
export type EnvoyLabAction = Extract<
  ScenarioAction,
  {
    do:
      | 'apply-envoy-config'
      | 'delete-envoy-config'
      | 'curl-until-envoy-stuck'
      | 'restart-envoy'
      | 'probe-pods'
      | 'compare-proxy-blast-radius';
  }
>;

const envoyActionKinds = new Set<string>([
  'apply-envoy-config',
  'delete-envoy-config',
  'curl-until-envoy-stuck',
  'restart-envoy',
  'probe-pods',
  'compare-proxy-blast-radius',
]);

/** Whether an action is one of this module's. */
export function isEnvoyLabAction(action: ScenarioAction): action is EnvoyLabAction {
  return envoyActionKinds.has(action.do);
}

const commandMs = 150;

/** The node recorded as the one whose Envoy the filter pinned, while some of its workers are stuck. */
function faultyNode(run: ActionRun): string | undefined {
  const node = run.recorded.ENVOY_NODE;
  return typeof node === 'string' && stuckWorkers(run.cluster, node).length > 0 ? node : undefined;
}

function curlUntilStuck(
  run: ActionRun,
  action: Extract<EnvoyLabAction, { do: 'curl-until-envoy-stuck' }>,
): void {
  const client = firstPod(run, action.from);
  const node = client?.spec.nodeName;
  if (client === undefined || node === undefined) {
    run.fail(`no running pod with ${describeSelector(action.from)}`);
    return;
  }
  run.recorded.ENVOY_NODE = node;
  let sent = 0;
  while (sent < action.maxRequests && stuckWorkers(run.cluster, node).length < envoyWorkerThreads) {
    sent += 1;
    const outcome = curlFrom(run, client, action.host, action.port, action.path, action.timeoutMs);
    run.say(
      `kubectl -n ${client.metadata.namespace ?? 'default'} exec ${client.metadata.name} -- curl -s --max-time ${action.timeoutMs / 1000} http://${action.host}:${action.port}${action.path} → ${curlText(outcome, action.timeoutMs)}`,
    );
    // The last reason is the Envoy's: which worker took the connection and why it never answered.
    const envoyReason =
      outcome !== undefined && isStalledOutcome(outcome) ? outcome.explanation.at(-1) : undefined;
    if (envoyReason !== undefined) run.say(`  · ${envoyReason}`);
    if (outcome !== undefined && isStalledOutcome(outcome) && outcome.stalledProxy.config !== '')
      run.recorded.FAULTY_CONFIG = outcome.stalledProxy.config;
  }
  const stuck = stuckWorkers(run.cluster, node).length;
  run.say(`${node}'s Envoy: ${stuck} of its ${envoyWorkerThreads} workers stuck after ${sent} request(s).`);
  if (stuck < envoyWorkerThreads) run.fail(`only ${stuck} of ${envoyWorkerThreads} workers are stuck`);
}

function probePods(run: ActionRun, action: Extract<EnvoyLabAction, { do: 'probe-pods' }>): void {
  const faulty = faultyNode(run);
  for (const probe of action.probes) {
    const client = firstPod(run, probe.from);
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
        `${client.metadata.name} → ${server.metadata.name} (${address} on ${server.spec.nodeName ?? '?'}${onFaulty ? ', the stuck Envoy' : ''}): ${answered ? `HTTP ${outcome.response.status}` : curlText(outcome, action.timeoutMs)}`,
      );
      if (expected === undefined) continue;
      const wanted = onFaulty ? expected.onFaultyNode : expected.elsewhere;
      if ((wanted === 'answers') !== answered)
        run.fail(`${server.metadata.name} should ${wanted === 'answers' ? 'answer' : 'time out'}`);
    }
  }
}

function compareBlastRadius(
  run: ActionRun,
  action: Extract<EnvoyLabAction, { do: 'compare-proxy-blast-radius' }>,
): void {
  const node = run.recorded.ENVOY_NODE;
  const key = run.recorded.FAULTY_CONFIG;
  const config = typeof key === 'string' ? run.cluster.envoy?.configs?.[key] : undefined;
  if (typeof node !== 'string' || config === undefined) {
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
    run.say(
      `  ${descriptions[architecture]}: ${affected.length} pod(s) in ${namespaces.size} namespace(s): ${affected.map((pod) => `${pod.namespace}/${pod.name}@${pod.node}`).join(', ') || 'none'}`,
    );
    const expected = action.expect[architecture];
    if (affected.length !== expected.pods || namespaces.size !== expected.namespaces)
      run.fail(
        `${architecture}: expected ${expected.pods} pod(s) in ${expected.namespaces} namespace(s), found ${affected.length} in ${namespaces.size}`,
      );
  }
}

/** Runs one of this module's actions. */
export function runEnvoyLabAction(run: ActionRun, action: EnvoyLabAction): void {
  switch (action.do) {
    case 'apply-envoy-config': {
      run.simulation.advance(commandMs);
      const result = run.input({ type: 'envoy.config.apply', config: action.config });
      if (!result.ok) return;
      const stored = run.cluster.envoy?.configs?.[`${action.config.namespace}/${action.config.name}`];
      run.say(`kubectl apply -f ${action.file}: ciliumenvoyconfig.cilium.io/${action.config.name} created`);
      if (stored?.refusal !== undefined) run.say(`  · ${stored.refusal}`);
      for (const listener of stored?.listeners ?? [])
        run.say(
          `  · Every node's Envoy gets the listener ${listener.qualifiedName} on proxy port ${listener.port}; the datapath sends connections to ${stored?.services.map((service) => `${service.namespace}/${service.name}`).join(', ') ?? ''} there, on the client's node.`,
        );
      return;
    }
    case 'delete-envoy-config': {
      run.simulation.advance(commandMs);
      const result = run.input({
        type: 'envoy.config.delete',
        namespace: action.namespace,
        name: action.name,
      });
      if (!result.ok) return;
      run.say(
        `kubectl -n ${action.namespace} delete ciliumenvoyconfig ${action.name}: ciliumenvoyconfig.cilium.io "${action.name}" deleted`,
      );
      const node = run.recorded.ENVOY_NODE;
      if (typeof node === 'string')
        run.say(
          `  · The agents remove the listener, but ${stuckWorkers(run.cluster, node).length} of ${node}'s ${envoyWorkerThreads} Envoy workers are still inside the loop and never see the change.`,
        );
      return;
    }
    case 'curl-until-envoy-stuck':
      curlUntilStuck(run, action);
      return;
    case 'restart-envoy': {
      const node = run.recorded.ENVOY_NODE;
      const agent = typeof node === 'string' ? run.cluster.cilium?.agents[node] : undefined;
      if (typeof node !== 'string' || agent === undefined) {
        run.fail('no Envoy was recorded as stuck');
        return;
      }
      run.simulation.advance(commandMs);
      const result = run.input({ type: 'envoy.restart', node });
      if (!result.ok) return;
      const pod = getObject(run.cluster.api, 'Pod', `kube-system/${agent.podName}`);
      run.say(
        `The cilium-envoy process in ${pod?.metadata.name ?? agent.podName} on ${node} is killed; the agent starts a new one and pushes its listeners again: ${stuckWorkers(run.cluster, node).length} of ${envoyWorkerThreads} workers stuck.`,
      );
      return;
    }
    case 'probe-pods':
      probePods(run, action);
      return;
    case 'compare-proxy-blast-radius':
      compareBlastRadius(run, action);
      return;
  }
}
