/**
 * Actions that build and drive the cluster as a reader's setup commands would: `kind create
 * cluster`, `helm install cilium`, `kubectl apply`, waiting for rollouts, `kubectl scale`, and
 * letting time pass.
 */
import { ciliumExampleAt } from '../../cilium/example-manifests';
import { parseManifests } from '../../k8s/manifests';
import { customKinds } from '../../k8s/extension-points';
import { formatApplyOutcome } from '../../k8s/apply';
import { formatDuration } from '../../engine/virtual-time';
import { daemonSetRolledOut, podsWithLabels } from '../../queries';
import { commandMs, type ScenarioRun } from '../run';
import type { ActionOf } from '../types';

export function createCluster(run: ScenarioRun, action: ActionOf<'create-cluster'>): void {
  const nodes: { role: 'control-plane' | 'worker' }[] = [{ role: 'control-plane' }];
  for (let i = 0; i < action.workers; i++) nodes.push({ role: 'worker' });
  run.input({
    type: 'kind.cluster.create',
    config: {
      name: 'kind',
      nodes,
      disableDefaultCNI: action.disableDefaultCNI,
      podSubnet: '10.244.0.0/16',
      serviceSubnet: '10.96.0.0/16',
    },
  });
  run.simulation.advance(20_000);
  const created = Object.values(run.cluster.nodes).map((node) => ({
    name: node.name,
    internalIP: node.internalIP,
    podCIDR: node.podCIDR,
  }));
  run.say(
    `Created kind cluster: ${created.map((node) => `${node.name} ${node.internalIP} (pods ${node.podCIDR})`).join(', ')}.`,
  );
  run.observe({ kind: 'cluster-created', nodes: created });
}

export function installCilium(run: ScenarioRun, action: ActionOf<'install-cilium'>): void {
  const version = run.variant.ciliumVersion ?? action.version;
  const values = { ...action.values, ...run.variant.helmValues };
  const result = run.input({ type: 'cilium.install', request: { version, values } });
  if (!result.ok) return;
  const config = run.cluster.cilium?.config;
  run.say(
    `Installed Cilium ${config?.version ?? version}: routing ${config?.routingMode ?? '?'}, encryption ${config?.encryption ?? '?'}, ipam ${config?.ipamMode ?? '?'}.`,
  );
  const warnings = result.warnings ?? [];
  for (const warning of warnings) run.say(`helm warning: ${warning}`);
  run.observe({
    kind: 'cilium-installed',
    version: config?.version ?? version,
    routingMode: config?.routingMode ?? '?',
    encryption: config?.encryption ?? '?',
    ipamMode: config?.ipamMode ?? '?',
    warnings: [...warnings],
  });
}

/**
 * `helm install cilium cilium/cilium --version V --namespace kube-system`: the same request the
 * terminal's helm makes (terminal/helm-cli.ts), so the release is there for a later `helm upgrade`.
 */
export function helmInstallCilium(run: ScenarioRun, action: ActionOf<'helm-install-cilium'>): void {
  const version = run.variant.ciliumVersion ?? action.version;
  const values = { ...action.values, ...run.variant.helmValues };
  const result = run.input({
    type: 'helm.install',
    request: {
      release: 'cilium',
      namespace: 'kube-system',
      chart: 'cilium/cilium',
      version,
      values,
      valuesGiven: Object.keys(values).length > 0,
    },
  });
  if (!result.ok) return;
  run.simulation.advance(3_000);
  const sets = Object.entries(values).map(([key, value]) => ` --set ${key}=${value}`);
  run.say(`helm install cilium cilium/cilium --version ${version} --namespace kube-system${sets.join('')}`);
  for (const warning of result.warnings ?? []) run.say(`helm warning: ${warning}`);
  const config = run.cluster.cilium?.config;
  run.observe({
    kind: 'cilium-installed',
    version: config?.version ?? version,
    routingMode: config?.routingMode ?? '?',
    encryption: config?.encryption ?? '?',
    ipamMode: config?.ipamMode ?? '?',
    warnings: [...(result.warnings ?? [])],
  });
}

