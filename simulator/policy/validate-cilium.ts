/**
 * Validates a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy document into the typed model,
 * in the two stages of a real cluster and for the release installed (release-schema.ts):
 * - the API server checks the CRD's OpenAPI schema and kubectl's strict decoding (stage
 *   `apiserver`: `kubectl apply` fails and nothing is stored);
 * - the agent sanitises each rule when it imports the stored object (stage `agent`: the object is
 *   stored but not enforced). Sanitising stops at a rule's first problem, so each rule yields at
 *   most one agent error, found in the order of Rule.Sanitize in pkg/policy/api/rule_validation.go.
 */
import { parsePrefix, prefixContains } from './cidr';
import { readObject, type ObjectReader, type ValidationContext } from './field-reader';
import { resolveIcmpType } from './icmp-types';
import {
  entityNames,
  type CidrRule,
  type CiliumRule,
  type DnsSelector,
  type EntityName,
  type IcmpField,
  type PeerSpec,
  type RuleSection,
  type RuleSectionName,
  type ServiceReference,
} from './model';
import { joinPath, type SourcePosition } from './policy-error';
import { readSelector } from './read-selector';
import { legacyCidrPattern } from './release-schema';
import type { SourceNode } from './source-tree';
import {
  findingOf,
  oneOfMessage,
  readPortRule,
  stringItem,
  type Finding,
  type PortRuleReading,
} from './validate-cilium-ports';

export { portPattern } from './validate-cilium-ports';

/** The CRD patterns for DNS names; the checks below are linear-time equivalents. */
const matchNamePattern = '^([-a-zA-Z0-9_]+[.]?)+$';
const matchPatternPattern = '^([-a-zA-Z0-9_*]+[.]?)+$';
const dnsName = /^[-a-zA-Z0-9_]+(?:\.[-a-zA-Z0-9_]+)*\.?$/;
const dnsPattern = /^[-a-zA-Z0-9_*]+(?:\.[-a-zA-Z0-9_*]+)*\.?$/;

/**
 * L3 peer fields. The agent walks a Go map to name a pair in "combining X and Y", so the real order
 * varies between runs; the simulator names them in this fixed order.
 */
const ingressPeerFields = [
  'fromEndpoints',
  'fromCIDR',
  'fromCIDRSet',
  'fromEntities',
  'fromGroups',
  'fromNodes',
] as const;
const egressPeerFields = [
  'toEndpoints',
  'toCIDR',
  'toCIDRSet',
  'toEntities',
  'toServices',
  'toFQDNs',
  'toGroups',
  'toNodes',
] as const;

/** The Go field name the agent prints in "combining X and Y". */
function goFieldName(field: string): string {
  return field.charAt(0).toUpperCase() + field.slice(1);
}

function allowedSectionKeys(context: ValidationContext, section: RuleSectionName): string[] {
  const ingress = section.startsWith('ingress');
  const deny = section.endsWith('Deny');
  const nodes = ingress ? 'fromNodes' : 'toNodes';
  const keys: string[] = [
    ...(ingress ? ingressPeerFields : egressPeerFields).filter(
      (key) => key !== nodes || context.schema.nodePeers,
    ),
    ingress ? 'fromRequires' : 'toRequires',
    'toPorts',
    'icmps',
  ];
  // Deny rules have neither L7 nor DNS-based peers, nor authentication.
  if (deny) return keys.filter((key) => key !== 'toFQDNs');
  return context.schema.authentication ? [...keys, 'authentication'] : keys;
}

/** Records a rule's first agent finding, as Rule.Sanitize returns only that one. */
function reportFirst(context: ValidationContext, findings: readonly (Finding | undefined)[]): void {
  const first = findings.find((finding) => finding !== undefined);
  if (first !== undefined) context.agent(first.path, first.position, first.message);
}

