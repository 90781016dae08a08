/**
 * Cilium's API objects (group cilium.io), shaped as the API server serves them. Cilium's operator
 * installs their CRDs (cilium/crds.ts) and composition.ts registers them as custom kinds; the types
 * join Kubernetes' ApiObject by augmenting k8s/objects.ts's CustomResourceObjects, as a CRD adds a
 * kind to an API server that knows nothing of Cilium. Types only: world.ts may import this module.
 */
import type { NetworkPolicyObject, ObjectMeta } from '../k8s/objects';

/** A CiliumEndpoint: the agent's report of one pod's endpoint, which every other agent watches. */
export interface CiliumEndpoint {
  apiVersion: 'cilium.io/v2';
  kind: 'CiliumEndpoint';
  metadata: ObjectMeta;
  status: {
    id: number;
    identity?: { id: number; labels: string[] };
    networking: { addressing: { ipv4?: string; ipv6?: string }[]; node: string };
    state: string;
    encryption: Record<string, number>;
    'external-identifiers': {
      'container-id': string;
      'k8s-namespace': string;
      'k8s-pod-name': string;
      'pod-name': string;
    };
    policy?: { ingress: { enforcing: boolean }; egress: { enforcing: boolean } };
    'named-ports'?: { name: string; port: number; protocol: string }[];
  };
}

/** A CiliumIdentity: cluster-scoped, named by its number, holding the security-relevant labels. */
export interface CiliumIdentity {
  apiVersion: 'cilium.io/v2';
  kind: 'CiliumIdentity';
  metadata: ObjectMeta;
  'security-labels': Record<string, string>;
}

/** A CiliumNode: cluster-scoped, one per node, written by that node's agent (cilium/cilium-node.ts). */
export interface CiliumNode {
  apiVersion: 'cilium.io/v2';
  kind: 'CiliumNode';
  metadata: ObjectMeta;
  spec: {
    addresses: { ip: string; type: string }[];
    'alibaba-cloud': Record<string, never>;
    azure: Record<string, never>;
    bootid?: string;
    encryption: { key?: number };
    eni: Record<string, never>;
    health: { ipv4?: string };
    ingress: Record<string, never>;
    ipam: { podCIDRs?: string[]; pools?: Record<string, never> };
  };
  status: {
    'alibaba-cloud': Record<string, never>;
    azure: Record<string, never>;
    eni: Record<string, never>;
    ipam: { 'operator-status': Record<string, never> };
  };
}

/**
 * A Cilium policy object (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy) kept as the user wrote
 * its spec or specs; the policy engine interprets it.
 */
export interface CiliumPolicyObject {
  apiVersion: string;
  kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
  metadata: ObjectMeta;
  spec?: unknown;
  specs?: unknown;
  status?: unknown;
}

/** Any network policy object the policy engine reads: Cilium's or Kubernetes'. */
export type PolicyObject = CiliumPolicyObject | NetworkPolicyObject;

declare module '../k8s/objects' {
  interface CustomResourceObjects {
    CiliumEndpoint: CiliumEndpoint;
    CiliumIdentity: CiliumIdentity;
    CiliumNode: CiliumNode;
    CiliumNetworkPolicy: CiliumPolicyObject;
  }
}
