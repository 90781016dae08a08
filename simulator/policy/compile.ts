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
import { agentAllowances, selectRules, type DirectionEnforcement, type Selection } from './enforcement';
import type { L7Rules } from './model';
import {
  originToString,
  type AuthType,
  type Direction,
  type NormalizedRule,
  type PortSpec,
  type SubjectRule,
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
import { withRequirements } from './requirements';
import type { PolicyRepository } from './repository';
import { indexLabels, type IndexedLabels } from './selector-match';
import { reservedIdentityNames } from '../cilium/reserved-identities';

/** Rules that reach the same entries through the same peer and key: stored once, shared by those entries. */
interface ContributionGroup {
  readonly references: RuleReference[];
  hasL7: boolean;
  hasPlain: boolean;
  auth: AuthType;
  /** The first L7 parser of the group's rules, and whether another one appears too (a conflict). */
  parser: L7Rules['type'] | undefined;
  mixedParsers: boolean;
  /** True for entries the agent adds itself (allow-localhost, ...), which are not rules and never widen L7. */
  readonly agent: boolean;
}

/**
 * A policy-map entry, built in place: rule groups are added while compiling, then `finalize` settles
 * deny, proxy port and auth. The rules behind it are only listed when asked, since a wildcard peer
 * can put thousands of rules behind every entry.
 */
const noGroups: readonly ContributionGroup[] = Object.freeze([]);

class CompiledEntry implements PolicyMapEntry {
  // Most entries never get a deny (and some never an allow): share one empty list until they do.
  allows: readonly ContributionGroup[] = noGroups;
  denies: readonly ContributionGroup[] = noGroups;
  deny = false;
  proxyPort = 0;
  authType: AuthType = 0;
  private l7Groups: readonly ContributionGroup[] | undefined;
  private union: L7Policy | undefined;
  private derived: readonly RuleReference[] | undefined;

  constructor(
    readonly direction: Direction,
    readonly identity: number,
    readonly key: PortKey,
  ) {}

  addAllow(group: ContributionGroup): void {
    if (this.allows === noGroups) this.allows = [group];
    else (this.allows as ContributionGroup[]).push(group);
  }

  addDeny(group: ContributionGroup): void {
    if (this.denies.includes(group)) return;
    if (this.denies === noGroups) this.denies = [group];
    else (this.denies as ContributionGroup[]).push(group);
  }

  /** Settles the value once every contribution is in; `wildcard` is the same key's any-peer entry. */
  finalize(wildcard: CompiledEntry | undefined, warnings: string[]): void {
    this.deny = this.denies.length > 0;
    if (this.deny) return;
    let auth: AuthType = 0;
    for (const group of this.allows) if (group.auth > auth) auth = group.auth;
    this.authType = auth;
    // The proxy sees every rule on this port, including any-peer ones that also cover this identity.
    const wildcardAllows = wildcard && !wildcard.deny && wildcard.denies.length === 0 ? wildcard.allows : [];
    let parser: L7Rules['type'] | undefined;
    let conflict = false;
    // Plain loops: this runs for every entry of the map.
    for (let list = 0; list < 2; list += 1) {
      for (const group of list === 0 ? this.allows : wildcardAllows) {
        if (!group.parser) continue;
        if (parser === undefined) parser = group.parser;
        if (group.parser !== parser || group.mixedParsers) conflict = true;
      }
    }
    if (parser === undefined) return;
    const contributors = wildcardAllows.length > 0 ? [...this.allows, ...wildcardAllows] : this.allows;
    // Conflicting parsers are rare; building the union now records the agent's warning.
    if (conflict) unionL7(flatten(contributors), this.direction, warnings);
    this.l7Groups = contributors;
    this.proxyPort = proxyPorts[`${parser}-${this.direction}`] ?? 0;
  }

  /** The proxy's rule union, built on first use (only redirected entries have one). */
  get l7(): L7Policy | undefined {
    if (!this.l7Groups) return undefined;
    return (this.union ??= unionL7(flatten(this.l7Groups), this.direction, []).l7);
  }

  get derivedFrom(): readonly RuleReference[] {
    return (this.derived ??= flatten(this.deny ? this.denies : this.allows));
  }

  get overriddenAllows(): readonly RuleReference[] {
    return this.deny ? flatten(this.allows) : [];
  }
}

class EntryTable {
  readonly byIdentity = new Map<number, Map<number, CompiledEntry>>();

  constructor(readonly direction: Direction) {}

  entry(identity: number, key: PortKey): CompiledEntry {
    let table = this.byIdentity.get(identity);
    if (!table) {
      table = new Map();
      this.byIdentity.set(identity, table);
    }
    const subKey = subKeyOf(key);
    let entry = table.get(subKey);
    if (!entry) {
      entry = new CompiledEntry(this.direction, identity, key);
      table.set(subKey, entry);
    }
    return entry;
  }

  find(identity: number, key: PortKey): CompiledEntry | undefined {
    return this.byIdentity.get(identity)?.get(subKeyOf(key));
  }

  *all(): Generator<CompiledEntry> {
    for (const table of this.byIdentity.values()) yield* table.values();
  }
}

function singleGroup(reference: RuleReference): ContributionGroup {
  return {
    references: [reference],
    hasL7: reference.l7 !== undefined,
    hasPlain: reference.l7 === undefined,
    auth: reference.authType,
    parser: reference.l7?.type,
    mixedParsers: false,
    agent: true,
  };
}

function flatten(groups: readonly ContributionGroup[]): readonly RuleReference[] {
  const [first] = groups;
  if (groups.length === 1 && first) return first.references;
  return groups.flatMap((group) => group.references);
}

/** Whether two port keys share any (protocol, port). */
function portKeysOverlap(a: PortKey, b: PortKey): boolean {
  if (a.protocol === 0 || b.protocol === 0) return true;
  if (a.protocol !== b.protocol) return false;
  const prefix = Math.min(a.prefix, b.prefix);
  const shift = 16 - prefix;
  return a.port >>> shift === b.port >>> shift;
}

/** The narrower of two overlapping port keys (their intersection). */
function narrowerPortKey(a: PortKey, b: PortKey): PortKey {
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
    selectorKey: peer.cacheKey,
    port,
    deny: rule.deny,
    authType: rule.authType,
    ...(rule.l7 ? { l7: rule.l7 } : {}),
    ...(rule.serverNames.length > 0 ? { serverNames: rule.serverNames } : {}),
    ...(rule.terminatingTLS ? { terminatingTLS: rule.terminatingTLS } : {}),
    ...(rule.originatingTLS ? { originatingTLS: rule.originatingTLS } : {}),
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

/** A peer, a key and the rules reaching the entries they produce. */
interface PeerKeyGroup {
  readonly peer: PeerMatcher;
  readonly key: PortKey;
  readonly deny: boolean;
  readonly group: ContributionGroup;
}

/** The identity-independent part of a direction's policy (Cilium caches the like per subject). */
interface GroupedStatements {
  readonly groups: readonly PeerKeyGroup[];
  readonly l7Keys: readonly PortKey[];
}

function groupStatements(
  statements: readonly NormalizedRule[],
  layout: MapLayout,
  resolve: (name: string) => readonly NamedPortValue[],
): GroupedStatements {
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
          parser: undefined,
          mixedParsers: false,
          agent: false,
        };
        found = { peer: item.peer, key: item.key, deny: rule.deny, group };
        groups.set(item.groupKey, found);
      }
      found.group.references.push(item.reference);
      if (rule.authType > found.group.auth) found.group.auth = rule.authType;
      if (rule.l7) {
        found.group.hasL7 = true;
        if (found.group.parser === undefined) found.group.parser = rule.l7.type;
        else if (found.group.parser !== rule.l7.type) found.group.mixedParsers = true;
      } else found.group.hasPlain = true;
    }
  }
  return { groups: [...groups.values()], l7Keys: l7PortKeys(statements, layout, resolve) };
}

