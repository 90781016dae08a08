/**
 * Compiles the rules that select an endpoint into its policy map, as the agent's selector cache and
 * map-state builder do: peers expand to the identities they select (identity 0 for wildcards), ports
 * become keys for the version's map layout, deny precedence is settled here (never in the datapath)
 * and each redirected entry gets the union of L7 rules for its peer and port.
 */
import {
  proxyPorts,
  resolveIdentityLabels,
  type DirectionPolicy,
  type EndpointPolicy,
  type IdentityDirectory,
  type L7Policy,
  type PolicyEndpoint,
  type PolicyEngineConfig,
  type PolicyMapEntry,
  type RuleReference,
} from './endpoint-policy';
import { agentAllowances, selectRules, type DirectionEnforcement } from './enforcement';
import type { L7Rules } from './model';
import {
  originToString,
  type AuthType,
  type Direction,
  type NormalizedRule,
  type PortSpec,
} from './normalize';
import type { PeerMatcher } from './peer-matchers';
import {
  anyPortKey,
  layoutFor,
  portKeysFor,
  subKeyOf,
  type MapLayout,
  type NamedPortValue,
  type PortKey,
} from './policy-key';
import type { PolicyRepository } from './repository';
import { indexLabels, type IndexedLabels } from './selector-match';
import { reservedIdentityNames } from '../cilium/reserved-identities';

/** Rules that reach the same entries through the same peer and key: stored once, shared by those entries. */
interface ContributionGroup {
  readonly references: RuleReference[];
  hasL7: boolean;
  hasPlain: boolean;
  auth: AuthType;
  /** The L7 parsers of the group's rules (more than one is a conflict the agent reports). */
  readonly parsers: Set<L7Rules['type']>;
}

/**
 * A finished map entry. The rules behind it are kept as shared groups and only listed when asked,
 * since a wildcard peer can put thousands of rules behind every entry.
 */
class CompiledEntry implements PolicyMapEntry {
  private derived: readonly RuleReference[] | undefined;
  private overridden: readonly RuleReference[] | undefined;
  private union: L7Policy | undefined;

  constructor(
    readonly direction: Direction,
    readonly identity: number,
    readonly key: PortKey,
    readonly deny: boolean,
    readonly proxyPort: number,
    readonly authType: AuthType,
    private readonly l7Groups: readonly ContributionGroup[] | undefined,
    private readonly groups: readonly ContributionGroup[],
    private readonly overriddenGroups: readonly ContributionGroup[],
  ) {}

  /** The proxy's rule union, built on first use (only redirected entries have one). */
  get l7(): L7Policy | undefined {
    if (!this.l7Groups) return undefined;
    return (this.union ??= unionL7(flatten(this.l7Groups), this.direction, []).l7);
  }

  get derivedFrom(): readonly RuleReference[] {
    return (this.derived ??= flatten(this.groups));
  }

  get overriddenAllows(): readonly RuleReference[] {
    return (this.overridden ??= flatten(this.overriddenGroups));
  }
}

interface BuildingEntry {
  readonly identity: number;
  readonly key: PortKey;
  readonly allows: ContributionGroup[];
  readonly denies: ContributionGroup[];
}

class EntryTable {
  readonly byIdentity = new Map<number, Map<number, BuildingEntry>>();

  entry(identity: number, key: PortKey): BuildingEntry {
    let table = this.byIdentity.get(identity);
    if (!table) {
      table = new Map();
      this.byIdentity.set(identity, table);
    }
    const subKey = subKeyOf(key);
    let entry = table.get(subKey);
    if (!entry) {
      entry = { identity, key, allows: [], denies: [] };
      table.set(subKey, entry);
    }
    return entry;
  }

  find(identity: number, key: PortKey): BuildingEntry | undefined {
    return this.byIdentity.get(identity)?.get(subKeyOf(key));
  }

  *all(): Generator<BuildingEntry> {
    for (const table of this.byIdentity.values()) yield* table.values();
  }
}

function singleGroup(reference: RuleReference): ContributionGroup {
  return {
    references: [reference],
    hasL7: reference.l7 !== undefined,
    hasPlain: reference.l7 === undefined,
    auth: reference.authType,
    parsers: new Set(reference.l7 ? [reference.l7.type] : []),
  };
}

