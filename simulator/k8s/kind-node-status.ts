/**
 * What a kind node reports about itself beyond its conditions: its capacity, what of it pods may
 * request, and the images its node image ships with.
 *
 * A kind node is a container on the reader's machine, so the kubelet reports the host's CPUs and
 * memory; kind reserves nothing for the system and sets no memory eviction threshold (its kubelet
 * configuration lists only nodefs and imagefs thresholds: pkg/cluster/internal/kubeadm/config.go),
 * so allocatable equals capacity. The model has no host, so it fixes one: 8 CPUs and about 15.5 GiB
 * of memory, a common laptop. Every node of a cluster shares the host, hence the same figures.
 *
 * The images are those kindest/node images preload (the Kubernetes control-plane images, kindnetd
 * and the local-path provisioner: pkg/build/nodeimage in kubernetes-sigs/kind); the sizes are
 * v1.24's, rounded plausibly, not measured ones. Images pulled later are not reported (the model does not
 * pull images), which only matters to the ImageLocality score.
 */
import { controlPlaneImage, controlPlaneRegistry, coreDnsImage, etcdImage } from './kubernetes-versions';
import type { Node } from './objects';

/** The fixed host every kind node of the model runs on. */
export const kindHostCapacity: Readonly<Record<string, string>> = {
  cpu: '8',
  'ephemeral-storage': '263174212Ki',
  'hugepages-1Gi': '0',
  'hugepages-2Mi': '0',
  memory: '16303504Ki',
  pods: '110',
};

/**
 * The images a kindest/node image holds, largest first as the kubelet lists them: the control
 * plane's for its Kubernetes version (k8s/kubernetes-versions.ts), and kind's own (kindnetd and the
 * local-path provisioner, as kind v0.14.0 ships them; later kind releases ship newer tags).
 */
export function kindNodeImages(kubernetesVersion: string): NonNullable<Node['status']['images']> {
  const registry = controlPlaneRegistry(kubernetesVersion);
  return [
    { names: [controlPlaneImage('kube-proxy', kubernetesVersion)], sizeBytes: 111_858_893 },
    { names: [etcdImage(kubernetesVersion)], sizeBytes: 102_143_581 },
    { names: [controlPlaneImage('kube-apiserver', kubernetesVersion)], sizeBytes: 77_292_135 },
    { names: [controlPlaneImage('kube-controller-manager', kubernetesVersion)], sizeBytes: 65_560_143 },
    { names: [controlPlaneImage('kube-scheduler', kubernetesVersion)], sizeBytes: 52_311_143 },
    { names: ['docker.io/kindest/kindnetd:v20220510-4929dd75'], sizeBytes: 45_239_873 },
    { names: ['docker.io/kindest/local-path-provisioner:v0.0.22-kind.0'], sizeBytes: 17_375_346 },
    { names: [coreDnsImage(kubernetesVersion)], sizeBytes: 13_585_107 },
    { names: ['docker.io/kindest/local-path-helper:v20220512-507ff70b'], sizeBytes: 2_859_509 },
    { names: [`${registry}/pause:3.7`], sizeBytes: 311_278 },
  ];
}

/** The status fields a new kind node starts with: capacity, allocatable and images. */
export function kindNodeResources(
  kubernetesVersion: string,
): Pick<Node['status'], 'capacity' | 'allocatable' | 'images'> {
  return {
    capacity: { ...kindHostCapacity },
    allocatable: { ...kindHostCapacity },
    images: kindNodeImages(kubernetesVersion),
  };
}
