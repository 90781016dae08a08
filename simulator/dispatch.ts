/**
 * Routes each event to the part of the model that handles it. Handlers change the world in place
 * and schedule follow-up events; they never read the wall clock or global randomness.
 */
import type { SimEvent } from './events';
import type { World } from './world';
import { requireCluster } from './world';
import { createKindCluster } from './k8s/cluster-create';
import { applyObjects, type ApplyOutcome } from './k8s/apply';
import { getObject } from './k8s/api-store';
import type { Deployment } from './k8s/objects';
import { apiPut, apiRemove, dequeueSync } from './k8s/api-writes';
import { requestPodDeletion, syncDeployment, syncReplicaSet } from './k8s/workloads';
import { schedulePod } from './k8s/scheduler';
import { syncEndpoints } from './k8s/endpoints-controller';
import { relistKubelet, renewLease, stepSandbox, syncPod } from './k8s/kubelet';
import { evictPod, monitorNodes } from './k8s/node-lifecycle';
import { resolveCiliumConfig } from './cilium/config';
import { installCilium } from './cilium/install';
import { relistAgent, startAgent, updateApiLink } from './cilium/agent';
import { stepEndpoint } from './cilium/cni';
import { deliverToView } from './cilium/views';
import { collectIdentityGarbage } from './cilium/identity-allocation';
import { toTimestamp } from './engine/virtual-time';
import { requireNextState } from './machines/step';
import { apiConnectionMachine, type ApiConnectionState } from './machines/api-connection';
import { openConnection, type ConnectionOutcome } from './cilium/datapath';

/** What an input event reports back to whoever sent it (a terminal command prints it). */
export type InputResult =
  | { ok: true; applied?: ApplyOutcome[]; warnings?: string[]; connection?: ConnectionOutcome }
  | { ok: false; error: string };

const ok: InputResult = { ok: true };

/** Applies a change to a Deployment's spec as a new generation, or reports that it does not exist. */
function changeDeploymentSpec(world: World, key: string, change: (next: Deployment) => void): InputResult {
  const deployment = getObject(requireCluster(world).api, 'Deployment', key);
  if (deployment === undefined)
    return { ok: false, error: `deployments.apps "${key.split('/').pop() ?? ''}" not found` };
  const next = structuredClone(deployment);
  change(next);
  next.metadata.generation = (deployment.metadata.generation ?? 1) + 1;
  apiPut(world, next);
  return ok;
}