function flatten(groups: readonly ContributionGroup[]): readonly RuleReference[] {
  const [first] = groups;
  if (groups.length === 1 && first) return first.references;
  return groups.flatMap((group) => group.references);
}

/** Whether two port keys share any (protocol, port). */
export function portKeysOverlap(a: PortKey, b: PortKey): boolean {
  if (a.protocol === 0 || b.protocol === 0) return true;
  if (a.protocol !== b.protocol) return false;
  const prefix = Math.min(a.prefix, b.prefix);
  const shift = 16 - prefix;
  return a.port >>> shift === b.port >>> shift;
}

/** The narrower of two overlapping port keys (their intersection). */
export function narrowerPortKey(a: PortKey, b: PortKey): PortKey {
  if (a.protocol === 0) return b;
  if (b.protocol === 0) return a;
  return a.prefix >= b.prefix ? a : b;
}

/** Every identity the agent knows, reserved ones included, with indexed labels. */
function knownIdentities(identities: IdentityDirectory): [number, IndexedLabels][] {
  const known = new Map<number, IndexedLabels>();
  for (const [id, labels] of identities.entries()) known.set(id, indexLabels(labels));
  for (const id of Object.keys(reservedIdentityNames).map(Number)) {
    if (known.has(id)) continue;
    const labels = resolveIdentityLabels(identities, id);
    if (labels) known.set(id, indexLabels(labels));
  }
  return [...known.entries()].sort((a, b) => a[0] - b[0]);
}

/** The reference recorded for one rule, peer and port. */
export function referenceFor(rule: NormalizedRule, peer: PeerMatcher, port: string): RuleReference {
  return {
    origin: rule.origin,
    rule: originToString(rule.origin),
    peer: peer.description,
    port,
    deny: rule.deny,
    authType: rule.authType,
    ...(rule.l7 ? { l7: rule.l7 } : {}),
  };
}

/** The named-port resolver for a direction: the endpoint's own ports on ingress, the cluster's on egress. */
export function namedPortResolver(
  direction: Direction,
  endpoint: PolicyEndpoint,
  config: PolicyEngineConfig,
): (name: string) => readonly NamedPortValue[] {
  if (direction === 'ingress') {
    const ports = endpoint.namedPorts ?? {};
    return (name) => (Object.hasOwn(ports, name) && ports[name] ? [ports[name]] : []);
  }
  const ports = config.egressNamedPorts ?? {};
  return (name) => (Object.hasOwn(ports, name) ? (ports[name] ?? []) : []);
}

/** The port keys of a statement (L3-only when it has no ports). */
export function statementPortKeys(
  rule: NormalizedRule,
  layout: MapLayout,
  resolve: (name: string) => readonly NamedPortValue[],
): { key: PortKey; spec?: PortSpec }[] {
  if (!rule.ports) return [{ key: anyPortKey }];
  return rule.ports.flatMap((spec) => portKeysFor(spec, layout, resolve).map((key) => ({ key, spec })));
}

/** The L7 policy of an entry: the union of its contributors' rules; an L4-only contributor widens it to allow-all. */
export function unionL7(
  contributors: readonly RuleReference[],
  direction: Direction,
  warnings: string[],
): { l7?: L7Policy; proxyPort: number } {
  const withL7 = contributors.filter(
    (reference): reference is RuleReference & { l7: L7Rules } => reference.l7 !== undefined,
  );
  const first = withL7[0];
  if (!first) return { proxyPort: 0 };
  const parser = first.l7.type;
  const rules: { reference: RuleReference; rules: L7Rules }[] = [];
  for (const reference of withL7) {
    if (reference.l7.type !== parser) {
      warnings.push(
        `cannot merge conflicting L7 parsers (${parser} and ${reference.l7.type}) for ${reference.rule}`,
      );
      continue;
    }
    rules.push({ reference, rules: reference.l7 });
  }
  const allowAll = contributors.some((reference) => reference.l7 === undefined && !reference.deny);
  const proxyPort = proxyPorts[`${parser}-${direction}`] ?? 0;
  return { proxyPort, l7: { parser, allowAll, rules, serverNames: [] } };
}

/** One (peer, key) a statement contributes, with its group key and reference, computed once per statement. */
interface StatementItem {
  readonly peer: PeerMatcher;
  readonly key: PortKey;
  readonly groupKey: string;
  readonly reference: RuleReference;
}

