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
 * The images are those kindest/node images preload (pkg/build/nodeimage/buildcontext.go in
 * kubernetes-sigs/kind): kubeadm's images for the Kubernetes version with the pause image replaced
 * by the base image's sandbox image, then kindnetd and the local-path provisioner and helper, each
 * at the tags of the kind release that built the node image (k8s/kind-releases.ts, read from the
 * release's sources); the sizes are plausible, not measured ones. Images pulled later are not reported (the model does not
 * pull images), which only matters to the ImageLocality score.
 */
import { controlPlaneImage, coreDnsImage, etcdImage } from './kubernetes-versions';
import type { KindRelease } from './kind-releases';
import type { Node } from './objects';

/** The fixed host every kind node of the model runs on. */
const kindHostCapacity: Readonly<Record<string, string>> = {
  cpu: '8',
  'ephemeral-storage': '263174212Ki',
  'hugepages-1Gi': '0',
  'hugepages-2Mi': '0',
  memory: '16303504Ki',
  pods: '110',
};

/**
 * The images a kindest/node image holds, largest first as the kubelet lists them: the control
 * plane's for its Kubernetes version (k8s/kubernetes-versions.ts), and those of the kind release
 * that built the image.
 */
function kindNodeImages(
  kubernetesVersion: string,
  release: Pick<KindRelease, 'addons' | 'pause'>,
): NonNullable<Node['status']['images']> {
  const kindest = 'docker.io/kindest';
  return [
    { names: [controlPlaneImage('kube-proxy', kubernetesVersion)], sizeBytes: 111_858_893 },
    { names: [etcdImage(kubernetesVersion)], sizeBytes: 102_143_581 },
    { names: [controlPlaneImage('kube-apiserver', kubernetesVersion)], sizeBytes: 77_292_135 },
    { names: [controlPlaneImage('kube-controller-manager', kubernetesVersion)], sizeBytes: 65_560_143 },
    { names: [controlPlaneImage('kube-scheduler', kubernetesVersion)], sizeBytes: 52_311_143 },
    { names: [`${kindest}/kindnetd:${release.addons.kindnetd}`], sizeBytes: 45_239_873 },
    {
      names: [`${kindest}/local-path-provisioner:${release.addons.localPathProvisioner}`],
      sizeBytes: 17_375_346,
    },
    { names: [coreDnsImage(kubernetesVersion)], sizeBytes: 13_585_107 },
    { names: [`${kindest}/local-path-helper:${release.addons.localPathHelper}`], sizeBytes: 2_859_509 },
    { names: [release.pause], sizeBytes: 311_278 },
  ];
}

/** The status fields a new kind node starts with: capacity, allocatable and images. */
export function kindNodeResources(
  kubernetesVersion: string,
  release: Pick<KindRelease, 'addons' | 'pause'>,
): Pick<Node['status'], 'capacity' | 'allocatable' | 'images'> {
  return {
    capacity: { ...kindHostCapacity },
    allocatable: { ...kindHostCapacity },
    images: kindNodeImages(kubernetesVersion, release),
  };
}
