/**
 * Reads a Cilium `toPorts` entry (ports, L7 rules, TLS, server names, listener) in both stages: the
 * CRD schema of the release (API server) and PortRule.sanitize with its helpers in
 * pkg/policy/api/rule_validation.go and http.go (agent). The agent returns the first problem it
 * meets, so each port rule yields at most one agent finding, in the order the Go code checks.
 */
import { readObject, type ObjectReader, type ValidationContext } from './field-reader';
import { kafkaApiKeyNumbers } from './kafka-api-keys';
import type {
  DnsSelector,
  HeaderMatch,
  HttpRule,
  KafkaRule,
  L7Rules,
  PortProtocol,
  PortProtocolName,
  PortRule,
  TlsSecretRef,
} from './model';
import { joinPath, type PolicyError, type SourcePosition } from './policy-error';
import { agentReadsPort, crdAcceptsPort, portPattern } from './port-strings';
import { goRegexpError } from './regex-check';
import { serverNamePattern } from './release-schema';
import type { SourceNode } from './source-tree';

export { portPattern } from './port-strings';

/** A problem the agent would report, with where it was written. */
export interface Finding {
  readonly path: string;
  readonly position: SourcePosition;
  readonly message: string;
}

/** What one toPorts entry contributes to its section's sanitising. */
export interface PortRuleReading {
  readonly rule: PortRule;
  /** L7 rule counts as countL7Rules sees them (DNS, HTTP, Kafka; not generic l7proto). */
  readonly l7: { readonly dns: number; readonly http: number; readonly kafka: number };
  /** Whether the entry has generic (`l7proto`) rules, which the simulator does not enforce. */
  readonly genericL7: boolean;
  /** The first problem PortRule.sanitize reports for this entry. */
  readonly finding?: Finding;
}

/** A port as the API server stored it, with what the agent will make of it. */
interface ReadPort {
  readonly value: PortProtocol;
  /** Where the `ports` element was written (L7 and range findings point at it). */
  readonly position: SourcePosition;
  readonly path: string;
  readonly endPortWritten?: number;
  /** The agent's "unable to parse port" error, pointing at the port string. */
  readonly parseError?: Finding;
}

/** The upper-case first word of the agent's messages before 1.17, lower-case since. */
function wording(context: ValidationContext, legacy: string, modern: string): string {
  return context.schema.modernWording ? modern : legacy;
}

