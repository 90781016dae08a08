/**
 * The `l4` part of an endpoint's realized policy as the agent's API returns it
 * (api/v1/models L4Policy: `ingress` and `egress`, lists of PolicyRule), which
 * `cilium-dbg endpoint get ID -o jsonpath='{..status.policy.realized.l4.ingress[*].derived-from-rules}'`
 * reads in the troubleshooting docs. There is one PolicyRule per port filter of the endpoint's
 * policy: `rule` describes the filter as JSON, and `derived-from-rules` lists, for each policy that
 * contributed to it, that policy's labels (`k8s:io.cilium.k8s.policy.name=rule1`, …) as a list of
 * strings.
 */
import type { EndpointPolicy, RuleReference } from '../policy/endpoint-policy';

/** A PolicyRule of the API model. */
export interface RealizedRule {
  rule: string;
  'derived-from-rules': string[][];
}

/** The uid of a policy object the agent holds, for its `io.cilium.k8s.policy.uid` label. */
export type PolicyUid = (kind: string, namespace: string | undefined, name: string) => string;

/** A policy's labels as the agent attaches them to every rule it imports from it. */
function policyLabels(reference: RuleReference, uidOf: PolicyUid): string[] {
  const { kind, namespace, name } = reference.origin;
  const clusterwide = kind === 'CiliumClusterwideNetworkPolicy';
  return [
    `k8s:io.cilium.k8s.policy.derived-from=${kind}`,
    `k8s:io.cilium.k8s.policy.name=${name}`,
    ...(clusterwide || namespace === undefined ? [] : [`k8s:io.cilium.k8s.policy.namespace=${namespace}`]),
    `k8s:io.cilium.k8s.policy.uid=${uidOf(kind, clusterwide ? undefined : namespace, name)}`,
  ];
}

/** The port filter a reference's `port` names (`80/TCP`, `0/ANY`), as the rule's JSON shows it. */
function filterJson(port: string, references: readonly RuleReference[]): string {
  const [number = '0', protocol = 'ANY'] = port.split('/');
  const l7 = references.flatMap((reference) => (reference.l7 === undefined ? [] : [reference.l7]));
  return JSON.stringify({
    port: Number(number) || 0,
    protocol,
    ...(l7.length > 0 ? { 'l7-parser': l7[0]?.type ?? '' } : {}),
  });
}

/** One direction's PolicyRules: the allow references of its map entries, grouped by port. */
function directionRules(entries: EndpointPolicy['ingress']['entries'], uidOf: PolicyUid): RealizedRule[] {
  const byPort = new Map<string, RuleReference[]>();
  for (const byKey of entries.values())
    for (const entry of byKey.values())
      for (const reference of entry.derivedFrom) {
        if (reference.origin.kind === 'agent') continue;
        byPort.set(reference.port, [...(byPort.get(reference.port) ?? []), reference]);
      }
  return [...byPort.keys()].sort().map((port) => {
    const references = byPort.get(port) ?? [];
    const labelSets = new Map<string, string[]>();
    for (const reference of references) {
      const labels = policyLabels(reference, uidOf);
      labelSets.set(labels.join(' '), labels);
    }
    return { rule: filterJson(port, references), 'derived-from-rules': [...labelSets.values()] };
  });
}

/** The realized `l4` of an endpoint's policy. */
export function realizedL4(
  policy: EndpointPolicy | undefined,
  uidOf: PolicyUid,
): { ingress: RealizedRule[]; egress: RealizedRule[] } {
  if (policy === undefined) return { ingress: [], egress: [] };
  return {
    ingress: directionRules(policy.ingress.entries, uidOf),
    egress: directionRules(policy.egress.entries, uidOf),
  };
}
