/**
 * Validates a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy document into the typed model.
 * Each check is placed where a real cluster makes it: the CRD's OpenAPI schema and kubectl's strict
 * decoding (stage `apiserver`), or the agent's rule sanitising (stage `agent`: the object is stored,
 * then not enforced, and the error shows in the policy status and agent log). Modelled on the
 * Cilium 1.18 CRD.
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
  type HeaderMatch,
  type HttpRule,
  type IcmpField,
  type KafkaRule,
  type L7Rules,
  type PeerSpec,
  type PortProtocol,
  type PortProtocolName,
  type PortRule,
  type RuleSection,
  type RuleSectionName,
  type ServiceReference,
  type TlsSecretRef,
} from './model';
import { joinPath, type SourcePosition } from './policy-error';
import { readSelector } from './read-selector';
import { compileFullMatch } from './regex-check';
import type { SourceNode } from './source-tree';
import { kafkaApiKeyNumbers } from './kafka-api-keys';

/** The pattern the CRD puts on `port` (a number up to 65535 or an IANA service name). */
export const portPattern =
  '^(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})|([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$';
const numericPort = /^(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})$/;
// Equivalent to the named-port half of the CRD pattern, written without nested quantifiers.
const namedPort = /^[a-zA-Z0-9](?:-?[a-zA-Z0-9])*$/;

/** The CRD patterns for DNS names; the checks below are linear-time equivalents. */
export const matchNamePattern = '^([-a-zA-Z0-9_]+[.]?)+$';
export const matchPatternPattern = '^([-a-zA-Z0-9_*]+[.]?)+$';
const dnsName = /^[-a-zA-Z0-9_]+(?:\.[-a-zA-Z0-9_]+)*\.?$/;
const dnsPattern = /^[-a-zA-Z0-9_*]+(?:\.[-a-zA-Z0-9_*]+)*\.?$/;

const protocols: readonly PortProtocolName[] = ['TCP', 'UDP', 'SCTP', 'VRRP', 'IGMP', 'ANY'];

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

/** The API server's message for a failed oneOf (none or several alternatives valid). */
function oneOfMessage(several: boolean): string {
  return `Invalid value: "object": must validate one and only one schema (oneOf). Found ${several ? '2 valid alternatives' : 'none valid'}`;
}

/** The Go field name the agent prints in "combining X and Y is not supported yet". */
function goFieldName(field: string): string {
  return field.charAt(0).toUpperCase() + field.slice(1);
}

