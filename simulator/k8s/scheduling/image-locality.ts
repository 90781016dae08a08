/**
 * The ImageLocality plugin (kubernetes/kubernetes
 * pkg/scheduler/framework/plugins/imagelocality/image_locality.go at v1.24.0): a node that already
 * holds a pod's images scores higher, by the images' sizes scaled by the share of nodes that hold
 * them (so an image every node has does not pull pods together), between a floor of 23 MiB and a
 * ceiling of 1,000 MiB per container.
 *
 * The images are the node's status.images as the kubelet reports them, matched by name after adding
 * `:latest` to an untagged image. v1.24 does not normalise further, so `nginx` never matches the
 * `docker.io/library/nginx:latest` containerd reports; later versions parse image references.
 */
import type { Container, Node } from '../objects';
import { maxNodeScore } from './node-resources';

const mebibyte = 1024 * 1024;
const minThreshold = 23 * mebibyte;
const maxContainerThreshold = 1000 * mebibyte;

/** One image across the cluster: its size and how many nodes hold it (ImageStateSummary). */
export interface ImageState {
  readonly sizeBytes: number;
  numNodes: number;
}

/** Every image name any node reports, with its size and spread (the cache's imageStates). */
export function imageStatesOf(nodes: Iterable<Node>): Map<string, ImageState> {
  const states = new Map<string, ImageState>();
  for (const node of nodes) {
    const seen = new Set<string>();
    for (const image of node.status.images ?? []) {
      for (const name of image.names) {
        if (seen.has(name)) continue;
        seen.add(name);
        const state = states.get(name);
        if (state === undefined) states.set(name, { sizeBytes: image.sizeBytes, numNodes: 1 });
        else state.numNodes += 1;
      }
    }
  }
  return states;
}

/** An image name as v1.24's scheduler looks it up: with `:latest` when it has no tag. */
export function normalizedImageName(name: string): string {
  let normalized = normalizedNames.get(name);
  if (normalized === undefined) {
    normalized = name.lastIndexOf(':') <= name.lastIndexOf('/') ? `${name}:latest` : name;
    if (normalizedNames.size >= 10_000) normalizedNames.clear();
    normalizedNames.set(name, normalized);
  }
  return normalized;
}

/** Image name → its normalised name (a memo, bounded in size). */
const normalizedNames = new Map<string, string>();

/** The names of the images a node holds. */
export function nodeImageNames(node: Node): Set<string> {
  const names = new Set<string>();
  for (const image of node.status.images ?? []) for (const name of image.names) names.add(name);
  return names;
}

/** ImageLocality's score of a node for the pod's containers (already on a 0–100 scale). */
export function imageLocalityScore(
  containers: readonly Container[],
  nodeImages: ReadonlySet<string>,
  states: ReadonlyMap<string, ImageState>,
  totalNodes: number,
): number {
  if (containers.length === 0) return 0;
  let sum = 0;
  for (const container of containers) {
    const name = normalizedImageName(container.image);
    const state = states.get(name);
    if (state === undefined || !nodeImages.has(name)) continue;
    sum += Math.trunc(state.sizeBytes * (state.numNodes / totalNodes));
  }
  const maxThreshold = maxContainerThreshold * containers.length;
  const clamped = Math.min(maxThreshold, Math.max(minThreshold, sum));
  return Math.floor((maxNodeScore * (clamped - minThreshold)) / (maxThreshold - minThreshold));
}