// Grouped statements by the repository's rule list (one per revision) and by which rules select the endpoint.
const groupedCache = new WeakMap<readonly SubjectRule[], Map<string, GroupedStatements>>();
const ruleIndexes = new WeakMap<readonly SubjectRule[], Map<SubjectRule, number>>();

function cachedGroups(
  selection: Selection,
  direction: Direction,
  layout: MapLayout,
  statements: readonly NormalizedRule[],
  resolve: (name: string) => readonly NamedPortValue[],
): GroupedStatements {
  // Named ports resolve per endpoint, so such selections are grouped afresh every time.
  if (statements.some((rule) => rule.ports?.some((spec) => typeof spec.port === 'string'))) {
    return groupStatements(statements, layout, resolve);
  }
  let indexes = ruleIndexes.get(selection.all);
  if (!indexes) {
    indexes = new Map(selection.all.map((rule, index) => [rule, index]));
    ruleIndexes.set(selection.all, indexes);
  }
  const key = `${layout}|${direction}|${selection.selecting.map((rule) => indexes.get(rule) ?? -1).join(',')}`;
  let byKey = groupedCache.get(selection.all);
  if (!byKey) {
    byKey = new Map();
    groupedCache.set(selection.all, byKey);
  }
  let grouped = byKey.get(key);
  if (!grouped) {
    grouped = groupStatements(statements, layout, resolve);
    if (byKey.size > 256) byKey.clear();
    byKey.set(key, grouped);
  }
  return grouped;
}