export function waitCiliumReady(run: ScenarioRun): void {
  // As `kubectl -n kube-system rollout status ds/cilium`: every agent pod updated and available.
  const ready = run.simulation.advanceUntil(
    (world) => {
      const daemonSet = world.cluster?.api.objects.DaemonSet?.['kube-system/cilium'];
      return (
        daemonSet?.kind === 'DaemonSet' &&
        daemonSetRolledOut(daemonSet) &&
        Object.values(world.cluster?.cilium?.agents ?? {}).every((agent) => agent.running)
      );
    },
    60_000,
    500,
  );
  const agents = Object.keys(run.world.cluster?.cilium?.agents ?? {}).length;
  if (!ready) run.fail('cilium agents did not start');
  else
    run.say(`All ${agents} cilium agents are running (DaemonSet cilium rolled out); the nodes turn Ready.`);
  run.observe({ kind: 'agents-ready', ready, agents });
}

export function apply(run: ScenarioRun, action: ActionOf<'apply'>): void {
  const text = run.file(action.file);
  if (text === undefined) {
    run.fail(`the scenario has no file ${action.file}`);
    return;
  }
  const parsed = parseManifests(text, {
    ciliumVersion: run.world.cluster?.cilium?.config.version,
    kinds: customKinds(run.world),
  });
  for (const error of parsed.errors) run.fail(error);
  run.simulation.advance(commandMs);
  const result = run.input({ type: 'api.apply', objects: parsed.objects });
  if (!result.ok) return;
  const kinds = customKinds(run.world);
  const objects = (result.applied ?? []).map((outcome) => formatApplyOutcome(outcome, kinds));
  run.say(`kubectl apply -f ${action.file}: ${objects.join(', ')}`);
  run.observe({ kind: 'applied', file: action.file, objects });
}

/** `kubectl apply -f` of a cilium/cilium example by its raw.githubusercontent.com URL. */
export function applyExample(run: ScenarioRun, action: ActionOf<'apply-example'>): void {
  const text = ciliumExampleAt(action.url);
  if (text === undefined) {
    run.fail(`the simulated machine does not serve ${action.url}`);
    return;
  }
  const parsed = parseManifests(text, {
    ciliumVersion: run.world.cluster?.cilium?.config.version,
    kinds: customKinds(run.world),
  });
  for (const error of parsed.errors) run.fail(error);
  run.simulation.advance(commandMs);
  const result = run.input({ type: 'api.apply', objects: parsed.objects });
  if (!result.ok) return;
  const kinds = customKinds(run.world);
  const objects = (result.applied ?? []).map((outcome) => formatApplyOutcome(outcome, kinds));
  run.say(`kubectl apply -f ${action.url}: ${objects.join(', ')}`);
  run.observe({ kind: 'applied', file: action.url, objects });
}

export function waitRollouts(run: ScenarioRun): void {
  const settled = run.waitSettled(180_000);
  run.say(`Every deployment is rolled out (virtual time ${formatDuration(run.simulation.elapsedMs)}).`);
  run.observe({ kind: 'rolled-out', settled, elapsedMs: run.simulation.elapsedMs });
}

export function scale(run: ScenarioRun, action: ActionOf<'scale'>): void {
  run.simulation.advance(commandMs);
  const result = run.input({
    type: 'deployment.scale',
    key: `default/${action.deployment}`,
    replicas: action.replicas,
  });
  if (!result.ok) return;
  run.say(`kubectl scale deploy ${action.deployment} --replicas=${action.replicas}`);
  run.observe({ kind: 'scaled', deployment: action.deployment, replicas: action.replicas });
}

export function wait(run: ScenarioRun, action: ActionOf<'wait'>): void {
  run.simulation.advance(action.ms);
}

/** `kubectl delete pod -n NS -l …`: the pods go, and their Deployment or DaemonSet starts new ones. */
export function deletePods(run: ScenarioRun, action: ActionOf<'delete-pods'>): void {
  run.simulation.advance(commandMs);
  const pods = podsWithLabels(run.world, action.of.labels, action.of.namespace).filter(
    (pod) => pod.metadata.deletionTimestamp === undefined,
  );
  for (const pod of pods)
    run.input({
      type: 'api.delete',
      kind: 'Pod',
      key: `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`,
    });
  const names = pods.map((pod) => pod.metadata.name);
  const selector = Object.entries(action.of.labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  run.say(
    `kubectl delete pod -n ${action.of.namespace ?? 'default'} -l ${selector}: ${names.join(', ')} deleted`,
  );
  run.observe({ kind: 'pods-deleted', pods: names });
}