/** Reads one rule (one `spec` or one element of `specs`). */
export function readCiliumRule(
  context: ValidationContext,
  node: SourceNode,
  path: string,
  clusterwide: boolean,
): CiliumRule | undefined {
  const rule = readObject(context, node, path, [
    'endpointSelector',
    'nodeSelector',
    'ingress',
    'ingressDeny',
    'egress',
    'egressDeny',
    'labels',
    'description',
    ...(context.schema.enableDefaultDeny ? ['enableDefaultDeny'] : []),
    ...(context.schema.policyLog ? ['log'] : []),
  ]);
  if (!rule) return undefined;
  const errorsBefore = context.errors.length;
  const hasEndpointSelector = rule.has('endpointSelector');
  const hasNodeSelector = rule.has('nodeSelector');
  if (hasEndpointSelector === hasNodeSelector) {
    context.invalid(
      path,
      rule.position,
      `Invalid value: "object": must validate one and only one schema (oneOf). Found ${hasEndpointSelector ? '2 valid alternatives' : 'none valid'}: set exactly one of endpointSelector or nodeSelector`,
    );
  }
  const sections: RuleSectionName[] = ['ingress', 'ingressDeny', 'egress', 'egressDeny'];
  // Since 1.17 the CRD requires at least one section key (an empty list still counts as written).
  if (context.schema.sectionsRequired && !sections.some((section) => rule.node(section) !== undefined)) {
    context.invalid(
      path,
      rule.position,
      'Invalid value: "object": must validate at least one schema (anyOf): set at least one of ingress, ingressDeny, egress or egressDeny',
    );
  }
  const endpointNode = rule.node('endpointSelector');
  const nodeSelectorNode = rule.node('nodeSelector');
  const endpointSelector = endpointNode
    ? readSelector(context, endpointNode, rule.childPath('endpointSelector'), false)
    : undefined;
  const nodeSelector = nodeSelectorNode
    ? readSelector(context, nodeSelectorNode, rule.childPath('nodeSelector'), false)
    : undefined;
  const selectorFindings = context.takeAgentErrorsSince(errorsBefore).map(findingOf);
  rule.list('labels', (item, itemPath) => readObject(context, item, itemPath, ['key', 'value', 'source']));
  rule.object('log', ['value'])?.string('value');
  const description = rule.string('description')?.value;
  const defaults = rule.object('enableDefaultDeny', ['ingress', 'egress']);
  const defaultIngress = defaults?.boolean('ingress')?.value;
  const defaultEgress = defaults?.boolean('egress')?.value;
  const hostPolicy = nodeSelectorNode !== undefined;
  const readings = new Map<RuleSectionName, SectionReading[]>();
  for (const name of sections) {
    const list = rule.list(name, (item, itemPath) => readSection(context, item, itemPath, name, hostPolicy));
    if (list) readings.set(name, list);
  }
  if (!context.refusedSince(errorsBefore)) {
    reportFirst(context, ruleFindings(context, rule, path, selectorFindings, readings, hostPolicy));
    if (nodeSelectorNode && !clusterwide) {
      // CiliumNetworkPolicy.Parse, after Sanitize: only clusterwide policies select nodes.
      context.agent(
        rule.childPath('nodeSelector'),
        rule.keyPosition('nodeSelector'),
        'Invalid CiliumNetworkPolicy spec: rule cannot have NodeSelector',
        true,
      );
    }
  }
  const result: { -readonly [K in keyof CiliumRule]: CiliumRule[K] } = {
    path,
    enableDefaultDeny: {
      ...(defaultIngress !== undefined ? { ingress: defaultIngress } : {}),
      ...(defaultEgress !== undefined ? { egress: defaultEgress } : {}),
    },
  };
  if (endpointSelector) result.endpointSelector = endpointSelector;
  if (nodeSelector) result.nodeSelector = nodeSelector;
  if (description !== undefined) result.description = description;
  for (const [name, list] of readings) result[name] = list.map((reading) => reading.section);
  return result;
}

/** Rule.Sanitize's findings in its order, by release. */
function ruleFindings(
  context: ValidationContext,
  rule: ObjectReader,
  path: string,
  selectorFindings: readonly Finding[],
  readings: ReadonlyMap<RuleSectionName, SectionReading[]>,
  hostPolicy: boolean,
): (Finding | undefined)[] {
  const findings: (Finding | undefined)[] = [];
  const written = (name: RuleSectionName): boolean => (readings.get(name)?.length ?? 0) > 0;
  if (
    context.schema.sectionsRequired &&
    !['ingress', 'ingressDeny', 'egress', 'egressDeny'].some((name) => written(name as RuleSectionName))
  ) {
    // Empty lists satisfy the CRD's anyOf, but since 1.17 sanitising wants at least one rule.
    const message = 'rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny';
    findings.push({ path, position: rule.position, message });
  }
  findings.push(...selectorFindings);
  for (const name of ['ingress', 'ingressDeny', 'egress', 'egressDeny'] as const) {
    // Before 1.17 Rule.Sanitize leaves deny sections alone.
    if (name.endsWith('Deny') && !context.schema.modernWording) continue;
    for (const reading of readings.get(name) ?? []) {
      findings.push(reading.finding);
      // Before 1.17 a host policy's L7 rules are refused after the section's own checks.
      if (hostPolicy && !context.schema.modernWording && l7Count(reading) > 0) {
        findings.push({
          path: reading.path,
          position: reading.position,
          message: 'host policies do not support L7 rules yet',
        });
      }
    }
  }
  return findings;
}

