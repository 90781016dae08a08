/**
 * The local ports the reader's machine forwards into the cluster while a port-forward runs
 * (`cilium hubble port-forward`, `hubble observe -P`): a listener on 127.0.0.1 that reaches one pod,
 * as client-go's portforward package opens it through the API server and the pod's kubelet. The
 * machine is shared by every terminal tab (one forward serves all of them), and a forward lasts
 * as long as the process that opened it: Ctrl-C, `kill %N` or closing its tab ends it.
 */
import type { Pod, Service } from '../k8s/objects';
import type { World } from '../world';
import { getObject, listObjects } from '../k8s/api-store';
import { selectorMatches } from '../k8s/metadata';
import { mostActivePod } from './kubectl-pod-order';

/** A forward from a local port to a pod's port. */
export interface PortForward {
  readonly localPort: number;
  readonly namespace: string;
  readonly pod: string;
  /** The pod's uid when the forward opened: a pod re-created under the same name is not it. */
  readonly podUid: string;
  readonly podPort: number;
  /** Told of each connection through the forward (kubectl prints `Handling connection for PORT`). */
  readonly onConnection?: () => void;
}

/** The reader's machine's forwarded ports. */
export class MachinePorts {
  private readonly open = new Map<number, PortForward>();

  /**
   * Listens on a local port; returns the function that closes it, or client-go's error when the
   * port is taken (portforward.go listenOnPort and its caller's summary).
   */
  listen(forward: PortForward): (() => void) | { error: string } {
    if (this.open.has(forward.localPort))
      return {
        error: `unable to listen on any of the requested ports: [{${forward.localPort} ${forward.podPort}}]`,
      };
    this.open.set(forward.localPort, forward);
    return () => {
      if (this.open.get(forward.localPort) === forward) this.open.delete(forward.localPort);
    };
  }

  /** The forward listening on a local port, if any. */
  at(localPort: number): PortForward | undefined {
    return this.open.get(localPort);
  }
}

/**
 * Whether a forward still reaches its pod: the kubelet streams into the pod's sandbox, so the pod
 * must still exist (the same one, by uid) and run. A forward whose pod went away keeps listening,
 * but each connection through it fails.
 */
export function forwardReachesPod(world: World, forward: PortForward): boolean {
  const api = world.cluster?.api;
  if (api === undefined) return false;
  const pod = getObject(api, 'Pod', `${forward.namespace}/${forward.pod}`);
  return pod?.metadata.uid === forward.podUid && pod.status.phase === 'Running';
}

/**
 * The pod a port-forward to a Service reaches: of the pods its selector matches, the one
 * podutils.ActivePods ranks first (kubectl's AttachablePodForObject and cilium's
 * getFirstPodForService pick it the same way).
 */
export function podBehindService(
  world: World,
  namespace: string,
  name: string,
): { pod: Pod; service: Service } | 'no service' | 'no pods' {
  const api = world.cluster?.api;
  const service = api === undefined ? undefined : getObject(api, 'Service', `${namespace}/${name}`);
  if (api === undefined || service === undefined) return 'no service';
  const selector = service.spec.selector ?? {};
  const pods = listObjects(api, 'Pod').filter(
    (pod) =>
      (pod.metadata.namespace ?? 'default') === namespace &&
      Object.keys(selector).length > 0 &&
      selectorMatches({ matchLabels: selector }, pod.metadata.labels ?? {}),
  );
  const pod = mostActivePod(pods);
  return pod === undefined ? 'no pods' : { pod, service };
}

/**
 * Opens a forward from a local port to the pod behind a Service, as client-go's PortForwardService
 * does for cilium-cli and the hubble CLI (cilium pkg/k8s/portforward.go at v1.18.5): the Service's
 * first port, the pod its selector matches that podutils.ActivePods ranks first, and the container
 * port the Service targets. Errors carry that function's wording; a pod that is not running is
 * refused as kubectl's port-forward refuses it (the streaming request to the kubelet would fail).
 */
export function forwardToService(
  world: World,
  ports: MachinePorts,
  namespace: string,
  service: string,
  localPort: number,
): { forward: PortForward; close: () => void } | { error: string } {
  const behind = podBehindService(world, namespace, service);
  if (behind === 'no service')
    return { error: `failed to get service "${service}": services "${service}" not found` };
  if (behind === 'no pods')
    return { error: `failed to get service "${service}": no pods found for service: ${service}` };
  const { pod, service: object } = behind;
  if (pod.status.phase !== 'Running')
    return {
      error: `failed to port forward: unable to forward port because pod is not running. Current status=${pod.status.phase}`,
    };
  const servicePort = object.spec.ports[0];
  const podPort =
    typeof servicePort?.targetPort === 'number' ? servicePort.targetPort : (servicePort?.port ?? 0);
  const forward: PortForward = {
    localPort,
    namespace,
    pod: pod.metadata.name,
    podUid: pod.metadata.uid,
    podPort,
  };
  const close = ports.listen(forward);
  if (typeof close !== 'function') return { error: `failed to port forward: ${close.error}` };
  return { forward, close };
}
