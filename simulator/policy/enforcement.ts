/**
 * Which rules select an endpoint and, per direction, whether policy is enforced and whether default
 * deny applies. Shared by the map compiler and the oracle: both must agree on who is selected.
 */
import type { EndpointPolicy, PolicyEndpoint, PolicyEngineConfig, RuleReference } from './endpoint-policy';
import {
  originToString,
  type Direction,
  type EndpointSubject,
  type NormalizeOptions,
  type RuleOrigin,
  type SubjectRule,
} from './normalize';
import { supportsEnableDefaultDeny, versionAtLeast } from './policy-key';
import type { PolicyRepository } from './repository';
import { indexLabels } from './selector-match';

/** Enforcement state of one direction. */
export interface DirectionEnforcement {
  readonly enforced: boolean;
  readonly defaultDeny: boolean;
  readonly selectedBy: readonly string[];
}

/** The rules selecting an endpoint and the enforcement they imply. */
export interface Selection {
  /** Every normalized rule of the repository (stable until the repository changes). */
  readonly all: readonly SubjectRule[];
  readonly selecting: readonly SubjectRule[];
  readonly ingress: DirectionEnforcement;
  readonly egress: DirectionEnforcement;
}

const optionsCache = new WeakMap<PolicyEngineConfig, NormalizeOptions>();

/** Normalization options derived from a config, kept stable per config object so caches hit. */
function normalizeOptionsFor(config: PolicyEngineConfig): NormalizeOptions {
  const cached = optionsCache.get(config);
  if (cached) return cached;
  const options: NormalizeOptions = {
    services: config.services ?? [],
    ...(config.clusterName !== undefined ? { clusterName: config.clusterName } : {}),
  };
  optionsCache.set(config, options);
  return options;
}

/** The endpoint as subject rules see it. */
function endpointSubject(endpoint: PolicyEndpoint): EndpointSubject {
  return { labels: indexLabels(endpoint.labels), isHost: endpoint.isHost === true };
}

/** Finds the selecting rules and derives per-direction enforcement for the configured mode. */
export function selectRules(
  repo: PolicyRepository,
  endpoint: PolicyEndpoint,
  config: PolicyEngineConfig,
): Selection {
  const rules = repo.subjectRules(normalizeOptionsFor(config), {
    enableDefaultDeny: supportsEnableDefaultDeny(config.ciliumVersion),
    explicitDefaultDeny: versionAtLeast(config.ciliumVersion, 1, 17),
    authentication: versionAtLeast(config.ciliumVersion, 1, 14),
    namespacedInitPolicies: !versionAtLeast(config.ciliumVersion, 1, 15),
  });
  const subject = endpointSubject(endpoint);
  const selecting = rules.filter((rule) => rule.selects(subject));
  const direction = (name: Direction): DirectionEnforcement => {
    const withSection = selecting.filter((rule) => rule.directions.includes(name));
    const selectedBy = withSection.map((rule) => originToString(rule.origin));
    if (config.enforcementMode === 'never') return { enforced: false, defaultDeny: false, selectedBy };
    if (config.enforcementMode === 'always') return { enforced: true, defaultDeny: true, selectedBy };
    return {
      enforced: withSection.length > 0,
      defaultDeny: withSection.some((rule) => rule.defaultDeny.includes(name)),
      selectedBy,
    };
  };
  return { all: rules, selecting, ingress: direction('ingress'), egress: direction('egress') };
}

/** Origins of entries the agent adds on its own rather than from a rule. */
function agentOrigin(name: string): RuleOrigin {
  return { kind: 'agent', name, section: 'agent', specPath: '', ruleIndex: 0 };
}

/** A reference for an agent-made allow-all entry. */
function agentReference(name: string, peer: string): RuleReference {
  return {
    origin: agentOrigin(name),
    rule: `agent: ${name}`,
    peer,
    port: 'all ports',
    deny: false,
    authType: 0,
  };
}

/** The allow entries the agent adds itself for an enforced direction. */
export function agentAllowances(
  direction: Direction,
  enforcement: DirectionEnforcement,
  endpoint: PolicyEndpoint,
  config: PolicyEngineConfig,
): { identity: number; reference: RuleReference }[] {
  if (!enforcement.enforced) {
    return [{ identity: 0, reference: agentReference('policy enforcement disabled', 'any peer') }];
  }
  const allowances: { identity: number; reference: RuleReference }[] = [];
  if (!enforcement.defaultDeny) {
    allowances.push({
      identity: 0,
      reference: agentReference('enableDefaultDeny: false (no default deny)', 'any peer'),
    });
  }
  if (direction === 'ingress' && config.allowLocalhost !== 'policy' && endpoint.isHost !== true) {
    allowances.push({
      identity: 1,
      reference: agentReference('allow-localhost (traffic from the local host)', 'reserved:host'),
    });
  }
  return allowances;
}

/** Summary of a policy's enforcement, as `cilium endpoint list` shows it. */
export function enforcementText(policy: EndpointPolicy, direction: Direction): string {
  const state = policy[direction];
  if (!state.enforced) return 'Disabled';
  return policy.auditMode ? 'Disabled (Audit)' : 'Enabled';
}