/** One ingress/egress(Deny) element as read, with its first agent finding. */
interface SectionReading {
  readonly section: RuleSection;
  readonly path: string;
  readonly position: SourcePosition;
  readonly ports: readonly PortRuleReading[];
  readonly finding?: Finding;
}

function l7Count(reading: SectionReading): number {
  return reading.ports.reduce((sum, port) => sum + port.l7.dns + port.l7.http + port.l7.kafka, 0);
}

function readSection(
  context: ValidationContext,
  node: SourceNode,
  path: string,
  name: RuleSectionName,
  hostPolicy: boolean,
): SectionReading | undefined {
  const section = readObject(context, node, path, allowedSectionKeys(context, name));
  if (!section) return undefined;
  const ingress = name.startsWith('ingress');
  const deny = name.endsWith('Deny');
  const errorsBefore = context.errors.length;
  const peers = readPeers(context, section, ingress);
  const peerFindings = context.takeAgentErrorsSince(errorsBefore).map(findingOf);
  const ports =
    section.list('toPorts', (item, itemPath) =>
      readPortRule(context, item, itemPath, ingress, deny, readFqdn),
    ) ?? [];
  const icmps = section.list('icmps', (item, itemPath) => readIcmpRule(context, item, itemPath))?.flat();
  const authentication = readAuthentication(context, section);
  const result: { -readonly [K in keyof RuleSection]: RuleSection[K] } = { peers };
  if (section.has('toPorts')) result.toPorts = ports.map((reading) => reading.rule);
  if (icmps) result.icmps = icmps;
  if (authentication) result.authentication = authentication;
  const reading = { section: result, path, position: section.position, ports };
  if (context.refusedSince(errorsBefore)) return reading;
  const facts: SectionFacts = { section, path, ingress, hostPolicy, peerFindings, ports, deny };
  const finding = (context.schema.modernWording ? modernSectionFindings : legacySectionFindings)(
    context,
    facts,
  ).find((candidate) => candidate !== undefined);
  return finding ? { ...reading, finding } : reading;
}

function readAuthentication(
  context: ValidationContext,
  section: ObjectReader,
): RuleSection['authentication'] {
  const mode = section.object('authentication', ['mode'])?.string('mode');
  if (!mode) return undefined;
  const modes = ['disabled', 'required', 'test-always-fail'] as const;
  const found = modes.find((candidate) => candidate === mode.value);
  if (!found) {
    context.invalid(
      mode.path,
      mode.position,
      `Unsupported value: "${mode.value}": supported values: "disabled", "required", "test-always-fail"`,
    );
  }
  return found;
}

/** What a section's sanitising looks at. */
interface SectionFacts {
  readonly section: ObjectReader;
  readonly path: string;
  readonly ingress: boolean;
  readonly deny: boolean;
  readonly hostPolicy: boolean;
  readonly peerFindings: readonly Finding[];
  readonly ports: readonly PortRuleReading[];
}

/** The peer fields written with at least one element. */
function writtenPeers(facts: SectionFacts): string[] {
  const fields = facts.ingress ? ingressPeerFields : egressPeerFields;
  return fields.filter((field) => {
    const value = facts.section.node(field);
    return value !== undefined && !(value.type === 'seq' && value.items.length === 0);
  });
}

function combiningFinding(context: ValidationContext, facts: SectionFacts): Finding | undefined {
  const [first, second] = writtenPeers(facts).filter((field) => !facts.deny || field !== 'toFQDNs');
  if (first === undefined || second === undefined) return undefined;
  const verb = context.schema.modernWording ? 'combining' : 'Combining';
  return {
    path: facts.path,
    position: facts.section.position,
    message: `${verb} ${goFieldName(first)} and ${goFieldName(second)} is not supported yet`,
  };
}

