/**
 * Checks the cilium-agent makes on its own configuration before it initialises the daemon, and what
 * a failed check does to the agent's pod: the agent logs a fatal line and exits, and the kubelet
 * restarts the container with its crash-loop back-off, so the node's CNI never becomes ready.
 */
import type { World } from '../world';
import { requireCluster, schedule } from '../world';
import { getObject } from '../k8s/api-store';
import { apiPut } from '../k8s/api-writes';
import { toTimestamp } from '../engine/virtual-time';
import type { CiliumConfig } from './config';
import type { AgentState } from './state';

/**
 * The fatal message the agent exits with for this configuration, or undefined when it starts.
 *
 * Up to 1.13 WireGuard and the L7 proxy used the same skb mark bits, and the agent refuses the pair:
 * cilium/cilium v1.12.0 daemon/cmd/daemon_main.go (the `EnableWireguard` switch before
 * `wireguard.NewAgent`) calls log.Fatalf with this text. Commit aa7ab0b ("daemon: Drop L7 check for
 * WireGuard", first released in 1.14) removed the check; cilium-cli therefore sets `l7Proxy=false`
 * with WireGuard for charts below 1.14 (cilium-cli install/helm.go).
 */
export function agentStartRefusal(config: CiliumConfig): string | undefined {
  if (config.encryption === 'wireguard' && config.l7Proxy && config.versionMinor <= 13)
    return 'Wireguard (--enable-wireguard) is not compatible with L7 proxy (--enable-l7-proxy)';
  return undefined;
}

/** The kubelet's crash-loop back-off: 10 s, doubling, at most 5 minutes (kubelet's MaxContainerBackOff). */
export function crashLoopBackOffMs(failures: number): number {
  return Math.min(10_000 * 2 ** Math.max(0, failures - 1), 300_000);
}

/**
 * One failed start: the agent stays down, its pod shows the container waiting in CrashLoopBackOff
 * with one more restart, and the kubelet tries again after the back-off.
 */
export function failAgentStart(world: World, agent: AgentState, message: string): void {
  const cluster = requireCluster(world);
  const failures = (agent.startFailure?.failures ?? 0) + 1;
  agent.startFailure = { message, failures };
  const pod = getObject(cluster.api, 'Pod', `kube-system/${agent.podName}`);
  if (pod !== undefined) {
    const next = structuredClone(pod);
    const now = toTimestamp(world.timeMs);
    next.status.conditions = (pod.status.conditions ?? []).map((condition) =>
      condition.type === 'Ready' || condition.type === 'ContainersReady'
        ? { ...condition, status: 'False', lastTransitionTime: now }
        : condition,
    );
    next.status.containerStatuses = (pod.status.containerStatuses ?? []).map((status) => ({
      ...status,
      ready: false,
      started: false,
      restartCount: failures,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
    }));
    apiPut(world, next);
  }
  schedule(world, crashLoopBackOffMs(failures), { type: 'agent.start', node: agent.node });
}
