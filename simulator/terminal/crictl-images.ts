/**
 * `crictl images` inside a kind node: the images containerd holds there — those the node image
 * preloads (the Node's `status.images`, k8s/kind-node-status.ts) and those of the containers the
 * kubelet started on it — as crictl prints them (cri-tools cmd/crictl/image.go: a tabwriter of
 * minimum width 20 and padding 3; IMAGE and TAG split at the tag's colon, the image id's first 13
 * hex digits, the size through go-units' HumanSizeWithPrecision with 3 digits). The model pulls no
 * layers, so an image's id is a digest of its name and a pulled image's size is a plausible guess.
 */
import { hashString64 } from '../engine/state-hash';
import { getObject } from '../k8s/api-store';
import { tabwrite } from './tabwriter';
import type { Cluster } from '../world';

/** The size a pulled image is shown with: the model does not know image sizes. */
const pulledImageBytes = 60_000_000;

/** go-units' HumanSizeWithPrecision(size, 3): decimal units, three significant digits. */
function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let size = bytes;
  let unit = 0;
  while (size >= 1000 && unit < units.length - 1) {
    size /= 1000;
    unit++;
  }
  return `${Number(size.toPrecision(3))}${units[unit] ?? ''}`;
}

/** `quay.io/cilium/cilium:v1.18.5@sha256:…` → repository and tag, with Docker Hub's defaults. */
function repositoryAndTag(reference: string): [string, string] {
  const withoutDigest = reference.split('@')[0] ?? reference;
  const colon = withoutDigest.lastIndexOf(':');
  const hasTag = colon > withoutDigest.lastIndexOf('/');
  let repository = hasTag ? withoutDigest.slice(0, colon) : withoutDigest;
  const tag = hasTag ? withoutDigest.slice(colon + 1) : 'latest';
  const first = repository.split('/')[0] ?? '';
  if (!first.includes('.') && !first.includes(':') && first !== 'localhost')
    repository = repository.includes('/') ? `docker.io/${repository}` : `docker.io/library/${repository}`;
  return [repository, tag];
}

/** The images on one node of a cluster: name → size in bytes. */
function nodeImages(cluster: Cluster, nodeName: string): Map<string, number> {
  const images = new Map<string, number>();
  const node = getObject(cluster.api, 'Node', nodeName);
  for (const image of node?.status.images ?? [])
    for (const name of image.names) images.set(name, image.sizeBytes);
  for (const sandbox of Object.values(cluster.nodes[nodeName]?.kubelet.sandboxes ?? {})) {
    const pod = getObject(cluster.api, 'Pod', sandbox.podKey);
    for (const container of [...(pod?.spec.initContainers ?? []), ...(pod?.spec.containers ?? [])]) {
      const [repository, tag] = repositoryAndTag(container.image);
      const name = `${repository}:${tag}`;
      if (!images.has(name)) images.set(name, pulledImageBytes);
    }
  }
  return images;
}

/** What `crictl images` prints on a node. */
export function crictlImages(cluster: Cluster, nodeName: string): string {
  const rows = [...nodeImages(cluster, nodeName)]
    .map(([name, bytes]) => {
      const [repository, tag] = repositoryAndTag(name);
      const id = `${hashString64(name)}${hashString64(`${name}#id`)}`.slice(0, 13);
      return `${repository}\t${tag}\t${id}\t${humanSize(bytes)}`;
    })
    .sort();
  return `${tabwrite(['IMAGE\tTAG\tIMAGE ID\tSIZE', ...rows].join('\n'), { minWidth: 20, padding: 3 })}\n`;
}