/** fromNodes/toNodes need enable-node-selector-labels (Helm `nodeSelectorLabels`, off by default). */
function nodesFinding(context: ValidationContext, facts: SectionFacts): Finding | undefined {
  const field = facts.ingress ? 'fromNodes' : 'toNodes';
  if (!writtenPeers(facts).includes(field) || context.schema.nodeSelectorLabels === true) return undefined;
  return {
    path: facts.section.childPath(field),
    position: facts.section.keyPosition(field),
    message: 'FromNodes/ToNodes rules can only be applied when the "enable-node-selector-labels" flag is set',
  };
}

function icmpWithPortsFinding(context: ValidationContext, facts: SectionFacts): Finding | undefined {
  if (!facts.section.has('icmps') || !facts.section.has('toPorts')) return undefined;
  const message = context.schema.modernWording
    ? 'the ICMPs block may only be present without ToPorts. Define a separate rule to use ToPorts'
    : 'The ICMPs block may only be present without ToPorts. Define a separate rule to use ToPorts.';
  return { path: facts.section.childPath('icmps'), position: facts.section.keyPosition('icmps'), message };
}

/** The first L7 protocol of the section the direction does not support, as countL7Rules names it. */
function unsupportedL7(facts: SectionFacts): string | undefined {
  const totals = { DNS: 0, HTTP: 0, Kafka: 0 };
  for (const port of facts.ports) {
    totals.DNS += port.l7.dns;
    totals.HTTP += port.l7.http;
    totals.Kafka += port.l7.kafka;
  }
  if (facts.ingress) return totals.DNS > 0 ? 'DNS' : undefined;
  if (!facts.hostPolicy) return undefined;
  return totals.HTTP > 0 ? 'HTTP' : totals.Kafka > 0 ? 'Kafka' : undefined;
}

/** L7 checks shared by both orders: the proxy must run, and the direction must support the protocol. */
function l7Findings(context: ValidationContext, facts: SectionFacts): (Finding | undefined)[] {
  const hasL7 = facts.ports.some((port) => port.l7.dns + port.l7.http + port.l7.kafka > 0);
  if (!hasL7 || facts.deny) return [];
  const at = (message: string): Finding => ({ path: facts.path, position: facts.section.position, message });
  const findings: (Finding | undefined)[] = [];
  if (context.schema.modernWording && facts.ingress && facts.hostPolicy) {
    findings.push(at('L7 policy is not supported on host ingress yet'));
  }
  if (context.schema.l7Proxy === false)
    findings.push(at('L7 policy is not supported since L7 proxy is not enabled'));
  const protocol = unsupportedL7(facts);
  if (protocol !== undefined && (facts.ingress || context.schema.modernWording)) {
    const where = facts.ingress ? 'ingress' : 'host egress';
    findings.push(at(`L7 protocol ${protocol} is not supported on ${where} yet`));
  }
  return findings;
}

/** 1.17+ (IngressRule/EgressRule.sanitize with a common peer check first). */
function modernSectionFindings(context: ValidationContext, facts: SectionFacts): (Finding | undefined)[] {
  const peerFinding = facts.peerFindings[0];
  return [
    combiningFinding(context, facts),
    peerFinding ?? nodesFinding(context, facts),
    ...l7Findings(context, facts),
    icmpWithPortsFinding(context, facts),
    ...facts.ports.map((port) => port.finding),
  ];
}

/** 1.12 to 1.16: L3 combinations and L7 support first, peers after the ports. */
function legacySectionFindings(context: ValidationContext, facts: SectionFacts): (Finding | undefined)[] {
  const servicesWithPorts =
    context.schema.servicesWithoutPorts &&
    writtenPeers(facts).includes('toServices') &&
    facts.section.has('toPorts');
  return [
    combiningFinding(context, facts),
    servicesWithPorts
      ? {
          path: facts.path,
          position: facts.section.position,
          message: 'Combining ToServices and ToPorts is not supported yet',
        }
      : undefined,
    ...l7Findings(context, facts),
    icmpWithPortsFinding(context, facts),
    ...facts.ports.map((port) => port.finding),
    ...facts.peerFindings,
    nodesFinding(context, facts),
  ];
}

/** Whether the 1.12–1.15 CRD pattern accepts a CIDR (it always wants a prefix length). */
function legacyCidrAccepts(text: string): boolean {
  // The pattern's alternatives are anchored and bounded; a long string cannot match anyway.
  return text.length <= 128 && new RegExp(legacyCidrPattern).test(text);
}

/**
 * A CIDR string: up to 1.15 the CRD's pattern, from 1.16 `format: cidr` (Go's net.ParseCIDR).
 * Neither accepts a bare address; the agent would (CIDR.sanitize), but it never sees one.
 */