const itemCache = new WeakMap<NormalizedRule, Partial<Record<MapLayout, readonly StatementItem[]>>>();

function statementItems(
  rule: NormalizedRule,
  layout: MapLayout,
  resolve: (name: string) => readonly NamedPortValue[],
): readonly StatementItem[] {
  // Named ports depend on the endpoint, so only statements without them are cached.
  const cacheable = !rule.ports?.some((spec) => typeof spec.port === 'string');
  const cached = cacheable ? itemCache.get(rule)?.[layout] : undefined;
  if (cached) return cached;
  const items: StatementItem[] = [];
  const keys = statementPortKeys(rule, layout, resolve);
  for (const peer of rule.peers) {
    for (const { key, spec } of keys) {
      items.push({
        peer,
        key,
        groupKey: `${rule.deny ? 'd' : 'a'}|${subKeyOf(key)}|${peer.cacheKey}`,
        reference: referenceFor(rule, peer, spec?.text ?? 'all ports'),
      });
    }
  }
  if (cacheable) itemCache.set(rule, { ...itemCache.get(rule), [layout]: items });
  return items;
}

function buildDirection(
  direction: Direction,
  enforcement: DirectionEnforcement,
  statements: readonly NormalizedRule[],
  endpoint: PolicyEndpoint,
  config: PolicyEngineConfig,
  layout: MapLayout,
  identities: () => [number, IndexedLabels][],
  warnings: string[],
): DirectionPolicy {
  const table = new EntryTable();
  for (const allowance of agentAllowances(direction, enforcement, endpoint, config)) {
    table.entry(allowance.identity, anyPortKey).allows.push(singleGroup(allowance.reference));
  }
  if (enforcement.enforced) {
    const resolve = namedPortResolver(direction, endpoint, config);
    const expansion = new Map<string, number[]>();
    const expand = (peer: PeerMatcher): number[] => {
      if (peer.wildcard) return [0];
      const cached = expansion.get(peer.cacheKey);
      if (cached) return cached;
      const selected: number[] = [];
      for (const [id, labels] of identities()) if (peer.matches(id, labels)) selected.push(id);
      expansion.set(peer.cacheKey, selected);
      return selected;
    };
    // Group first: many rules share a peer and a key, and each entry then holds one group, not every rule.
    const groups = new Map<
      string,
      { peer: PeerMatcher; key: PortKey; deny: boolean; group: ContributionGroup }
    >();
    for (const rule of statements) {
      for (const item of statementItems(rule, layout, resolve)) {
        let found = groups.get(item.groupKey);
        if (!found) {
          const group: ContributionGroup = {
            references: [],
            hasL7: false,
            hasPlain: false,
            auth: 0,
            parsers: new Set(),
          };
          found = { peer: item.peer, key: item.key, deny: rule.deny, group };
          groups.set(item.groupKey, found);
        }
        found.group.references.push(item.reference);
        if (rule.authType > found.group.auth) found.group.auth = rule.authType;
        if (rule.l7) {
          found.group.hasL7 = true;
          found.group.parsers.add(rule.l7.type);
        } else found.group.hasPlain = true;
      }
    }
    for (const { peer, key, deny, group } of groups.values()) {
      for (const id of expand(peer)) table.entry(id, key)[deny ? 'denies' : 'allows'].push(group);
    }
    resolveDenyPrecedence(table);
  }
  const entries = new Map<number, Map<number, PolicyMapEntry>>();
  const prefixes = new Set<number>();
  for (const entry of table.all()) {
    const deny = entry.denies.length > 0;
    let value: PolicyMapEntry;
    if (deny) {
      value = new CompiledEntry(
        direction,
        entry.identity,
        entry.key,
        true,
        0,
        0,
        undefined,
        entry.denies,
        entry.allows,
      );
    } else {
      // The proxy sees every rule on this port, including wildcard-peer ones that also cover this identity.
      const wildcard =
        entry.identity !== 0 && entry.key.protocol !== 0 ? table.find(0, entry.key) : undefined;
      const wildcardAllows = wildcard && wildcard.denies.length === 0 ? wildcard.allows : [];
      const parsers = new Set<L7Rules['type']>();
      for (const group of entry.allows) for (const parser of group.parsers) parsers.add(parser);
      for (const group of wildcardAllows) for (const parser of group.parsers) parsers.add(parser);
      const contributors =
        parsers.size > 0 && wildcardAllows.length > 0 ? [...entry.allows, ...wildcardAllows] : entry.allows;
      // Conflicting parsers are rare; building the union now records the agent's warning.
      if (parsers.size > 1) unionL7(flatten(contributors), direction, warnings);
      const [parser] = parsers;
      const proxyPort = parser ? (proxyPorts[`${parser}-${direction}`] ?? 0) : 0;
      const l7Groups = parser ? contributors : undefined;
      const authType = entry.allows.reduce<AuthType>(
        (max, group) => (group.auth > max ? group.auth : max),
        0,
      );
      value = new CompiledEntry(
        direction,
        entry.identity,
        entry.key,
        false,
        proxyPort,
        authType,
        l7Groups,
        entry.allows,
        [],
      );
    }
    let byKey = entries.get(entry.identity);
    if (!byKey) {
      byKey = new Map();
      entries.set(entry.identity, byKey);
    }
    byKey.set(subKeyOf(entry.key), value);
    if (entry.key.protocol !== 0 && entry.key.prefix !== 0 && entry.key.prefix !== 16)
      prefixes.add(entry.key.prefix);
  }
  return {
    enforced: enforcement.enforced,
    defaultDeny: enforcement.enforced && enforcement.defaultDeny,
    selectedBy: enforcement.selectedBy,
    entries,
    rangePrefixes: [...prefixes].sort((a, b) => b - a),
  };
}