function buildDirection(
  direction: Direction,
  enforcement: DirectionEnforcement,
  grouping: (resolve: (name: string) => readonly NamedPortValue[]) => GroupedStatements,
  endpoint: PolicyEndpoint,
  config: PolicyEngineConfig,
  expand: (peer: PeerMatcher) => readonly number[],
  warnings: string[],
): DirectionPolicy {
  const table = new EntryTable(direction);
  for (const allowance of agentAllowances(direction, enforcement, endpoint, config)) {
    table.entry(allowance.identity, anyPortKey).addAllow(singleGroup(allowance.reference));
  }
  if (enforcement.enforced) {
    const grouped = grouping(namedPortResolver(direction, endpoint, config));
    for (const { peer, key, deny, group } of grouped.groups) {
      if (deny) for (const id of expand(peer)) table.entry(id, key).addDeny(group);
      else for (const id of expand(peer)) table.entry(id, key).addAllow(group);
    }
    widenIntoL7Ports(table, grouped.l7Keys);
    resolveDenyPrecedence(table);
  }
  const prefixes = new Set<number>();
  for (const entry of table.all()) {
    if (entry.denies.length > 0) entry.deny = true;
  }
  for (const entry of table.all()) {
    const wildcard = entry.identity !== 0 && entry.key.protocol !== 0 ? table.find(0, entry.key) : undefined;
    entry.finalize(wildcard, warnings);
    if (entry.key.protocol !== 0 && entry.key.prefix !== 0 && entry.key.prefix !== 16)
      prefixes.add(entry.key.prefix);
  }
  return {
    enforced: enforcement.enforced,
    defaultDeny: enforcement.enforced && enforcement.defaultDeny,
    selectedBy: enforcement.selectedBy,
    entries: table.byIdentity,
    rangePrefixes: [...prefixes].sort((a, b) => b - a),
  };
}

/** Whether `outer` covers every (protocol, port) of `inner` and more. */
export function strictlyBroader(outer: PortKey, inner: PortKey): boolean {
  if (inner.protocol === 0) return false;
  if (outer.protocol === 0) return true;
  return outer.protocol === inner.protocol && outer.prefix < inner.prefix && portKeysOverlap(outer, inner);
}

/** The distinct keys that carry L7 rules of some allow statement with a peer (whoever that peer selects). */
export function l7PortKeys(
  statements: readonly NormalizedRule[],
  layout: MapLayout,
  resolve: (name: string) => readonly NamedPortValue[],
): PortKey[] {
  const keys = new Map<number, PortKey>();
  for (const rule of statements) {
    if (rule.deny || !rule.l7) continue;
    for (const { key } of statementItems(rule, layout, resolve)) keys.set(subKeyOf(key), key);
  }
  return [...keys.values()];
}