function readCidr(context: ValidationContext, node: SourceNode, path: string): string | undefined {
  const text = stringItem(context, node, path);
  if (text === undefined) return undefined;
  if (context.schema.cidrCheck === 'pattern' && !legacyCidrAccepts(text)) {
    context.invalid(
      path,
      node.position,
      `Invalid value: "${text}": ${path} in body should match '${legacyCidrPattern}'`,
    );
    return undefined;
  }
  if (!text.includes('/') || !parsePrefix(text)) {
    context.invalid(
      path,
      node.position,
      `Invalid value: "${text}": ${path} in body must be of type cidr: "${text}"`,
    );
    return undefined;
  }
  return text;
}

function readCidrSet(context: ValidationContext, node: SourceNode, path: string): CidrRule | undefined {
  const set = readObject(context, node, path, [
    'cidr',
    'except',
    ...(context.schema.listener ? ['cidrGroupRef'] : []),
    ...(context.schema.cidrGroupSelector ? ['cidrGroupSelector'] : []),
  ]);
  if (!set) return undefined;
  const cidrNode = set.node('cidr');
  const cidr = cidrNode ? readCidr(context, cidrNode, set.childPath('cidr')) : undefined;
  set.string('cidrGroupRef');
  set.object('cidrGroupSelector', ['matchLabels', 'matchExpressions']);
  const exceptPositions: SourcePosition[] = [];
  const except =
    set.list('except', (item, itemPath) => {
      const text = readCidr(context, item, itemPath);
      if (text !== undefined) exceptPositions.push(item.position);
      return text;
    }) ?? [];
  if (cidr === undefined) {
    // CiliumCIDRGroup references are accepted but select nothing in the simulator.
    return set.has('cidrGroupRef') || set.has('cidrGroupSelector')
      ? { cidr: '255.255.255.255/32', except: [] }
      : undefined;
  }
  const outer = parsePrefix(cidr);
  except.forEach((text, index) => {
    const inner = parsePrefix(text);
    if (outer && inner && !prefixContains(outer, inner)) {
      const exceptPath = joinPath(set.childPath('except'), index);
      context.agent(
        exceptPath,
        exceptPositions[index] ?? set.keyPosition('except'),
        `allow CIDR prefix ${cidr} does not contain exclude CIDR prefix ${text}`,
      );
    }
  });
  return { cidr, except };
}

function readFqdn(context: ValidationContext, node: SourceNode, path: string): DnsSelector | undefined {
  const selector = readObject(context, node, path, ['matchName', 'matchPattern']);
  if (!selector) return undefined;
  const name = selector.string('matchName');
  const pattern = selector.string('matchPattern');
  if (name && !dnsName.test(name.value)) {
    context.invalid(
      name.path,
      name.position,
      `Invalid value: "${name.value}": ${name.path} in body should match '${matchNamePattern}'`,
    );
    return undefined;
  }
  if (pattern && !dnsPattern.test(pattern.value)) {
    context.invalid(
      pattern.path,
      pattern.position,
      `Invalid value: "${pattern.value}": ${pattern.path} in body should match '${matchPatternPattern}'`,
    );
    return undefined;
  }
  // The CRD wants exactly one of matchName and matchPattern.
  if ((name === undefined) === (pattern === undefined)) {
    context.invalid(path, selector.position, oneOfMessage(name !== undefined));
    return undefined;
  }
  return name ? { matchName: name.value } : pattern ? { matchPattern: pattern.value } : undefined;
}

function readService(
  context: ValidationContext,
  node: SourceNode,
  path: string,
): ServiceReference | undefined {
  const service = readObject(context, node, path, ['k8sService', 'k8sServiceSelector']);
  if (!service) return undefined;
  const byName = service.object('k8sService', ['serviceName', 'namespace']);
  const bySelector = service.object('k8sServiceSelector', ['selector', 'namespace']);
  if (byName) {
    const serviceName = byName.string('serviceName')?.value;
    const namespace = byName.string('namespace')?.value;
    return {
      ...(serviceName !== undefined ? { serviceName } : {}),
      ...(namespace !== undefined ? { namespace } : {}),
    };
  }
  if (bySelector) {
    const selectorNode = bySelector.node('selector');
    const namespace = bySelector.string('namespace')?.value;
    if (!selectorNode) {
      context.invalid(bySelector.childPath('selector'), bySelector.position, 'Required value');
      return undefined;
    }
    const selector = readSelector(context, selectorNode, bySelector.childPath('selector'), false);
    if (!selector) return undefined;
    return { selector, ...(namespace !== undefined ? { namespace } : {}) };
  }
  return undefined;
}