function allowedSectionKeys(section: RuleSectionName, authentication: boolean): string[] {
  const ingress = section.startsWith('ingress');
  const deny = section.endsWith('Deny');
  const keys: string[] = [
    ...(ingress ? ingressPeerFields : egressPeerFields),
    ingress ? 'fromRequires' : 'toRequires',
    'toPorts',
    'icmps',
  ];
  // Deny rules have neither L7 nor DNS-based peers, nor authentication.
  if (deny) return keys.filter((key) => key !== 'toFQDNs');
  return authentication ? [...keys, 'authentication'] : keys;
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
    'log',
  ]);
  if (!rule) return undefined;
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
  if (!context.schema.sectionsRequired) {
    // Older CRDs and agents accept a rule without sections; it simply enforces nothing.
  } else if (!sections.some((section) => rule.node(section) !== undefined)) {
    context.invalid(
      path,
      rule.position,
      'Invalid value: "object": must validate at least one schema (anyOf): set at least one of ingress, ingressDeny, egress or egressDeny',
    );
  } else if (
    !sections.some((section) => {
      const node = rule.node(section);
      return node !== undefined && !(node.type === 'seq' && node.items.length === 0);
    })
  ) {
    // Empty lists satisfy the CRD, but since 1.17 the agent's sanitising wants at least one rule.
    context.agent(
      path,
      rule.position,
      'rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny',
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
  if (nodeSelectorNode && !clusterwide) {
    context.agent(
      rule.childPath('nodeSelector'),
      rule.keyPosition('nodeSelector'),
      'Invalid CiliumNetworkPolicy spec: rule cannot have NodeSelector; host policies must be CiliumClusterwideNetworkPolicy',
    );
  }
  rule.list('labels', (item, itemPath) => readObject(context, item, itemPath, ['key', 'value', 'source']));
  rule.object('log', ['value']);
  const description = rule.string('description')?.value;
  const defaults = rule.object('enableDefaultDeny', ['ingress', 'egress']);
  const defaultIngress = defaults?.boolean('ingress')?.value;
  const defaultEgress = defaults?.boolean('egress')?.value;
  const hostPolicy = nodeSelectorNode !== undefined;
  const readSections = (name: RuleSectionName): RuleSection[] | undefined =>
    rule.list(name, (item, itemPath) => readSection(context, item, itemPath, name, hostPolicy));
  const result: {
    -readonly [K in keyof CiliumRule]: CiliumRule[K];
  } = {
    path,
    enableDefaultDeny: {
      ...(defaultIngress !== undefined ? { ingress: defaultIngress } : {}),
      ...(defaultEgress !== undefined ? { egress: defaultEgress } : {}),
    },
  };
  if (endpointSelector) result.endpointSelector = endpointSelector;
  if (nodeSelector) result.nodeSelector = nodeSelector;
  if (description !== undefined) result.description = description;
  for (const name of sections) {
    const list = readSections(name);
    if (list) result[name] = list;
  }
  return result;
}

function readSection(
  context: ValidationContext,
  node: SourceNode,
  path: string,
  name: RuleSectionName,
  hostPolicy: boolean,
): RuleSection | undefined {
  const section = readObject(context, node, path, allowedSectionKeys(name, context.schema.authentication));
  if (!section) return undefined;
  const ingress = name.startsWith('ingress');
  const deny = name.endsWith('Deny');
  const peerFields = ingress ? ingressPeerFields : egressPeerFields;
  const written = peerFields.filter((field) => {
    const value = section.node(field);
    return value !== undefined && !(value.type === 'seq' && value.items.length === 0);
  });
  const errorsBefore = context.errors.length;
  // fromRequires/toRequires were removed in 1.18: the CRD keeps the field but allows no items.
  const requiresKey = ingress ? 'fromRequires' : 'toRequires';
  const requires = section.node(requiresKey);
  if (requires?.type === 'seq' && requires.items.length > 0) {
    context.invalid(
      section.childPath(requiresKey),
      section.keyPosition(requiresKey),
      `Too many: ${requires.items.length}: must have at most 0 items`,
    );
  }
  const peers = readPeers(context, section, ingress);
  const toPorts = section.list('toPorts', (item, itemPath) =>
    readPortRule(context, item, itemPath, ingress, deny, hostPolicy),
  );
  const icmps = section.list('icmps', (item, itemPath) => readIcmpRule(context, item, itemPath))?.flat();
  const authObject = section.object('authentication', ['mode']);
  const authMode = authObject?.string('mode');
  let authentication: RuleSection['authentication'];
  if (authMode) {
    const modes = ['disabled', 'required', 'test-always-fail'] as const;
    const mode = modes.find((candidate) => candidate === authMode.value);
    if (mode) authentication = mode;
    else
      context.invalid(
        authMode.path,
        authMode.position,
        `Unsupported value: "${authMode.value}": supported values: "disabled", "required", "test-always-fail"`,
      );
  }
  // The agent's sanitising only runs on a well-formed rule, and reports the first problem it meets.
  if (!context.failedSince(errorsBefore)) {
    const [first, second] = written;
    if (first !== undefined && second !== undefined) {
      context.agent(
        path,
        section.position,
        `combining ${goFieldName(first)} and ${goFieldName(second)} is not supported yet`,
      );
    } else if (section.has('icmps') && section.has('toPorts')) {
      context.agent(
        joinPath(path, 'icmps'),
        section.keyPosition('icmps'),
        'the ICMPs block may only be present without ToPorts. Define a separate rule to use ToPorts.',
      );
    }
  }
  const result: { -readonly [K in keyof RuleSection]: RuleSection[K] } = { peers };
  if (toPorts) result.toPorts = toPorts;
  if (icmps) result.icmps = icmps;
  if (authentication) result.authentication = authentication;
  return result;
}

function stringItem(context: ValidationContext, node: SourceNode, path: string): string | undefined {
  if (node.type === 'scalar' && typeof node.value === 'string') return node.value;
  const actual =
    node.type === 'scalar'
      ? node.value === null
        ? 'null'
        : typeof node.value === 'number'
          ? 'integer'
          : typeof node.value
      : node.type === 'seq'
        ? 'array'
        : 'object';
  context.invalid(
    path,
    node.position,
    `Invalid value: "${actual}": ${path} in body must be of type string: "${actual}"`,
  );
  return undefined;
}

function readCidr(context: ValidationContext, node: SourceNode, path: string): string | undefined {
  const text = stringItem(context, node, path);
  if (text === undefined) return undefined;
  if (!parsePrefix(text)) {
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
  const set = readObject(context, node, path, ['cidr', 'except', 'cidrGroupRef', 'cidrGroupSelector']);
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
        `allow CIDR prefix ${cidr} does not contain exclude prefix ${text}`,
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

// Where each port was written, so errors found later (L7 on UDP, port 0) can point at it.
const portPositions = new WeakMap<PortProtocol, SourcePosition>();

function readPort(context: ValidationContext, node: SourceNode, path: string): PortProtocol | undefined {
  const result = readPortFields(context, node, path);
  if (result) portPositions.set(result, node.position);
  return result;
}

function readPortFields(
  context: ValidationContext,
  node: SourceNode,
  path: string,
): PortProtocol | undefined {
  const port = readObject(
    context,
    node,
    path,
    context.schema.endPort ? ['port', 'endPort', 'protocol'] : ['port', 'protocol'],
  );
  if (!port) return undefined;
  const portText = port.string('port');
  const endPort = port.integer('endPort');
  const protocolText = port.string('protocol');
  let value: number | string = 0;
  if (portText) {
    if (numericPort.test(portText.value)) value = Number(portText.value);
    else if (namedPort.test(portText.value) && /[a-zA-Z]/.test(portText.value))
      value = portText.value.toLowerCase();
    else {
      context.invalid(
        portText.path,
        portText.position,
        `Invalid value: "${portText.value}": ${portText.path} in body should match '${portPattern}'`,
      );
      return undefined;
    }
  }
  if (endPort && (endPort.value < 0 || endPort.value > 65535)) {
    const bound = endPort.value < 0 ? 'greater than or equal to 0' : 'less than or equal to 65535';
    context.invalid(
      endPort.path,
      endPort.position,
      `Invalid value: ${endPort.value}: ${endPort.path} in body should be ${bound}`,
    );
    return undefined;
  }
  let protocol: PortProtocolName = 'ANY';
  if (protocolText) {
    const found = protocols.find((candidate) => candidate === protocolText.value);
    if (!found) {
      context.invalid(
        protocolText.path,
        protocolText.position,
        `Unsupported value: "${protocolText.value}": supported values: "TCP", "UDP", "SCTP", "VRRP", "IGMP", "ANY"`,
      );
      return undefined;
    }
    protocol = found;
  }
  if (endPort && endPort.value !== 0) {
    if (typeof value === 'string') {
      context.agent(endPort.path, endPort.position, 'endPort cannot be used with a named port');
      return undefined;
    }
    if (endPort.value < value) {
      context.agent(
        endPort.path,
        endPort.position,
        `endPort (${endPort.value}) must be greater than or equal to port (${value})`,
      );
      return undefined;
    }
    if (endPort.value > value) return { port: value, endPort: endPort.value, protocol };
  }
  return { port: value, protocol };
}

function readHttpRule(context: ValidationContext, node: SourceNode, path: string): HttpRule | undefined {
  const rule = readObject(context, node, path, ['method', 'path', 'host', 'headers', 'headerMatches']);
  if (!rule) return undefined;
  const result: { -readonly [K in keyof HttpRule]: HttpRule[K] } = { headers: [], headerMatches: [] };
  for (const field of ['method', 'path', 'host'] as const) {
    const text = rule.string(field);
    if (!text) continue;
    const compiled = compileFullMatch(text.value);
    if (!compiled.ok) {
      context.agent(text.path, text.position, `Invalid ${field} regex: ${compiled.error}`);
      return undefined;
    }
    result[field] = text.value;
  }
  result.headers = rule.list('headers', (item, itemPath) => stringItem(context, item, itemPath)) ?? [];
  result.headerMatches =
    rule.list('headerMatches', (item, itemPath): HeaderMatch | undefined => {
      const match = readObject(context, item, itemPath, ['mismatch', 'name', 'secret', 'value']);
      if (!match) return undefined;
      const name = match.string('name');
      if (!name) {
        context.invalid(joinPath(itemPath, 'name'), match.position, 'Required value');
        return undefined;
      }
      match.object('secret', ['name', 'namespace']);
      const value = match.string('value')?.value;
      const mismatch = match.string('mismatch');
      const actions = ['LOG', 'ADD', 'DELETE', 'REPLACE'] as const;
      const action = mismatch ? actions.find((candidate) => candidate === mismatch.value) : undefined;
      if (mismatch && !action) {
        context.invalid(
          mismatch.path,
          mismatch.position,
          `Unsupported value: "${mismatch.value}": supported values: "LOG", "ADD", "DELETE", "REPLACE"`,
        );
        return undefined;
      }
      return {
        name: name.value,
        ...(value !== undefined ? { value } : {}),
        ...(action ? { mismatch: action } : {}),
      };
    }) ?? [];
  return result;
}

function readKafkaRule(context: ValidationContext, node: SourceNode, path: string): KafkaRule | undefined {
  const rule = readObject(context, node, path, ['role', 'apiKey', 'apiVersion', 'clientID', 'topic']);
  if (!rule) return undefined;
  const role = rule.string('role');
  const apiKey = rule.string('apiKey');
  const apiVersion = rule.string('apiVersion');
  const clientID = rule.string('clientID');
  const topic = rule.string('topic');
  if (role && role.value !== 'produce' && role.value !== 'consume') {
    context.invalid(
      role.path,
      role.position,
      `Unsupported value: "${role.value}": supported values: "produce", "consume"`,
    );
    return undefined;
  }
  if (role && apiKey) {
    context.agent(path, rule.position, 'Cannot set both Role and APIKey in a Kafka rule');
    return undefined;
  }
  if (apiKey && kafkaApiKeyNumbers[apiKey.value.toLowerCase()] === undefined) {
    context.agent(apiKey.path, apiKey.position, `Unknown Kafka apiKey: ${apiKey.value}`);
    return undefined;
  }
  if (apiVersion && !/^[0-9]{1,5}$/.test(apiVersion.value)) {
    context.agent(apiVersion.path, apiVersion.position, `Invalid Kafka apiVersion: ${apiVersion.value}`);
    return undefined;
  }
  if (topic && (topic.value.length > 255 || !/^[a-zA-Z0-9._-]*$/.test(topic.value))) {
    context.agent(topic.path, topic.position, `Invalid Kafka topic name: ${topic.value}`);
    return undefined;
  }
  return {
    ...(role ? { role: role.value as 'produce' | 'consume' } : {}),
    ...(apiKey ? { apiKey: apiKey.value.toLowerCase() } : {}),
    ...(apiVersion ? { apiVersion: apiVersion.value } : {}),
    ...(clientID ? { clientID: clientID.value } : {}),
    ...(topic ? { topic: topic.value } : {}),
  };
}

function readL7(context: ValidationContext, reader: ObjectReader, path: string): L7Rules | undefined {
  const present = (['http', 'kafka', 'dns', 'l7proto', 'l7'] as const).filter((key) => reader.has(key));
  // The CRD's oneOf over http, kafka, dns and l7proto refuses a mix before the agent sees it.
  if (present.filter((key) => key !== 'l7').length > 1) {
    context.invalid(path, reader.position, oneOfMessage(true));
    return undefined;
  }
  if (reader.has('http')) {
    return {
      type: 'http',
      http: reader.list('http', (item, itemPath) => readHttpRule(context, item, itemPath)) ?? [],
    };
  }
  if (reader.has('kafka')) {
    return {
      type: 'kafka',
      kafka: reader.list('kafka', (item, itemPath) => readKafkaRule(context, item, itemPath)) ?? [],
    };
  }
  if (reader.has('dns')) {
    return {
      type: 'dns',
      dns: reader.list('dns', (item, itemPath) => readFqdn(context, item, itemPath)) ?? [],
    };
  }
  if (reader.has('l7proto') || reader.has('l7')) {
    context.agent(path, reader.position, 'generic L7 (l7proto) rules are not simulated');
  }
  return undefined;
}

function readPortRule(
  context: ValidationContext,
  node: SourceNode,
  path: string,
  ingress: boolean,
  deny: boolean,
  hostPolicy: boolean,
): PortRule | undefined {
  const allowed = deny
    ? ['ports']
    : ['ports', 'rules', 'terminatingTLS', 'originatingTLS', 'serverNames', 'listener'];
  const rule = readObject(context, node, path, allowed);
  if (!rule) return undefined;
  const errorsBefore = context.errors.length;
  const ports = rule.list('ports', (item, itemPath) => readPort(context, item, itemPath)) ?? [];
  const serverNames = rule.list('serverNames', (item, itemPath) => stringItem(context, item, itemPath)) ?? [];
  const terminatingTLS = readTlsSecret(
    rule.object('terminatingTLS', ['secret', 'certificate', 'privateKey', 'trustedCA']),
  );
  const originatingTLS = readTlsSecret(
    rule.object('originatingTLS', ['secret', 'certificate', 'privateKey', 'trustedCA']),
  );
  rule.object('listener', ['envoyConfig', 'name', 'priority']);
  const rulesReader = rule.object('rules', ['http', 'kafka', 'dns', 'l7proto', 'l7']);
  const rules = rulesReader ? readL7(context, rulesReader, rule.childPath('rules')) : undefined;
  if (context.failedSince(errorsBefore)) return undefined;
  if (ports.length > 40) {
    context.agent(rule.childPath('ports'), rule.keyPosition('ports'), 'too many ports, the max is 40');
    return undefined;
  }
  if (rules) {
    const rulesPath = rule.childPath('rules');
    const rulesPosition = rule.keyPosition('rules');
    if (context.schema.l7Proxy === false) {
      // pkg/policy/api rule sanitizing: with the proxy off, any L7 section (DNS included) is refused.
      context.agent(rulesPath, rulesPosition, 'L7 policy is not supported since L7 proxy is not enabled');
    }
    if (hostPolicy && rules.type !== 'dns') {
      context.agent(rulesPath, rulesPosition, 'host policies (nodeSelector) cannot have layer 7 rules');
      return undefined;
    }
    if (rules.type === 'dns' && ingress) {
      context.agent(rulesPath, rulesPosition, 'DNS rules are not allowed on ingress');
      return undefined;
    }
    for (const [index, port] of ports.entries()) {
      const portPath = joinPath(rule.childPath('ports'), index);
      const portPosition = portPositions.get(port) ?? rulesPosition;
      if (port.port === 0) {
        context.agent(portPath, portPosition, 'L7 rules can not be used when a port is 0');
        return undefined;
      }
      if (rules.type === 'dns' && port.endPort !== undefined) {
        context.agent(portPath, portPosition, 'DNS rules do not support port ranges');
        return undefined;
      }
      if (rules.type !== 'dns' && port.protocol !== 'TCP' && port.protocol !== 'ANY') {
        context.agent(
          portPath,
          portPosition,
          `L7 rules can only apply to TCP (not ${port.protocol}) except for DNS rules`,
        );
        return undefined;
      }
    }
  }
  return {
    ports,
    serverNames,
    ...(rules ? { rules } : {}),
    ...(terminatingTLS ? { terminatingTLS } : {}),
    ...(originatingTLS ? { originatingTLS } : {}),
  };
}

/** The `secret: {namespace, name}` of a TLS context stanza (undefined without a named secret). */
function readTlsSecret(stanza: ObjectReader | undefined): TlsSecretRef | undefined {
  const secret = stanza?.object('secret', ['namespace', 'name']);
  const name = secret?.string('name')?.value;
  if (secret === undefined || name === undefined) return undefined;
  const namespace = secret.string('namespace')?.value;
  return { name, ...(namespace !== undefined ? { namespace } : {}) };
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