/** Processes one event. Inputs return a result; internal events return undefined. */
export function processEvent(world: World, event: SimEvent): InputResult | undefined {
  switch (event.type) {
    // Inputs.
    case 'kind.cluster.create':
      if (world.cluster !== undefined)
        return {
          ok: false,
          error: `node(s) already exist for a cluster with the name "${world.cluster.name}"`,
        };
      createKindCluster(world, event.config);
      return ok;
    case 'cilium.install': {
      if (world.cluster === undefined)
        return {
          ok: false,
          error: 'Kubernetes cluster unreachable: no cluster exists; run kind create cluster first',
        };
      if (world.cluster.cilium !== undefined)
        return { ok: false, error: 'INSTALLATION FAILED: cannot re-use a name that is still in use' };
      const resolved = resolveCiliumConfig(event.request);
      if (resolved.config === undefined)
        return { ok: false, error: `INSTALLATION FAILED: ${resolved.error ?? 'invalid values'}` };
      installCilium(world, resolved.config);
      return { ok: true, warnings: resolved.warnings };
    }
    case 'api.apply':
      return { ok: true, applied: applyObjects(world, event.objects) };
    case 'api.delete': {
      const cluster = requireCluster(world);
      if (event.kind === 'Pod') {
        const pod = getObject(cluster.api, 'Pod', event.key);
        if (pod === undefined)
          return { ok: false, error: `pods "${event.key.split('/').pop() ?? ''}" not found` };
        requestPodDeletion(world, pod);
        return ok;
      }
      return apiRemove(world, event.kind, event.key) === undefined
        ? { ok: false, error: `${event.kind} "${event.key}" not found` }
        : ok;
    }
    case 'deployment.scale':
      return changeDeploymentSpec(world, event.key, (next) => {
        next.spec.replicas = event.replicas;
      });
    case 'deployment.restart':
      // kubectl rollout restart changes the template, so the controller rolls out a new ReplicaSet.
      return changeDeploymentSpec(world, event.key, (next) => {
        next.spec.template.metadata.annotations = {
          ...next.spec.template.metadata.annotations,
          'kubectl.kubernetes.io/restartedAt': toTimestamp(world.timeMs),
        };
      });
    case 'object.label': {
      const existing = getObject(requireCluster(world).api, event.kind, event.key);
      if (existing === undefined) return { ok: false, error: `${event.kind} "${event.key}" not found` };
      const next = structuredClone(existing);
      const labels = { ...next.metadata.labels };
      for (const [key, value] of Object.entries(event.labels)) {
        if (value === null) delete labels[key];
        else labels[key] = value;
      }
      next.metadata.labels = labels;
      apiPut(world, next);
      return ok;
    }
    case 'node.firewall.insert': {
      const node = requireCluster(world).nodes[event.node];
      if (node === undefined)
        return { ok: false, error: `Error response from daemon: No such container: ${event.node}` };
      node.firewall.unshift(event.rule);
      updateApiLink(world, event.node);
      return ok;
    }
    case 'node.firewall.delete': {
      const node = requireCluster(world).nodes[event.node];
      if (node === undefined)
        return { ok: false, error: `Error response from daemon: No such container: ${event.node}` };
      const index = node.firewall.findIndex((rule) => JSON.stringify(rule) === JSON.stringify(event.rule));
      if (index < 0)
        return { ok: false, error: 'iptables: Bad rule (does a matching rule exist in that chain?).' };
      node.firewall.splice(index, 1);
      updateApiLink(world, event.node);
      return ok;
    }
    case 'pod.connect':
      return { ok: true, connection: openConnection(world, event.request) };
    // The model's own events.
    case 'controller.deployment.sync':
      dequeueSync(world, event.type, event.key);
      syncDeployment(world, event.key);
      return undefined;
    case 'controller.replicaset.sync':
      dequeueSync(world, event.type, event.key);
      syncReplicaSet(world, event.key);
      return undefined;
    case 'controller.endpoints.sync':
      dequeueSync(world, event.type, event.key);
      syncEndpoints(world, event.key);
      return undefined;
    case 'scheduler.schedule':
      schedulePod(world, event.podKey);
      return undefined;
    case 'kubelet.pod.sync':
      syncPod(world, event.node, event.podKey);
      return undefined;
    case 'kubelet.sandbox.step':
      stepSandbox(world, event.node, event.podUid, event.step);
      return undefined;
    case 'kubelet.lease.renew':
      renewLease(world, event.node);
      return undefined;
    case 'kubelet.relist': {
      const node = requireCluster(world).nodes[event.node];
      if (node !== undefined && node.kubelet.connection === 'relisting') {
        node.kubelet.connection = requireNextState(
          apiConnectionMachine,
          node.kubelet.connection,
          'relist.completed',
        ) as ApiConnectionState;
      }
      relistKubelet(world, event.node);
      return undefined;
    }
    case 'nodelifecycle.monitor':
      monitorNodes(world);
      return undefined;
    case 'nodelifecycle.evict':
      evictPod(world, event.podKey, event.podUid);
      return undefined;
    case 'agent.start':
      startAgent(world, event.node);
      return undefined;
    case 'agent.endpoint.step':
      stepEndpoint(world, event.node, event.endpointId, event.step);
      return undefined;
    case 'agent.relist':
      relistAgent(world, event.node);
      return undefined;
    case 'watch.deliver':
      deliverToView(world, event.viewId, event.change);
      return undefined;
    case 'operator.identity.gc':
      collectIdentityGarbage(world);
      return undefined;
  }
}