function readPeers(context: ValidationContext, section: ObjectReader, ingress: boolean): PeerSpec {
  const prefix = ingress ? 'from' : 'to';
  const peers: { -readonly [K in keyof PeerSpec]: PeerSpec[K] } = {};
  const endpoints = section.list(`${prefix}Endpoints`, (item, path) =>
    readSelector(context, item, path, false),
  );
  if (endpoints) peers.endpoints = endpoints;
  const nodes = section.list(`${prefix}Nodes`, (item, path) => readSelector(context, item, path, false));
  if (nodes) peers.nodes = nodes;
  // fromRequires/toRequires stay valid up to 1.18 (removed in 1.19).
  const requires = section.list(`${prefix}Requires`, (item, path) =>
    readSelector(context, item, path, false),
  );
  if (requires) peers.requires = requires;
  const entities = section.list(`${prefix}Entities`, (item, path): EntityName | undefined => {
    const text = stringItem(context, item, path);
    if (text === undefined) return undefined;
    const entity = entityNames.find((candidate) => candidate === text);
    if (!entity) {
      const supported = entityNames.map((candidate) => `"${candidate}"`).join(', ');
      context.invalid(path, item.position, `Unsupported value: "${text}": supported values: ${supported}`);
    }
    return entity;
  });
  if (entities) peers.entities = entities;
  const plainCidrs = section.list(`${prefix}CIDR`, (item, path) => readCidr(context, item, path));
  const cidrSets = section.list(`${prefix}CIDRSet`, (item, path) => readCidrSet(context, item, path));
  if (plainCidrs || cidrSets) {
    peers.cidrs = [...(plainCidrs ?? []).map((cidr) => ({ cidr, except: [] })), ...(cidrSets ?? [])];
  }
  // Cloud-provider groups are accepted but resolve to nothing in the simulator.
  const groups = section.list(`${prefix}Groups`, (item, path) => readObject(context, item, path, ['aws']));
  if (groups && !peers.cidrs) peers.cidrs = [];
  if (!ingress) {
    const services = section.list('toServices', (item, path) => readService(context, item, path));
    if (services) peers.services = services;
    const fqdns = section.list('toFQDNs', (item, path) => readFqdn(context, item, path));
    if (fqdns) peers.fqdns = fqdns;
  }
  return peers;
}

function readIcmpRule(context: ValidationContext, node: SourceNode, path: string): IcmpField[] | undefined {
  const rule = readObject(context, node, path, ['fields']);
  if (!rule) return undefined;
  return (
    rule.list('fields', (item, itemPath): IcmpField | undefined => {
      const field = readObject(context, item, itemPath, ['family', 'type']);
      if (!field) return undefined;
      const familyText = field.string('family');
      let family: 'IPv4' | 'IPv6' = 'IPv4';
      if (familyText) {
        if (familyText.value !== 'IPv4' && familyText.value !== 'IPv6') {
          context.invalid(
            familyText.path,
            familyText.position,
            `Unsupported value: "${familyText.value}": supported values: "IPv4", "IPv6"`,
          );
          return undefined;
        }
        family = familyText.value;
      }
      const typeNode = field.node('type');
      const typePath = joinPath(itemPath, 'type');
      if (!typeNode) {
        context.invalid(typePath, field.position, 'Required value');
        return undefined;
      }
      const raw =
        typeNode.type === 'scalar' &&
        (typeof typeNode.value === 'string' || typeof typeNode.value === 'number')
          ? typeNode.value
          : undefined;
      // Before 1.16 the CRD types `type` as an integer (0-255); names came with int-or-string.
      if (typeof raw === 'string' && !context.schema.icmpTypeNames) {
        context.invalid(
          typePath,
          typeNode.position,
          `Invalid value: "string": ${typePath} in body must be of type integer: "string"`,
        );
        return undefined;
      }
      const type = raw === undefined ? undefined : resolveIcmpType(family, raw);
      if (type === undefined) {
        context.invalid(
          typePath,
          typeNode.position,
          `Invalid value: "${String(raw ?? typeNode.type)}": ${typePath} is not a known ${family} ICMP type`,
        );
        return undefined;
      }
      return { family, type };
    }) ?? []
  );
}