/**
 * A port with L7 rules is redirected to the proxy, so a broader allow of the same peer (L3-only,
 * protocol-wide or a wider range) would be narrowed by those rules. As the agent does
 * (`wildcardL3L4Rules`), such allows are copied into the L7 port's key, where they widen the
 * proxy's rules to allow-all for that peer. Only the entries as written are copied, never copies.
 */
function widenIntoL7Ports(table: EntryTable, l7Keys: readonly PortKey[]): void {
  if (l7Keys.length === 0) return;
  const copies: { identity: number; key: PortKey; groups: ContributionGroup[] }[] = [];
  for (const entry of table.all()) {
    if ((entry.key.protocol !== 0 && entry.key.prefix === 16) || entry.allows.length === 0) continue;
    const ruleGroups: ContributionGroup[] = [];
    for (const group of entry.allows) if (!group.agent) ruleGroups.push(group);
    if (ruleGroups.length === 0) continue;
    for (const key of l7Keys) {
      if (strictlyBroader(entry.key, key)) copies.push({ identity: entry.identity, key, groups: ruleGroups });
    }
  }
  for (const copy of copies) {
    const target = table.entry(copy.identity, copy.key);
    for (const group of copy.groups) if (!target.allows.includes(group)) target.addAllow(group);
  }
}

/**
 * Makes every allow entry that a deny overlaps lose: the overlap gets its own deny entry, at least as
 * specific as the allow, so whatever the datapath probes first is a deny (`denyPreferredInsert`).
 */
function resolveDenyPrecedence(table: EntryTable): void {
  const byIdentity = new Map<number, CompiledEntry[]>();
  let anyDeny = false;
  for (const entry of table.all()) {
    if (entry.denies.length === 0) continue;
    anyDeny = true;
    const list = byIdentity.get(entry.identity);
    if (list) list.push(entry);
    else byIdentity.set(entry.identity, [entry]);
  }
  if (!anyDeny) return;
  const allDenies = [...byIdentity.values()].flat();
  const wildcardDenies = byIdentity.get(0) ?? [];
  const additions: { identity: number; key: PortKey; groups: readonly ContributionGroup[] }[] = [];
  const consider = (allow: CompiledEntry, deny: CompiledEntry): void => {
    if (deny === allow || !portKeysOverlap(allow.key, deny.key)) return;
    additions.push({
      identity: allow.identity === 0 ? deny.identity : allow.identity,
      key: narrowerPortKey(allow.key, deny.key),
      groups: deny.denies,
    });
  };
  for (const allow of table.all()) {
    if (allow.denies.length > 0 || allow.allows.length === 0) continue;
    if (allow.identity === 0) {
      for (const deny of allDenies) consider(allow, deny);
      continue;
    }
    for (const deny of byIdentity.get(allow.identity) ?? []) consider(allow, deny);
    for (const deny of wildcardDenies) consider(allow, deny);
  }
  for (const addition of additions) {
    const entry = table.entry(addition.identity, addition.key);
    for (const group of addition.groups) entry.addDeny(group);
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
  // The selector cache of this computation: each distinct peer is expanded once, for both directions.
  const expansion = new Map<string, readonly number[]>();
  const wildcardOnly: readonly number[] = [0];
  const expand = (peer: PeerMatcher): readonly number[] => {
    if (peer.wildcard) return wildcardOnly;
    const cached = expansion.get(peer.cacheKey);
    if (cached) return cached;
    const selected: number[] = [];
    const all = lazyIdentities();
    for (let index = 0; index < all.length; index += 1) {
      const known = all[index];
      if (known && peer.matches(known[0], known[1])) selected.push(known[0]);
    }
    expansion.set(peer.cacheKey, selected);
    return selected;
  };
  const statements = withRequirements(selection.selecting.flatMap((rule) => rule.statements));
  const build = (direction: Direction): DirectionPolicy =>
    buildDirection(
      direction,
      selection[direction],
      (resolve) =>
        cachedGroups(
          selection,
          direction,
          layout,
          statements.filter((statement) => statement.direction === direction),
          resolve,
        ),
      endpoint,
      config,
      expand,
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
