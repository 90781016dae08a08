/**
 * What a scheduling cycle reads from a pending pod's spec, read once per spec object and
 * namespace. A ReplicaSet's pods share their spec (k8s/controlled-pods.ts), and so do the
 * ReplicaSets of a Deployment whose template changed only in its metadata (a rollout restart): the
 * facts are kept on the pods' label set (node-info-cache.ts), where each cycle finds them with one
 * check, and by spec object for the next ReplicaSet's label set. Each cycle thus checks one field
 * instead of reading the spec's fields again in every plugin. Pod specs come in many shapes (system pods, each template's
 * defaults), so V8 reads `spec.x` the slow, megamorphic way at a site shared by all pods; a facts
 * object always has the one shape below.
 */
import type { Container, Pod, PodSpec, Toleration, TopologySpreadConstraint } from '../objects';
import { podAffinityTerms, type PodAffinityTerms } from './inter-pod-affinity';
import { podHasNodeConstraints, preFilterNodeNames } from './node-affinity';
import { labelSetRequests, type LabelSetCounts } from './node-info-cache';
import type { PodRequests } from './resources';

export interface PodSpecFacts {
  /** The spec these were read from, and the pod's namespace (which the affinity terms name). */
  readonly spec: PodSpec;
  readonly namespace: string;
  readonly requests: PodRequests;
  readonly containers: readonly Container[];
  readonly tolerations: readonly Toleration[] | undefined;
  /** A nodeSelector or required node affinity (podHasNodeConstraints). */
  readonly nodeConstraints: boolean;
  /** NodeAffinity's PreFilter result (preFilterNodeNames): the nodes the pod is pinned to, if any. */
  readonly pinnedNodes: ReadonlySet<string> | undefined;
  /** Whether the pod has preferred node affinity terms (NodeAffinity's score is 0 everywhere without). */
  readonly preferredNodeAffinity: boolean;
  /** The pod's own topology spread constraints (empty when it has none). */
  readonly spreadConstraints: readonly TopologySpreadConstraint[];
  /** Its pod affinity terms, in the label set's namespace (the pod's). */
  readonly affinityTerms: PodAffinityTerms;
  /**
   * The spec with spec.nodeName set, by node name, as the binding writes it: the pods with this
   * spec bound to one node share it (stored objects are never mutated), which spares copying
   * a spec of many shapes for every pod.
   */
  readonly boundSpecs: Map<string, PodSpec>;
  /**
   * Whether any Node holds one of the containers' images (ImageLocality scores zero everywhere
   * otherwise), as of the image states map it was checked against (score-nodes.ts).
   */
  imagesCheckedIn: ReadonlyMap<string, unknown> | undefined;
  imagesKnown: boolean;
}

const noSpreadConstraints: readonly TopologySpreadConstraint[] = [];

/** Facts by spec object, for a label set that has none for its pod's spec yet (one per namespace). */
const factsBySpec = new WeakMap<PodSpec, PodSpecFacts>();

/**
 * The facts of a pending pod's spec; `labelSet` is the pod's (labelSetOf), whose namespace is the
 * pod's. One spec's facts are kept per label set: a label set's pods nearly always share their spec.
 */
export function podSpecFacts(labelSet: LabelSetCounts, pod: Pod): PodSpecFacts {
  const spec = pod.spec;
  const kept = labelSet.specFacts as PodSpecFacts | undefined;
  if (kept !== undefined && kept.spec === spec) return kept;
  let facts = factsBySpec.get(spec);
  if (facts === undefined || facts.namespace !== labelSet.namespace) {
    facts = readFacts(labelSet, pod, spec);
    factsBySpec.set(spec, facts);
  }
  labelSet.specFacts = facts;
  return facts;
}

function readFacts(labelSet: LabelSetCounts, pod: Pod, spec: PodSpec): PodSpecFacts {
  return {
    spec,
    namespace: labelSet.namespace,
    requests: labelSetRequests(labelSet, pod),
    containers: spec.containers,
    tolerations: spec.tolerations,
    nodeConstraints: podHasNodeConstraints(pod),
    pinnedNodes: preFilterNodeNames(pod),
    preferredNodeAffinity:
      spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution !== undefined,
    spreadConstraints: spec.topologySpreadConstraints ?? noSpreadConstraints,
    affinityTerms: podAffinityTerms(pod),
    boundSpecs: new Map(),
    imagesCheckedIn: undefined,
    imagesKnown: false,
  };
}

/** The pod's spec bound to a node (`{ ...spec, nodeName }`), shared by the pods bound there. */
export function boundSpec(facts: PodSpecFacts, nodeName: string): PodSpec {
  let bound = facts.boundSpecs.get(nodeName);
  if (bound === undefined) {
    bound = { ...facts.spec, nodeName };
    facts.boundSpecs.set(nodeName, bound);
  }
  return bound;
}
