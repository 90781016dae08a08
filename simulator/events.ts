/**
 * Every event the world processes. Names are lowercase, dot-namespaced domain facts. Inputs come
 * from a reader or a scenario (cluster creation, kubectl, iptables); the rest are scheduled by the
 * model itself (watch deliveries, controller syncs, kubelet and agent work).
 */
import type { ApiKind, ApiObject } from './k8s/objects';
import type { WatchChange } from './k8s/api-store';
import type { FirewallRule } from './world';
import type { KindClusterConfig } from './k8s/kind-config';
import type { CiliumInstallRequest } from './cilium/config';
import type { ConnectionRequest } from './cilium/datapath';

/** Events that only come from outside the model. */
export type InputEvent =
  | { type: 'kind.cluster.create'; config: KindClusterConfig }
  | { type: 'cilium.install'; request: CiliumInstallRequest }
  | { type: 'api.apply'; objects: ApiObject[] }
  | { type: 'api.delete'; kind: ApiKind; key: string }
  | { type: 'deployment.scale'; key: string; replicas: number }
  | { type: 'deployment.restart'; key: string }
  | { type: 'object.label'; kind: ApiKind; key: string; labels: Record<string, string | null> }
  | { type: 'node.firewall.insert'; node: string; rule: FirewallRule }
  | { type: 'node.firewall.delete'; node: string; rule: FirewallRule }
  | { type: 'pod.connect'; request: ConnectionRequest };

/** Events the model schedules for itself. */
export type InternalEvent =
  | { type: 'controller.deployment.sync'; key: string }
  | { type: 'controller.replicaset.sync'; key: string }
  | { type: 'controller.endpoints.sync'; key: string }
  | { type: 'scheduler.schedule'; podKey: string }
  | { type: 'kubelet.pod.sync'; node: string; podKey: string }
  | {
      type: 'kubelet.sandbox.step';
      node: string;
      podUid: string;
      step: 'sandbox.created' | 'containers.started' | 'containers.stopped' | 'sandbox.removed';
    }
  | { type: 'kubelet.lease.renew'; node: string }
  | { type: 'kubelet.relist'; node: string }
  | { type: 'nodelifecycle.monitor' }
  | { type: 'nodelifecycle.evict'; podKey: string; podUid: string }
  | { type: 'agent.start'; node: string }
  | {
      type: 'agent.endpoint.step';
      node: string;
      endpointId: number;
      step: 'resolve-identity' | 'regenerate' | 'regenerated' | 'disconnected';
    }
  | { type: 'agent.relist'; node: string }
  | { type: 'watch.deliver'; viewId: string; change: WatchChange }
  | { type: 'operator.identity.gc' };

export type SimEvent = InputEvent | InternalEvent;
export type SimEventType = SimEvent['type'];