/**
 * Makes every allow entry that a deny overlaps lose: the overlap gets its own deny entry, at least as
 * specific as the allow, so whatever the datapath probes first is a deny (`denyPreferredInsert`).
 */
function resolveDenyPrecedence(table: EntryTable): void {
  const denies = [...table.all()].filter((entry) => entry.denies.length > 0);
  if (denies.length === 0) return;
  const byIdentity = new Map<number, BuildingEntry[]>();
  for (const deny of denies) {
    const list = byIdentity.get(deny.identity);
    if (list) list.push(deny);
    else byIdentity.set(deny.identity, [deny]);
  }
  const wildcardDenies = byIdentity.get(0) ?? [];
  const additions: { identity: number; key: PortKey; groups: readonly ContributionGroup[] }[] = [];
  for (const allow of table.all()) {
    if (allow.denies.length > 0 || allow.allows.length === 0) continue;
    const candidates =
      allow.identity === 0 ? denies : [...(byIdentity.get(allow.identity) ?? []), ...wildcardDenies];
    for (const deny of candidates) {
      if (!portKeysOverlap(allow.key, deny.key)) continue;
      additions.push({
        identity: allow.identity === 0 ? deny.identity : allow.identity,
        key: narrowerPortKey(allow.key, deny.key),
        groups: deny.denies,
      });
    }
  }
  for (const addition of additions) {
    const entry = table.entry(addition.identity, addition.key);
    for (const group of addition.groups) if (!entry.denies.includes(group)) entry.denies.push(group);
  }
}

/** Computes an endpoint's policy: enforcement per direction and the compiled policy map. */
export function computeEndpointPolicy(
  repo: PolicyRepository,
  endpoint: PolicyEndpoint,
  identities: IdentityDirectory,
  config: PolicyEngineConfig,
): EndpointPolicy {
  const layout = layoutFor(config.ciliumVersion);
  const selection = selectRules(repo, endpoint, config);
  let known: [number, IndexedLabels][] | undefined;
  const lazyIdentities = (): [number, IndexedLabels][] => (known ??= knownIdentities(identities));
  const warnings: string[] = [];
  const statements = selection.selecting.flatMap((rule) => rule.statements);
  const build = (direction: Direction): DirectionPolicy =>
    buildDirection(
      direction,
      selection[direction],
      statements.filter((statement) => statement.direction === direction),
      endpoint,
      config,
      layout,
      lazyIdentities,
      warnings,
    );
  return {
    endpointIdentity: endpoint.identity,
    layout,
    ciliumVersion: config.ciliumVersion,
    auditMode: config.auditMode,
    dnsRejectResponseCode: config.dnsRejectResponseCode ?? 'refused',
    ingress: build('ingress'),
    egress: build('egress'),
    warnings,
    knownIdentities: new Set(lazyIdentities().map(([id]) => id)),
  };
}
