/**
 * The files inside a pod's containers that the model knows: what every container gets from the
 * kubelet (`/etc/resolv.conf` pointing at cluster DNS, `/etc/hostname` with the pod's name), the
 * system CA bundle of client images, and whatever a reader copied in with `kubectl cp`. Written
 * files live with the running sandbox, so they are gone when the pod is, as a container's
 * writable layer is. Which images ship `tar` (which `kubectl cp` runs in the container) and which
 * flavour: scratch and distroless images (CoreDNS, pause) have none, Debian and Ubuntu images have
 * GNU tar, the rest (Alpine and busybox based) busybox's.
 */
import { systemCaBundle, systemCaBundlePath } from '../tls/public-roots';
import type { Cluster, Sandbox, World } from '../world';
import { requireCluster } from '../world';
import { getObject } from './api-store';
import type { Pod } from './objects';
import { imageContents } from './image-contents';

/** The tar a container image ships, if any. */
export type TarFlavour = 'gnu' | 'busybox' | undefined;

/** Which tar an image ships. */
export function tarOf(image: string): TarFlavour {
  if (/(^|\/)(coredns|pause)(:|@|$)|distroless/.test(image)) return undefined;
  if (/cilium\/cilium:|nginx|ubuntu|debian|istio\/proxyv2/.test(image)) return 'gnu';
  // Debian and Ubuntu based images (the docs' mediabot is "an Ubuntu container") have GNU tar.
  if (imageContents(image).updateCaCertificates) return 'gnu';
  return 'busybox';
}

/** The sandbox running a pod, where its containers' written files are kept. */
function sandboxOf(cluster: Cluster, pod: Pod): Sandbox | undefined {
  const node = pod.spec.nodeName === undefined ? undefined : cluster.nodes[pod.spec.nodeName];
  return node?.kubelet.sandboxes[pod.metadata.uid];
}

/**
 * The host name a container sees. The kubelet names the sandbox after the pod only when the pod has
 * its own network (kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_sandbox.go,
 * generatePodSandboxConfig: `if !kubecontainer.IsHostNetworkPod(pod)`); containerd runs a
 * host-network sandbox without its own UTS namespace and writes the node's host name to its
 * /etc/hostname (containerd internal/cri/server/podsandbox/sandbox_run_linux.go, WithoutNamespace
 * of the network and UTS namespaces for NamespaceMode_NODE). A kind node's host name is its name.
 */
export function containerHostname(pod: Pod): string {
  if (pod.spec.hostNetwork === true && pod.spec.nodeName !== undefined) return pod.spec.nodeName;
  return pod.metadata.name;
}

/** The text of a file in a container, or undefined when the container has none there. */
export function containerFile(
  cluster: Cluster,
  pod: Pod,
  container: string,
  path: string,
): string | undefined {
  const written = sandboxOf(cluster, pod)?.files?.[container]?.[path];
  if (written !== undefined) return written;
  if (path === '/etc/hostname') return `${containerHostname(pod)}\n`;
  if (path === '/etc/resolv.conf') {
    const namespace = pod.metadata.namespace ?? 'default';
    const dns = getObject(cluster.api, 'Service', 'kube-system/kube-dns')?.spec.clusterIP ?? '10.96.0.10';
    return `search ${namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver ${dns}\noptions ndots:5\n`;
  }
  if (path === systemCaBundlePath && tarOf(containerImage(pod, container)) !== undefined)
    return systemCaBundle();
  return undefined;
}

/** The image of a container of a pod ('' when the pod has no such container). */
export function containerImage(pod: Pod, container: string): string {
  return pod.spec.containers.find((candidate) => candidate.name === container)?.image ?? '';
}

/** The directories a container has: the usual root directories, and the parents of files written in it. */
export function containerDirectory(cluster: Cluster, pod: Pod, container: string, path: string): boolean {
  const directory = path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (
    ['/', '/tmp', '/etc', '/root', '/home', '/var', '/usr', '/opt', '/etc/ssl', '/etc/ssl/certs'].includes(
      directory,
    )
  )
    return true;
  // The ca-certificates package's directory for local CAs (update-ca-certificates reads it).
  const localCas = ['/usr/local', '/usr/local/share', '/usr/local/share/ca-certificates'];
  if (localCas.includes(directory) && imageContents(containerImage(pod, container)).updateCaCertificates)
    return true;
  const written = Object.keys(sandboxOf(cluster, pod)?.files?.[container] ?? {});
  return written.some((file) => file.startsWith(`${directory}/`));
}

/** Writes a file into a running container (`kubectl cp` to a pod); an error when it cannot be. */
export function writeContainerFile(
  world: World,
  podKey: string,
  container: string,
  path: string,
  content: string,
): string | undefined {
  const cluster = requireCluster(world);
  const pod = getObject(cluster.api, 'Pod', podKey);
  const sandbox = pod === undefined ? undefined : sandboxOf(cluster, pod);
  if (pod === undefined || sandbox === undefined || sandbox.state !== 'running')
    return `container not found ("${container}")`;
  const files = (sandbox.files ??= {});
  (files[container] ??= {})[path] = content;
  return undefined;
}
