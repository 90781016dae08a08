/**
 * Cilium's policy kinds as the API server and the agent read their objects: CiliumNetworkPolicy
 * and CiliumClusterwideNetworkPolicy carry one rule in `spec` or several in `specs`, and either is
 * required (CiliumNetworkPolicy.Parse in pkg/k8s/apis/cilium.io/v2/cnp_types.go, cilium/cilium
 * v1.18; the clusterwide variant in ccnp_types.go). Their registration (custom-kinds.ts) hands
 * these readers to `kubectl apply -f`; the agent reads the stored objects of all three policy
 * kinds, Kubernetes' NetworkPolicy included, with the same readers.
 */
import {
  networkPolicyDecoder,
  readCiliumRule,
  readManifestDocuments,
  type CiliumRule,
  type KindDecoder,
  type KindDecoders,
  type ParseOptions,
  type ParseResult,
} from '../policy/index';
import { ciliumApiGroup } from './crds';

/** The policy kinds' rules, from `spec` and from each element of `specs`. */
function ciliumPolicyDecoder(kind: string, clusterwide: boolean): KindDecoder {
  return {
    apiVersion: `${ciliumApiGroup}/v2`,
    rootKeys: ['apiVersion', 'kind', 'metadata', 'spec', 'status', 'specs'],
    clusterScoped: clusterwide,
    decode(context, root, name, namespace) {
      const rules: CiliumRule[] = [];
      const specNode = root.node('spec');
      if (specNode) {
        const rule = readCiliumRule(context, specNode, 'spec', clusterwide);
        if (rule) rules.push(rule);
      }
      root.list('specs', (item, path) => {
        const rule = readCiliumRule(context, item, path, clusterwide);
        if (rule) rules.push(rule);
        return rule;
      });
      if (!specNode && !root.has('specs')) {
        context.agent('spec', root.position, `Invalid ${kind} spec(s): empty policy`, true);
      }
      return clusterwide
        ? { kind: 'CiliumClusterwideNetworkPolicy', name, rules }
        : { kind: 'CiliumNetworkPolicy', name, namespace: namespace ?? 'default', rules };
    },
  };
}

/** The readers of Cilium's policy kinds, by kind. */
export const ciliumPolicyDecoders = {
  CiliumNetworkPolicy: ciliumPolicyDecoder('CiliumNetworkPolicy', false),
  CiliumClusterwideNetworkPolicy: ciliumPolicyDecoder('CiliumClusterwideNetworkPolicy', true),
} as const satisfies KindDecoders;

/** Every policy kind the agent imports: Cilium's two and Kubernetes' NetworkPolicy. */
const agentPolicyDecoders: KindDecoders = { ...ciliumPolicyDecoders, NetworkPolicy: networkPolicyDecoder };

/**
 * Parses multi-document YAML into objects (the policy kinds typed) and PolicyErrors, never throwing,
 * as `kubectl apply -f` followed by the agent would.
 */
export function parsePolicyDocuments(text: string, options: ParseOptions = {}): ParseResult {
  return readManifestDocuments(text, agentPolicyDecoders, options);
}

/** Parses of stored policy objects, by object and options (see parseStoredPolicy). */
const storedParses = new WeakMap<object, Map<string, ParseResult>>();

/**
 * parsePolicyDocuments of a policy object as the API server stored it (an agent's view holds the
 * same object), done once per object and options. A stored object is never changed after a write
 * and a parse is only read, so every agent's policy cache, on the live world and on the copies an
 * exercise's probes use, shares one parse instead of re-reading the YAML each time it rebuilds.
 */
export function parseStoredPolicy(object: object, options: ParseOptions = {}): ParseResult {
  const key = `${options.ciliumVersion ?? ''}|${options.l7Proxy ?? true}|${options.nodeSelectorLabels ?? false}|${options.yamlVersion ?? ''}`;
  let parses = storedParses.get(object);
  if (parses === undefined) {
    parses = new Map();
    storedParses.set(object, parses);
  }
  let result = parses.get(key);
  if (result === undefined) {
    // The watch delivers JSON; JSON is YAML, so the same validator the terminal uses reads it.
    result = parsePolicyDocuments(JSON.stringify(object), options);
    parses.set(key, result);
  }
  return result;
}
