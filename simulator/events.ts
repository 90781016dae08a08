/**
 * Every event the world processes. Names are lowercase, dot-namespaced domain facts. Inputs come
 * from a reader or a scenario (cluster creation, kubectl, iptables); the rest are scheduled by the
 * model itself (watch deliveries, controller syncs, kubelet and agent work).
 */
import type { ApiKind, ApiObject, Taint } from './k8s/objects';
import type { WatchChange } from './k8s/api-store';
import type { KindClusterConfig } from './k8s/kind-config';
import type { CiliumInstallRequest } from './cilium/config';
import type { ConnectionRequest, TrafficRequest } from './cilium/datapath-types';
import type { CiliumEnvoyConfigInput } from './cilium/envoy-state';
import type { MeshInputEvent, MeshInternalEvent } from './mesh/events';
import type { HelmRequest } from './helm/request';

/** Events that only come from outside the model. */
export type InputEvent =
  | { type: 'kind.cluster.create'; config: KindClusterConfig }
  /** `kind delete cluster --name NAME`: the nodes, their kubeconfig context and their pending work go. */
  | { type: 'kind.cluster.delete'; name: string }
  /** `kind export kubeconfig --name NAME`: the cluster's context again, made the current one. */
  | { type: 'kind.kubeconfig.export'; name: string }
  /** `kubectl config use-context NAME`. */
  | { type: 'kubeconfig.context.use'; context: string }
  | { type: 'cilium.install'; request: CiliumInstallRequest }
  /** The reader's `aws ec2 run-instances` / `terminate-instances` on the simulated account (cilium/aws-ec2.ts). */
  | {
      type: 'aws.ec2.run-instances';
      securityGroupIds: string[];
      count: number;
      imageId: string;
      instanceType: string;
    }
  | { type: 'aws.ec2.terminate-instances'; instanceIds: string[] }
  | { type: 'api.apply'; objects: ApiObject[] }
  /** `kubectl apply -f` of a Gateway API release bundle (standard channel). */
  | { type: 'gateway-api.crds.apply'; version: string }
  /** A delete; pods honour the grace period (0 with kubectl's --force removes them at once). */
  | { type: 'api.delete'; kind: ApiKind; key: string; gracePeriodSeconds?: number; orphan?: boolean }
  | { type: 'deployment.scale'; key: string; replicas: number }
  | { type: 'deployment.restart'; key: string }
  /** `kubectl scale` of a ReplicaSet or ReplicationController (a Deployment's goes as deployment.scale). */
  | { type: 'workload.scale'; kind: 'ReplicaSet' | 'ReplicationController'; key: string; replicas: number }
  /** `kubectl rollout restart|undo` of a Deployment or DaemonSet (k8s/rollout.ts). */
  | { type: 'workload.restart'; kind: RolloutKind; key: string }
  | { type: 'workload.rollback'; kind: RolloutKind; key: string; toRevision: number }
  /** `helm upgrade [--install]` and `helm install` of a chart the model renders (helm/operations.ts). */
  | { type: 'helm.upgrade'; request: HelmRequest }
  | { type: 'helm.install'; request: HelmRequest }
  | { type: 'helm.uninstall'; release: string; namespace: string; keepHistory: boolean }
  | { type: 'object.label'; kind: ApiKind; key: string; labels: Record<string, string | null> }
  /**
   * A program the reader ran attached as a pod's main process (`kubectl run -i … -- curl …`) ended:
   * the kubelet sees its container exit with this code and output (k8s/container-lifecycle.ts).
   */
  | { type: 'pod.process.exit'; podKey: string; exitCode: number; output: string }
  /** `kubectl cp` into a pod: the file lands in the running container (k8s/container-files.ts). */
  | { type: 'pod.file.write'; podKey: string; container: string; path: string; content: string }
  /** Sets a Node's taints and/or whether it is cordoned (`kubectl taint`, `cordon`, `uncordon`). */
  | { type: 'node.spec.update'; node: string; taints?: Taint[]; unschedulable?: boolean }
  | { type: 'node.firewall.insert'; node: string; rule: FirewallRule }
  | { type: 'node.firewall.delete'; node: string; rule: FirewallRule }
  | { type: 'pod.connect'; request: ConnectionRequest }
  | { type: 'pod.traffic'; request: TrafficRequest }
  /** A CiliumEnvoyConfig is applied or deleted (cilium/envoy-config-resources.ts). */
  | { type: 'envoy.config.apply'; config: CiliumEnvoyConfigInput }
  | { type: 'envoy.config.delete'; namespace: string; name: string }
  /** A node's Envoy process is killed and started again (cilium/envoy.ts): fresh workers, same config. */
  | { type: 'envoy.restart'; node: string }
  /** `cilium-dbg endpoint config ID Name=value…`: option settings for one endpoint of a node's agent. */
  | { type: 'cilium.endpoint.config'; node: string; endpointId: number; options: Record<string, number> }
  /** `cilium-dbg config Name=value…`: the agent's own options, which override its endpoints' too. */
  | { type: 'cilium.agent.config'; node: string; options: Record<string, number> }
  /**
   * The reader's shell expanding `$RANDOM` or `$SRANDOM` (terminal/dynamic-variables.ts): one draw
   * from the world's generator, so a replayed line expands to the same number.
   */
  | { type: 'shell.random' }
  | MeshInputEvent;