function readPortFields(context: ValidationContext, node: SourceNode, path: string): ReadPort | undefined {
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
  if (!port.has('port')) {
    // The CRD lists `port` as required in every release modelled (a port-less entry came after 1.18).
    context.invalid(joinPath(path, 'port'), port.position, 'Required value');
    return undefined;
  }
  if (!portText) return undefined;
  if (!crdAcceptsPort(portText.value)) {
    context.invalid(
      portText.path,
      portText.position,
      `Invalid value: "${portText.value}": ${portText.path} in body should match '${portPattern}'`,
    );
    return undefined;
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
    const found = context.schema.protocols.find((candidate) => candidate === protocolText.value);
    if (!found) {
      const supported = context.schema.protocols.map((name) => `"${name}"`).join(', ');
      context.invalid(
        protocolText.path,
        protocolText.position,
        `Unsupported value: "${protocolText.value}": supported values: ${supported}`,
      );
      return undefined;
    }
    protocol = found as PortProtocolName;
  }
  const agentPort = agentReadsPort(portText.value);
  const located = { position: node.position, path };
  if (agentPort.kind === 'error') {
    const prefix = wording(context, 'Unable to parse port', 'unable to parse port');
    const message = `${prefix}: ${agentPort.reason}`;
    const parseError = { path: portText.path, position: portText.position, message };
    return { ...located, value: { port: 0, protocol }, parseError };
  }
  // An endPort at or below the port, or beside a named port, leaves a single port (PortRangeToMaskedPorts).
  const value: PortProtocol =
    agentPort.kind === 'number' && endPort !== undefined && endPort.value > agentPort.value
      ? { port: agentPort.value, endPort: endPort.value, protocol }
      : { port: agentPort.value, protocol };
  return { ...located, value, ...(endPort !== undefined ? { endPortWritten: endPort.value } : {}) };
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

export { stringItem };

/** The 1.18 CRD pattern on server names, checked without a backtracking regex. */
function serverNameMatches(text: string): boolean {
  const body = text.startsWith('**.') ? text.slice(3) : text.startsWith('*.') ? text.slice(2) : text;
  return /^[-a-zA-Z0-9_]+(?:\.[-a-zA-Z0-9_]+)*\.?$/.test(body);
}

function readServerName(context: ValidationContext, node: SourceNode, path: string): string | undefined {
  const text = stringItem(context, node, path);
  if (text === undefined || !context.schema.serverNamePattern) return text;
  if (text.length > 255) {
    context.invalid(path, node.position, `Too long: may not be more than 255 bytes`);
    return undefined;
  }
  if (!serverNameMatches(text)) {
    context.invalid(
      path,
      node.position,
      `Invalid value: "${text}": ${path} in body should match '${serverNamePattern}'`,
    );
    return undefined;
  }
  return text;
}

/** Reads a DNS name selector (toFQDNs, rules.dns); shared with the section reader. */
export type FqdnReader = (
  context: ValidationContext,
  node: SourceNode,
  path: string,
) => DnsSelector | undefined;

/** Where each HTTP rule's path and method were written, for the agent's regexp errors. */
const httpPositions = new WeakMap<HttpRule, Partial<Record<'path' | 'method', SourcePosition>>>();

function readHttpRule(context: ValidationContext, node: SourceNode, path: string): HttpRule | undefined {
  const rule = readObject(context, node, path, ['method', 'path', 'host', 'headers', 'headerMatches']);
  if (!rule) return undefined;
  const result: { -readonly [K in keyof HttpRule]: HttpRule[K] } = { headers: [], headerMatches: [] };
  const positions: Partial<Record<'path' | 'method', SourcePosition>> = {};
  for (const field of ['method', 'path', 'host'] as const) {
    const text = rule.string(field);
    if (text) result[field] = text.value;
    if (text && field !== 'host') positions[field] = text.position;
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
  httpPositions.set(result, positions);
  return result;
}

/** PortRuleHTTP.Sanitize compiles path and method with Go's regexp (the host is a CRD format). */
function httpFinding(
  context: ValidationContext,
  reader: ObjectReader,
  rules: readonly HttpRule[],
): Finding | undefined {
  for (const [index, rule] of rules.entries()) {
    for (const field of ['path', 'method'] as const) {
      const pattern = rule[field];
      const error =
        pattern === undefined ? undefined : goRegexpError(pattern, context.schema.angleNamedGroups);
      if (error !== undefined) {
        const path = joinPath(joinPath(reader.childPath('http'), index), field);
        return {
          path,
          position: httpPositions.get(rule)?.[field] ?? reader.keyPosition('http'),
          message: error,
        };
      }
    }
  }
  return undefined;
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

/** The L7 section as read, with what L7Rules.sanitize reports first. */
interface L7Reading {
  readonly rules?: L7Rules;
  readonly generic: boolean;
  readonly genericEntries: number;
  readonly finding?: Finding;
}

function readL7(
  context: ValidationContext,
  reader: ObjectReader,
  path: string,
  readFqdn: FqdnReader,
): L7Reading {
  const present = (['http', 'kafka', 'dns', 'l7proto'] as const).filter((key) => reader.has(key));
  // From 1.16 the CRD's oneOf refuses a mix; before, the agent does ("multiple L7 protocol rule types").
  if (present.length > 1) {
    if (context.schema.endPort) {
      context.invalid(path, reader.position, oneOfMessage(true));
      return { generic: false, genericEntries: 0 };
    }
    const message = 'multiple L7 protocol rule types specified in single rule';
    return { generic: false, genericEntries: 0, finding: { path, position: reader.position, message } };
  }
  const genericEntries = reader.list('l7', (item) => item)?.length ?? 0;
  if (reader.has('l7') && !reader.has('l7proto')) {
    const message = "'l7' may only be specified when a 'l7proto' is also specified";
    return {
      generic: false,
      genericEntries,
      finding: { path: joinPath(path, 'l7'), position: reader.keyPosition('l7'), message },
    };
  }
  if (reader.has('l7proto')) {
    reader.string('l7proto');
    context.notSimulated('generic L7 (l7proto) rules');
    return { generic: true, genericEntries };
  }
  if (reader.has('http')) {
    const http = reader.list('http', (item, itemPath) => readHttpRule(context, item, itemPath)) ?? [];
    const finding = httpFinding(context, reader, http);
    return { rules: { type: 'http', http }, generic: false, genericEntries, ...(finding ? { finding } : {}) };
  }
  if (reader.has('kafka')) {
    const kafka = reader.list('kafka', (item, itemPath) => readKafkaRule(context, item, itemPath)) ?? [];
    return { rules: { type: 'kafka', kafka }, generic: false, genericEntries };
  }
  if (reader.has('dns')) {
    const dns = reader.list('dns', (item, itemPath) => readFqdn(context, item, itemPath)) ?? [];
    return { rules: { type: 'dns', dns }, generic: false, genericEntries };
  }
  return { generic: false, genericEntries };
}

/** The API server's message for a failed oneOf (none or several alternatives valid). */
export function oneOfMessage(several: boolean): string {
  return `Invalid value: "object": must validate one and only one schema (oneOf). Found ${several ? '2 valid alternatives' : 'none valid'}`;
}

function countL7(rules: L7Rules | undefined): PortRuleReading['l7'] {
  return {
    dns: rules?.type === 'dns' ? rules.dns.length : 0,
    http: rules?.type === 'http' ? rules.http.length : 0,
    kafka: rules?.type === 'kafka' ? rules.kafka.length : 0,
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

/** Everything PortRule.sanitize needs, read from one toPorts entry. */
interface PortRuleFacts {
  readonly reader: ObjectReader;
  readonly ports: readonly ReadPort[];
  readonly l7: L7Reading;
  readonly serverNames: readonly string[];
  readonly terminatingTLS: boolean;
  readonly listenerName?: string;
  readonly ingress: boolean;
}

/** PortRule.sanitize's checks in its order (1.14+: DNS on ingress and server names come first). */
function portRuleFinding(context: ValidationContext, facts: PortRuleFacts): Finding | undefined {
  const { reader, ports, l7, ingress } = facts;
  const at = (path: string, position: SourcePosition, message: string): Finding => ({
    path,
    position,
    message,
  });
  const rulesPath = reader.childPath('rules');
  const rulesPosition = reader.keyPosition('rules');
  const dns = l7.rules?.type === 'dns';
  const nonEmpty = (l7.rules !== undefined && countAll(l7.rules) > 0) || l7.genericEntries > 0;
  const legacy = !context.schema.listener;
  if (!legacy && ingress && dns) return at(rulesPath, rulesPosition, 'DNS rules are not allowed on ingress');
  if (facts.serverNames.length > 0 && nonEmpty && !facts.terminatingTLS) {
    return at(
      reader.childPath('serverNames'),
      reader.keyPosition('serverNames'),
      'ServerNames are not allowed with L7 rules without TLS termination',
    );
  }
  if (facts.serverNames.includes('')) {
    const message = wording(context, 'Empty server name is not allowed', 'empty server name is not allowed');
    return at(reader.childPath('serverNames'), reader.keyPosition('serverNames'), message);
  }
  if (ports.length > 40)
    return at(reader.childPath('ports'), reader.keyPosition('ports'), 'too many ports, the max is 40');
  for (const port of ports) {
    if (port.parseError !== undefined) return port.parseError;
    if (
      dns &&
      port.endPortWritten !== undefined &&
      typeof port.value.port === 'number' &&
      port.endPortWritten > port.value.port
    ) {
      return at(port.path, port.position, 'DNS rules do not support port ranges');
    }
    // DNS rules may use any protocol; every other L7 rule needs TCP (an omitted protocol is ANY).
    if (nonEmpty && !dns && port.value.protocol !== 'TCP') {
      return at(
        port.path,
        port.position,
        `L7 rules can only apply to TCP (not ${port.value.protocol}) except for DNS rules`,
      );
    }
    if (legacy && ingress && dns) return at(rulesPath, rulesPosition, 'DNS rules are not allowed on ingress');
  }
  if (facts.listenerName !== undefined) {
    const listenerPath = reader.childPath('listener');
    if (ingress)
      return at(
        listenerPath,
        reader.keyPosition('listener'),
        `Listener is not allowed on ingress (${facts.listenerName})`,
      );
    if (nonEmpty)
      return at(
        listenerPath,
        reader.keyPosition('listener'),
        `Listener is not allowed with L7 rules (${facts.listenerName})`,
      );
  }
  if (!nonEmpty) return undefined;
  const zero = ports.find((port) => port.value.port === 0);
  if (zero !== undefined) return at(zero.path, zero.position, 'L7 rules can not be used when a port is 0');
  if (l7.finding !== undefined) return l7.finding;
  if (dns && ports.length === 0) {
    return at(
      rulesPath,
      rulesPosition,
      wording(context, 'Port 53 must be specified for DNS rules', 'port 53 must be specified for DNS rules'),
    );
  }
  return undefined;
}

function countAll(rules: L7Rules): number {
  const counts = countL7(rules);
  return counts.dns + counts.http + counts.kafka;
}

/** Reads one toPorts entry; its agent finding is returned, not recorded, so the section can order it. */
export function readPortRule(
  context: ValidationContext,
  node: SourceNode,
  path: string,
  ingress: boolean,
  deny: boolean,
  readFqdn: FqdnReader,
): PortRuleReading | undefined {
  const allowed = deny
    ? ['ports']
    : [
        'ports',
        'rules',
        'terminatingTLS',
        'originatingTLS',
        ...(context.schema.listener ? ['serverNames', 'listener'] : []),
      ];
  const reader = readObject(context, node, path, allowed);
  if (!reader) return undefined;
  const errorsBefore = context.errors.length;
  const ports = reader.list('ports', (item, itemPath) => readPortFields(context, item, itemPath)) ?? [];
  const serverNames =
    reader.list('serverNames', (item, itemPath) => readServerName(context, item, itemPath)) ?? [];
  const terminating = reader.object('terminatingTLS', ['secret', 'certificate', 'privateKey', 'trustedCA']);
  const originating = reader.object('originatingTLS', ['secret', 'certificate', 'privateKey', 'trustedCA']);
  const listener = reader.object('listener', ['envoyConfig', 'name', 'priority']);
  const listenerName = listener?.string('name')?.value;
  const rulesReader = reader.object('rules', ['http', 'kafka', 'dns', 'l7proto', 'l7']);
  const l7 = rulesReader
    ? readL7(context, rulesReader, reader.childPath('rules'), readFqdn)
    : { generic: false, genericEntries: 0 };
  // Agent findings nested deeper (Kafka) come after the port checks; take them to order them.
  const nested = context.takeAgentErrorsSince(errorsBefore);
  if (context.refusedSince(errorsBefore)) return undefined;
  const terminatingTLS = readTlsSecret(terminating);
  const originatingTLS = readTlsSecret(originating);
  const facts: PortRuleFacts = {
    reader,
    ports,
    l7,
    serverNames,
    terminatingTLS: terminating !== undefined,
    ingress,
    ...(listenerName !== undefined ? { listenerName } : {}),
  };
  const finding = portRuleFinding(context, facts) ?? nested.map(findingOf)[0];
  const rule: PortRule = {
    ports: ports.map((port) => port.value),
    serverNames,
    ...(l7.rules ? { rules: l7.rules } : {}),
    ...(terminatingTLS ? { terminatingTLS } : {}),
    ...(originatingTLS ? { originatingTLS } : {}),
  };
  return { rule, l7: countL7(l7.rules), genericL7: l7.generic, ...(finding ? { finding } : {}) };
}

/** A recorded agent error as a finding. */
export function findingOf(error: PolicyError): Finding {
  return { path: error.path, position: { line: error.line, column: error.column }, message: error.message };
}
