/**
 * The cilium-agent as the pod of DaemonSet `cilium` runs it: when the kubelet starts the container
 * the agent boots, reads cilium-config (the ConfigMap the chart renders, mounted as its config
 * directory) and either starts, restoring what an earlier agent on the node left, or logs a fatal
 * line and exits, which the kubelet answers with CrashLoopBackOff. The pod turns Ready once the
 * agent runs (its readiness probe). When the container stops, the agent stops with it.
 */
import { nextIntBetween } from '../engine/prng';
import { canonicalJson } from '../engine/state-hash';
import { getObject } from '../k8s/api-store';
import type { Pod } from '../k8s/objects';
import { reportPodStatus } from '../k8s/pod-status';
import type { Sandbox, World } from '../world';
import { requireCluster, schedule } from '../world';
import { newAgentState, startAgent, stopAgent } from './agent';
import { restoreEndpoints, restoreWaitMs, templateCompileMs } from './cni';
import { agentConfigFromConfigMap } from './chart-config';
import { parseCiliumVersion, type CiliumConfig } from './config';
import { agentLogLine, type LogLevel } from './agent-log';
import { enableMutualAuth } from './install';

/** Whether a pod runs a cilium-agent (the chart's DaemonSet labels its pods k8s-app=cilium). */
function isAgentPod(pod: Pod): boolean {
  return pod.metadata.labels?.['k8s-app'] === 'cilium' && pod.spec.containers[0]?.name === 'cilium-agent';
}

/** The Cilium version of an agent image: `quay.io/cilium/cilium:v1.12.0@sha256:…` → `1.12.0`. */
export function imageVersion(image: string): string | undefined {
  return /:v(\d+\.\d+\.\d+)/.exec(image)?.[1];
}

/** How long a cilium-agent takes from container start to a running daemon. */
const bootMinMs = 2500;
const bootMaxMs = 6000;

/** The kubelet started a container: for a cilium-agent pod the agent begins to boot. */
export function agentContainerStarted(world: World, nodeName: string, sandbox: Sandbox, pod: Pod): void {
  const cilium = world.cluster?.cilium;
  if (cilium === undefined || !isAgentPod(pod)) return;
  const agent = (cilium.agents[nodeName] ??= newAgentState(nodeName));
  agent.podName = pod.metadata.name;
  agent.podUid = pod.metadata.uid;
  // The readiness probe fails until the daemon runs.
  sandbox.notReady = true;
  schedule(world, nextIntBetween(world.random, bootMinMs, bootMaxMs), {
    type: 'agent.start',
    node: nodeName,
    podUid: pod.metadata.uid,
  });
}

/** The kubelet stopped a container: the agent of that pod stops. */
export function agentContainerStopped(world: World, nodeName: string, sandbox: Sandbox): void {
  const agent = world.cluster?.cilium?.agents[nodeName];
  if (agent !== undefined && agent.podUid === sandbox.podUid) stopAgent(world, agent);
}

/**
 * The log an agent writes while it boots, at `atMs`, in its release's format (cilium/agent-log.ts):
 * its options (one line per cilium-config key), its banner, and the fatal line of a refused start.
 */
export function bootLog(
  version: string,
  data: Readonly<Record<string, string>>,
  atMs: number,
  fatal?: string,
): string[] {
  const parsed = parseCiliumVersion(version) ?? { major: 1, minor: 18 };
  const release = { versionMajor: parsed.major, versionMinor: parsed.minor };
  const daemon = (msg: string, level: LogLevel = 'info'): string =>
    agentLogLine(release, { atMs, level, msg, fields: [['subsys', 'daemon']] });
  return [
    ...Object.keys(data)
      .sort()
      .map((key) => daemon(`  --${key}='${data[key] ?? ''}'`)),
    daemon(`Cilium ${version}`),
    daemon('Initializing daemon'),
    ...(fatal === undefined ? [] : [daemon(fatal, 'fatal')]),
  ];
}