/** Events the model schedules for itself. */
export type InternalEvent =
  | { type: 'controller.deployment.sync'; key: string }
  | { type: 'controller.replicaset.sync'; key: string }
  | { type: 'controller.endpoints.sync'; key: string }
  /** kube-controller-manager's per-namespace controllers (k8s/namespace-controllers.ts), by namespace. */
  | { type: 'controller.serviceaccount.sync'; key: string }
  | { type: 'controller.rootcacert.sync'; key: string }
  | { type: 'controller.namespace.sync'; key: string }
  /** The ClusterRole aggregation controller (k8s/rbac-aggregation.ts); one key for the whole cluster. */
  | { type: 'controller.clusterroleaggregation.sync'; key: string }
  /** The garbage collector, for the uid of an owner that was deleted (k8s/garbage-collector.ts). */
  | { type: 'controller.garbagecollector.sync'; key: string }
  | { type: 'controller.daemonset.sync'; key: string }
  | { type: 'controller.replicationcontroller.sync'; key: string }
  | { type: 'controller.job.sync'; key: string }
  | { type: 'scheduler.schedule'; podKey: string }
  | { type: 'kubelet.pod.sync'; node: string; podKey: string }
  | {
      type: 'kubelet.sandbox.step';
      node: string;
      podUid: string;
      step: 'sandbox.created' | 'containers.started' | 'containers.stopped' | 'sandbox.removed';
    }
  /** A container's process ended by itself (k8s/container-lifecycle.ts); stale when restartCount moved on. */
  | {
      type: 'kubelet.container.exited';
      node: string;
      podUid: string;
      restartCount: number;
      exitCode: number;
      output: string;
    }
  | { type: 'kubelet.container.backoff'; node: string; podUid: string; restartCount: number }
  | { type: 'kubelet.container.restart'; node: string; podUid: string; restartCount: number }
  | { type: 'kubelet.lease.renew'; node: string }
  | { type: 'kubelet.relist'; node: string }
  | { type: 'nodelifecycle.monitor' }
  | { type: 'nodelifecycle.evict'; podKey: string; podUid: string }
  /** The cilium-agent container of this pod finished booting (cilium/agent-pod.ts). */
  | { type: 'agent.start'; node: string; podUid: string }
  /** The agent of this pod finished regenerating the endpoints it restored (cilium/agent-pod.ts). */
  | { type: 'agent.restore.completed'; node: string; podUid: string }
  | {
      type: 'agent.endpoint.step';
      node: string;
      endpointId: number;
      step: EndpointStep;
      /** For `resolve-labels`: how many runs of the endpoint's label resolver failed so far. */
      failures?: number;
    }
  | { type: 'agent.relist'; node: string }
  /** The agent's pod watcher saw a local pod (or its namespace) change labels. */
  | { type: 'agent.pod.labels'; node: string; podKey: string }
  | { type: 'watch.deliver'; viewId: string; change: WatchChange }
  | { type: 'operator.identity.gc' }
  /** The operator copies the Secrets that policies name into the secrets namespace (SDS, 1.17+). */
  | { type: 'operator.secretsync.sync'; key: string }
  | { type: 'operator.policyvalidation.sync'; key: string }
  /** The operator's toGroups derivatives (cilium/to-groups.ts): one policy, and the 5-minute poll. */
  | { type: 'operator.togroups.sync'; key: string }
  | { type: 'operator.togroups.poll' }
  /** SPIRE for mutual authentication (cilium/spire-model.ts). */
  | { type: 'spire.server.start' }
  | { type: 'spire.ca.rotate' }
  | { type: 'spire.svid.issue'; node: string; identity: number }
  | { type: 'spire.svid.rotate'; node: string; identity: number; serialHex: string }
  | { type: 'spire.svid.drop'; node: string; identity: number }
  /** The agent's auth manager (cilium/auth-manager.ts). */
  | { type: 'auth.signal'; node: string }
  | { type: 'auth.handshake'; node: string; key: string }
  | { type: 'auth.gc' }
  /** Istio's certificate work (mesh/events.ts). */
  | MeshInternalEvent;

export type SimEvent = InputEvent | InternalEvent;

/** The agent's work on one endpoint, each step an event on the virtual clock (cilium/cni.ts). */
export type EndpointStep =
  | 'resolve-identity'
  | 'resolve-labels'
  | 'regenerate'
  | 'restore-regenerate'
  | 'regenerated'
  | 'disconnected';

/** A rule in a node container's iptables, as `docker exec NODE iptables …` manages it. */
export interface FirewallRule {
  table: 'mangle' | 'filter' | 'raw';
  chain: string;
  protocol: 'tcp' | 'udp' | 'all';
  source: string;
  /** `-d ADDRESS`: absent when the rule matches any destination. */
  destination?: string;
  /** `--dport PORT` (with `-p tcp` or `-p udp`): absent when the rule matches any port. */
  destinationPort?: number;
  target: 'DROP' | 'REJECT' | 'ACCEPT';
}

/** Controller syncs that go through the work queue. */
export type SyncEventType =
  | 'controller.deployment.sync'
  | 'controller.replicaset.sync'
  | 'controller.endpoints.sync'
  | 'controller.serviceaccount.sync'
  | 'controller.rootcacert.sync'
  | 'controller.namespace.sync'
  | 'controller.clusterroleaggregation.sync'
  | 'controller.garbagecollector.sync'
  | 'controller.daemonset.sync'
  | 'controller.replicationcontroller.sync'
  | 'controller.job.sync'
  | 'operator.secretsync.sync'
  | 'operator.policyvalidation.sync'
  | 'operator.togroups.sync';

/** The workload kinds that roll out (k8s/rollout.ts). */
export type RolloutKind = 'Deployment' | 'DaemonSet';
