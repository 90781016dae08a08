/**
 * `helm install cilium`: the agent DaemonSet (one pod per node, host network) and the operator.
 * Agents come up a few seconds later, each at its own pace, and only then can pods get addresses.
 */
import { nextIntBetween, randomNameSuffix } from '../engine/prng';
import { toTimestamp } from '../engine/virtual-time';
import { apiPut } from '../k8s/api-writes';
import { newMetadata } from '../k8s/metadata';
import type { Pod } from '../k8s/objects';
import type { World } from '../world';
import { requireCluster, schedule } from '../world';
import type { CiliumConfig } from './config';
import { identityGcIntervalMs } from './identity-allocation';
import { createSharedView, sharedViewId } from './views';
import type { AgentState } from './state';
import { installSpire } from './spire-model';
import { ciliumChartRbac } from './chart-rbac';

function systemPod(
  world: World,
  name: string,
  labels: Record<string, string>,
  nodeName: string,
  image: string,
  container: string,
): Pod {
  const metadata = newMetadata(world, name, 'kube-system', labels);
  const nodeIP = requireCluster(world).nodes[nodeName]?.internalIP ?? '';
  const now = toTimestamp(world.timeMs);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec: {
      containers: [{ name: container, image }],
      nodeName,
      hostNetwork: true,
      serviceAccountName: 'cilium',
      terminationGracePeriodSeconds: 1,
    },
    status: {
      phase: 'Running',
      hostIP: nodeIP,
      podIP: nodeIP,
      podIPs: [{ ip: nodeIP }],
      startTime: now,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
      containerStatuses: [
        {
          name: container,
          image,
          ready: true,
          restartCount: 0,
          started: true,
          state: { running: { startedAt: now } },
        },
      ],
    },
  };
}

/** Installs Cilium into the cluster. */
export function installCilium(world: World, config: CiliumConfig): void {
  const cluster = requireCluster(world);
  if (cluster.cilium !== undefined) throw new Error('cannot re-use a name that is still in use');
  const agents: Record<string, AgentState> = {};
  cluster.cilium = {
    config,
    agents,
    views: {},
    nextViewNumber: 1,
    operatorPodNames: [],
    flows: [],
    nextFlowNumber: 1,
  };
  // The chart's ServiceAccounts and RBAC come before its workloads (cilium/chart-rbac.ts).
  for (const object of ciliumChartRbac(world)) apiPut(world, object);
  const image = `quay.io/cilium/cilium:v${config.version}`;
  for (const nodeName of Object.keys(cluster.nodes).sort()) {
    const podName = `cilium-${randomNameSuffix(world.random, 5)}`;
    agents[nodeName] = {
      node: nodeName,
      podName,
      viewId: sharedViewId,
      connection: 'connected',
      running: false,
      routerIP: '',
      healthIP: '',
      endpoints: {},
      ipToEndpoint: {},
      pendingLabelResolution: {},
      orphanedCiliumEndpoints: {},
      notes: [],
    };
    apiPut(
      world,
      systemPod(
        world,
        podName,
        { 'k8s-app': 'cilium', 'app.kubernetes.io/name': 'cilium-agent' },
        nodeName,
        image,
        'cilium-agent',
      ),
    );
    schedule(world, nextIntBetween(world.random, 2500, 6000), { type: 'agent.start', node: nodeName });
  }
  const hash = randomNameSuffix(world.random, 10);
  const workers = Object.values(cluster.nodes)
    .filter((node) => node.role === 'worker')
    .map((node) => node.name)
    .sort();
  const operatorNodes = workers.length > 0 ? workers.slice(0, 2) : Object.keys(cluster.nodes).slice(0, 1);
  for (const nodeName of operatorNodes) {
    const podName = `cilium-operator-${hash}-${randomNameSuffix(world.random, 5)}`;
    cluster.cilium.operatorPodNames.push(podName);
    apiPut(
      world,
      systemPod(
        world,
        podName,
        { 'io.cilium/app': 'operator', name: 'cilium-operator' },
        nodeName,
        `quay.io/cilium/operator-generic:v${config.version}`,
        'cilium-operator',
      ),
    );
  }
  // The shared view starts from a full list, as each agent's informers do.
  const view = createSharedView(world);
  cluster.cilium.views[view.id] = view;
  schedule(world, identityGcIntervalMs, { type: 'operator.identity.gc' });
  // Mutual authentication (1.14+): SPIRE when the chart installs it, and each agent's auth map GC.
  // Without SPIRE no handshake can succeed, so the auth maps stay empty and their GC has nothing to do.
  if (config.mutualAuth.spire) {
    cluster.cilium.mutualAuth = { nodes: {}, handshakes: [], nextHandshakeNumber: 1 };
    if (config.mutualAuth.spireInstall) cluster.cilium.spire = installSpire(world, config);
    schedule(world, config.mutualAuth.gcIntervalMs, { type: 'auth.gc' });
  }
}
