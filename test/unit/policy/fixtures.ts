// Shared fixtures for the policy tests: pods with Cilium's derived labels, and a one-call way to load
// YAML into a repository and ask the compiled map (and the oracle) about a connection.
import { expect } from 'vitest';
import { podSecurityLabels, type LabelSet } from '../../../simulator/cilium/labels';
import {
  computeEndpointPolicy,
  evaluatePolicyOracle,
  lookupPolicy,
  MapIdentityDirectory,
  PolicyRepository,
  type EndpointPolicy,
  type FlowProtocol,
  type PolicyEndpoint,
  type PolicyEngineConfig,
  type PolicyVerdict,
} from '../../../simulator/policy';
import { parsePolicyDocuments } from '../../../simulator/cilium/policy-documents';

/** Labels of a pod in a namespace, as the agent derives them. */
export function pod(
  labels: Record<string, string>,
  namespace = 'default',
  serviceAccount = 'default',
  namespaceLabels: Record<string, string> = {},
): LabelSet {
  return podSecurityLabels({
    podLabels: labels,
    namespace,
    namespaceLabels: { 'kubernetes.io/metadata.name': namespace, ...namespaceLabels },
    serviceAccount,
    clusterName: 'default',
  });
}

/** Default engine configuration for a version. */
export function configFor(version: string, overrides: Partial<PolicyEngineConfig> = {}): PolicyEngineConfig {
  return { enforcementMode: 'default', auditMode: false, ciliumVersion: version, ...overrides };
}

/** A repository loaded from YAML; fails the test if any document is refused. */
export function repositoryFrom(yaml: string): PolicyRepository {
  // The agents of these tests run with nodeSelectorLabels=true, so fromNodes/toNodes rules import.
  const parsed = parsePolicyDocuments(yaml, { nodeSelectorLabels: true });
  expect(parsed.errors).toEqual([]);
  const repo = new PolicyRepository();
  for (const object of parsed.objects) repo.upsert(object);
  return repo;
}

/** A small cluster: named identities plus the endpoint under test. */
export class PolicyWorld {
  readonly directory: MapIdentityDirectory;
  private readonly ids = new Map<string, number>();

  constructor(
    readonly repo: PolicyRepository,
    identities: Record<string, readonly [number, LabelSet]>,
  ) {
    for (const [name, [id]] of Object.entries(identities)) this.ids.set(name, id);
    this.directory = new MapIdentityDirectory(Object.values(identities));
  }

  id(name: string): number {
    const id = this.ids.get(name);
    if (id === undefined) throw new Error(`unknown identity ${name}`);
    return id;
  }

  endpoint(name: string, extra: Partial<PolicyEndpoint> = {}): PolicyEndpoint {
    const id = this.id(name);
    const labels = this.directory.labelsOf(id) ?? {};
    return { identity: id, labels, namespace: labels['k8s:io.kubernetes.pod.namespace'] ?? '', ...extra };
  }

  policy(endpoint: PolicyEndpoint, config: PolicyEngineConfig): EndpointPolicy {
    return computeEndpointPolicy(this.repo, endpoint, this.directory, config);
  }

  /** Asks both evaluators and checks they agree before returning the map's verdict. */
  verdict(
    endpoint: PolicyEndpoint,
    config: PolicyEngineConfig,
    direction: 'ingress' | 'egress',
    remote: string | number,
    port: number,
    protocol: FlowProtocol = 'TCP',
    icmpType?: number,
  ): PolicyVerdict {
    const query = {
      direction,
      remoteIdentity: typeof remote === 'number' ? remote : this.id(remote),
      port,
      protocol,
      ...(icmpType !== undefined ? { icmpType } : {}),
    };
    const fromMap = lookupPolicy(this.policy(endpoint, config), query);
    const fromOracle = evaluatePolicyOracle(this.repo, endpoint, this.directory, config, query);
    expect(summaryOf(fromOracle)).toEqual(summaryOf(fromMap));
    return fromMap;
  }
}

/** The comparable part of a verdict. */
export function summaryOf(verdict: PolicyVerdict): Record<string, unknown> {
  return {
    decision: verdict.decision,
    matchType: verdict.matchType,
    dropReason: verdict.dropReason,
    proxyPort: verdict.proxyPort,
    authType: verdict.authType,
    l7Parser: verdict.l7?.parser,
    l7AllowAll: verdict.l7?.allowAll,
    l7Rules: verdict.l7?.rules
      .map((rule) => `${rule.reference.rule}|${rule.reference.peer}|${rule.reference.port}`)
      .sort(),
    rules: verdict.explanation.rules.map((rule) => `${rule.rule}|${rule.peer}|${rule.port}`).sort(),
    layer: verdict.explanation.layer,
  };
}

/** Both versions whose lookup orders differ. */
export const versions = ['1.12.0', '1.18.5'] as const;