/** The agent's boot finished: start it with cilium-config, or exit with its fatal line. */
export function bootAgent(world: World, nodeName: string, podUid: string): void {
  const cluster = requireCluster(world);
  const agent = cluster.cilium?.agents[nodeName];
  const node = cluster.nodes[nodeName];
  const sandbox = node?.kubelet.sandboxes[podUid];
  if (agent === undefined || node === undefined || sandbox === undefined || agent.podUid !== podUid) return;
  if (sandbox.state !== 'running' || (sandbox.run !== undefined && sandbox.run.state !== 'running')) return;
  // Without the API server the daemon cannot initialise; it keeps trying.
  if (agent.connection !== 'connected') {
    schedule(world, 5000, { type: 'agent.start', node: nodeName, podUid });
    return;
  }
  const pod = getObject(cluster.api, 'Pod', sandbox.podKey);
  const version = imageVersion(pod?.spec.containers[0]?.image ?? '') ?? cluster.cilium?.config.version ?? '';
  const configMap = getObject(
    cluster.api,
    'ConfigMap',
    `${pod?.metadata.namespace ?? 'kube-system'}/cilium-config`,
  );
  const data = configMap?.data ?? {};
  const result = agentConfigFromConfigMap(version, data);
  if ('fatal' in result) {
    const output = bootLog(version, data, world.timeMs, result.fatal);
    schedule(world, 0, {
      type: 'kubelet.container.exited',
      node: nodeName,
      podUid,
      restartCount: sandbox.run?.restartCount ?? 0,
      exitCode: 1,
      output: `${output.join('\n')}\n`,
    });
    return;
  }
  agent.config = result.config;
  startAgent(world, nodeName);
  // The endpoints an earlier agent left keep the datapath it loaded until they are regenerated, so a
  // changed configuration takes effect then. The readiness probe (/healthz, the status collector's
  // probes) does not wait for that: they start once the daemon's configuration is resolved, before
  // the restore (daemon/cmd/daemon_main.go, pkg/status/cell.go at v1.18), so the pod turns Ready
  // while its endpoints are still restoring.
  if (restoreEndpoints(world, agent) === 0) adoptAgreedConfig(world);
  else
    // A millisecond after the last of them is rebuilt.
    schedule(world, restoreWaitMs + templateCompileMs + 1, {
      type: 'agent.restore.completed',
      node: nodeName,
      podUid,
    });
  sandbox.notReady = false;
  reportPodStatus(world, node, sandbox);
}

/** The agent regenerated the endpoints it restored: the datapath now runs its configuration. */
export function finishRestore(world: World, nodeName: string, podUid: string): void {
  const agent = world.cluster?.cilium?.agents[nodeName];
  if (agent === undefined || agent.podUid !== podUid || !agent.running) return;
  adoptAgreedConfig(world);
}

/**
 * The datapath's configuration follows the agents: once every running agent started with the same
 * configuration, the cluster runs with it (the model keeps one configuration for the datapath,
 * so during a rolling restart that changes it the old one holds until the last agent restarted).
 */
function adoptAgreedConfig(world: World): void {
  const cilium = requireCluster(world).cilium;
  if (cilium === undefined) return;
  let agreed: CiliumConfig | undefined;
  let agreedJson = '';
  for (const agent of Object.values(cilium.agents)) {
    if (!agent.running || agent.config === undefined) continue;
    const json = canonicalJson(agent.config);
    if (agreed === undefined) {
      agreed = agent.config;
      agreedJson = json;
    } else if (json !== agreedJson) return;
  }
  if (agreed === undefined || agreedJson === canonicalJson(cilium.config)) return;
  const previous = cilium.config;
  cilium.config = agreed;
  if (!previous.mutualAuth.spire && agreed.mutualAuth.spire) enableMutualAuth(world, agreed);
}
