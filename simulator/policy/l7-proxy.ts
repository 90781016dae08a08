/**
 * What the L7 proxies answer for a request on a redirected connection: Envoy's cilium.l7policy for
 * HTTP and gRPC (403 "Access denied"; gRPC status 7), the Kafka parser (error 29
 * TOPIC_AUTHORIZATION_FAILED) and the agent's DNS proxy (REFUSED, or NXDOMAIN when configured).
 * The rules are the union the map entry carries; an empty rule matches everything.
 */
import { dnsNameMatches } from './dns-match';
import type { L7Policy, PolicyVerdict, RuleReference } from './endpoint-policy';
import { consumeRoleKeys, kafkaApiKeyNumbers, produceRoleKeys } from './kafka-api-keys';
import type { HttpRule, KafkaRule } from './model';
import { compileFullMatch, matchesFully } from './regex-check';

/** Envoy's local-reply body for a denied HTTP request. */
export const accessDeniedBody = 'Access denied\r\n';

/** An HTTP/1.1 or HTTP/2 request; `grpc` marks a gRPC call (`/package.Service/Method` path). */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly host?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly grpc?: boolean;
}

/** A Kafka request as the parser sees it. */
export interface KafkaRequest {
  readonly apiKey: string | number;
  readonly apiVersion: number;
  readonly clientID?: string;
  readonly topics?: readonly string[];
}

/** A DNS question. */
export interface DnsQuestion {
  readonly name: string;
}

/** The proxy's answer, with the rule that allowed it or the reason it did not. */
export interface L7Answer {
  readonly allowed: boolean;
  /** False when the connection never reached a proxy (dropped at L3/L4, or not redirected). */
  readonly proxied: boolean;
  readonly httpStatus?: number;
  readonly body?: string;
  readonly grpcStatus?: number;
  readonly grpcMessage?: string;
  readonly kafkaErrorCode?: number;
  readonly dnsRcode?: 'NOERROR' | 'REFUSED' | 'NXDOMAIN';
  /** Header changes or log lines a headerMatches mismatch action caused. */
  readonly headerActions: readonly string[];
  readonly explanation: {
    readonly layer: 'l3-l4' | 'l7';
    readonly summary: string;
    readonly rule?: RuleReference;
  };
}

function notProxied(verdict: PolicyVerdict): L7Answer | undefined {
  if (verdict.decision === 'denied') {
    return {
      allowed: false,
      proxied: false,
      headerActions: [],
      explanation: {
        layer: 'l3-l4',
        summary: `the connection is dropped before any request: ${verdict.explanation.summary}`,
      },
    };
  }
  if (!verdict.l7) {
    return {
      allowed: true,
      proxied: false,
      headerActions: [],
      explanation: {
        layer: 'l3-l4',
        summary: 'no L7 rule on this peer and port: the request is not inspected',
      },
    };
  }
  return undefined;
}

function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

function httpRuleMatches(rule: HttpRule, request: HttpRequest, actions: string[]): boolean {
  const headers = request.headers ?? {};
  for (const [field, text] of [
    ['method', request.method],
    ['path', request.path],
    ['host', request.host ?? headerValue(headers, 'host') ?? ''],
  ] as const) {
    const pattern = rule[field];
    if (pattern === undefined) continue;
    const compiled = compileFullMatch(pattern);
    if (!compiled.ok || !matchesFully(compiled.regex, text)) return false;
  }
  for (const header of rule.headers) {
    const colon = header.indexOf(':');
    const name = (colon < 0 ? header : header.slice(0, colon)).trim();
    const expected = colon < 0 ? undefined : header.slice(colon + 1).trim();
    const actual = headerValue(headers, name);
    if (actual === undefined || (expected !== undefined && actual !== expected)) return false;
  }
  const pending: string[] = [];
  for (const match of rule.headerMatches) {
    const actual = headerValue(headers, match.name);
    const ok = actual !== undefined && (match.value === undefined || actual === match.value);
    if (ok) continue;
    if (match.mismatch === undefined) return false;
    // With a mismatch action the request passes; the action only logs or rewrites the header.
    pending.push(`${match.mismatch} ${match.name}${match.value !== undefined ? `: ${match.value}` : ''}`);
  }
  actions.push(...pending);
  return true;
}

function denyHttp(request: HttpRequest, summary: string): L7Answer {
  if (request.grpc === true) {
    return {
      allowed: false,
      proxied: true,
      httpStatus: 200,
      grpcStatus: 7,
      grpcMessage: 'Access denied',
      headerActions: [],
      explanation: { layer: 'l7', summary: `${summary}; gRPC status 7 PERMISSION_DENIED` },
    };
  }
  return {
    allowed: false,
    proxied: true,
    httpStatus: 403,
    body: accessDeniedBody,
    headerActions: [],
    explanation: { layer: 'l7', summary: `${summary}; 403 Access denied` },
  };
}

function parserMismatch(l7: L7Policy, expected: string): string | undefined {
  return l7.parser === expected
    ? undefined
    : `the connection is redirected to the ${l7.parser} parser, not ${expected}`;
}

/** Envoy's answer to an HTTP (or gRPC) request on a redirected connection. */
export function evaluateHttpRequest(verdict: PolicyVerdict, request: HttpRequest): L7Answer {
  const early = notProxied(verdict);
  if (early) return early;
  const l7 = verdict.l7 as L7Policy;
  const mismatch = parserMismatch(l7, 'http');
  if (mismatch) return denyHttp(request, mismatch);
  const description = `${request.method} ${request.path}`;
  if (l7.allowAll) {
    return {
      allowed: true,
      proxied: true,
      httpStatus: 200,
      headerActions: [],
      explanation: {
        layer: 'l7',
        summary: `${description} allowed: an L4-only rule on the same peer and port allows every request`,
      },
    };
  }
  for (const { reference, rules } of l7.rules) {
    if (rules.type !== 'http') continue;
    for (const [index, rule] of rules.http.entries()) {
      const actions: string[] = [];
      if (httpRuleMatches(rule, request, actions)) {
        return {
          allowed: true,
          proxied: true,
          httpStatus: 200,
          headerActions: actions,
          explanation: {
            layer: 'l7',
            summary: `${description} allowed by ${reference.rule} rules.http[${index}]`,
            rule: reference,
          },
        };
      }
    }
  }
  return denyHttp(request, `${description} matches no HTTP rule for this peer and port`);
}

function kafkaKeyNumber(apiKey: string | number): number | undefined {
  if (typeof apiKey === 'number') return apiKey;
  return kafkaApiKeyNumbers[apiKey.toLowerCase()];
}

function kafkaRuleMatchesNonTopic(rule: KafkaRule, request: KafkaRequest): boolean {
  const key = kafkaKeyNumber(request.apiKey);
  if (rule.role === 'produce' && (key === undefined || !produceRoleKeys.includes(key))) return false;
  if (rule.role === 'consume' && (key === undefined || !consumeRoleKeys.includes(key))) return false;
  if (rule.apiKey !== undefined && kafkaApiKeyNumbers[rule.apiKey] !== key) return false;
  if (rule.apiVersion !== undefined && Number(rule.apiVersion) !== request.apiVersion) return false;
  if (rule.clientID !== undefined && rule.clientID !== request.clientID) return false;
  return true;
}

/** The Kafka parser's answer: allowed, or error 29 (TOPIC_AUTHORIZATION_FAILED). */
export function evaluateKafkaRequest(verdict: PolicyVerdict, request: KafkaRequest): L7Answer {
  const early = notProxied(verdict);
  if (early) return early;
  const l7 = verdict.l7 as L7Policy;
  const deny = (summary: string): L7Answer => ({
    allowed: false,
    proxied: true,
    kafkaErrorCode: 29,
    headerActions: [],
    explanation: { layer: 'l7', summary: `${summary}; error 29 TOPIC_AUTHORIZATION_FAILED` },
  });
  const mismatch = parserMismatch(l7, 'kafka');
  if (mismatch) return deny(mismatch);
  if (l7.allowAll) {
    return {
      allowed: true,
      proxied: true,
      headerActions: [],
      explanation: { layer: 'l7', summary: 'an L4-only rule on the same peer and port allows every request' },
    };
  }
  const rules = l7.rules.flatMap(({ reference, rules: set }) =>
    set.type === 'kafka' ? set.kafka.map((rule) => ({ reference, rule })) : [],
  );
  const topics = request.topics ?? [];
  // Every topic of the request must be allowed by some rule; a request without topics needs a rule for its other fields.
  const decisive: RuleReference[] = [];
  if (topics.length === 0) {
    const match = rules.find(({ rule }) => kafkaRuleMatchesNonTopic(rule, request));
    if (!match) return deny(`apiKey ${String(request.apiKey)} matches no Kafka rule`);
    decisive.push(match.reference);
  }
  for (const topic of topics) {
    const match = rules.find(
      ({ rule }) =>
        kafkaRuleMatchesNonTopic(rule, request) && (rule.topic === undefined || rule.topic === topic),
    );
    if (!match) return deny(`apiKey ${String(request.apiKey)} on topic ${topic} matches no Kafka rule`);
    decisive.push(match.reference);
  }
  const first = decisive[0];
  return {
    allowed: true,
    proxied: true,
    headerActions: [],
    explanation: {
      layer: 'l7',
      summary: `allowed by ${decisive.map((reference) => reference.rule).join('; ')}`,
      ...(first ? { rule: first } : {}),
    },
  };
}

/** The DNS proxy's answer: the query is forwarded (NOERROR) or rejected with REFUSED / NXDOMAIN. */
export function evaluateDnsQuery(
  verdict: PolicyVerdict,
  question: DnsQuestion,
  rejectResponseCode: 'refused' | 'nameError' = 'refused',
): L7Answer {
  const early = notProxied(verdict);
  if (early) return early;
  const l7 = verdict.l7 as L7Policy;
  const rcode = rejectResponseCode === 'nameError' ? 'NXDOMAIN' : 'REFUSED';
  const deny = (summary: string): L7Answer => ({
    allowed: false,
    proxied: true,
    dnsRcode: rcode,
    headerActions: [],
    explanation: { layer: 'l7', summary: `${summary}; the DNS proxy answers ${rcode}` },
  });
  const mismatch = parserMismatch(l7, 'dns');
  if (mismatch) return deny(mismatch);
  if (l7.allowAll) {
    return {
      allowed: true,
      proxied: true,
      dnsRcode: 'NOERROR',
      headerActions: [],
      explanation: { layer: 'l7', summary: 'an L4-only rule on the same peer and port allows every query' },
    };
  }
  for (const { reference, rules } of l7.rules) {
    if (rules.type !== 'dns') continue;
    for (const [index, selector] of rules.dns.entries()) {
      if (dnsNameMatches(selector, question.name)) {
        return {
          allowed: true,
          proxied: true,
          dnsRcode: 'NOERROR',
          headerActions: [],
          explanation: {
            layer: 'l7',
            summary: `${question.name} allowed by ${reference.rule} rules.dns[${index}]`,
            rule: reference,
          },
        };
      }
    }
  }
  return deny(`${question.name} matches no DNS rule`);
}

/** Any L7 request, dispatched on its protocol. */
export type L7Request =
  | ({ readonly protocol: 'http' } & HttpRequest)
  | ({ readonly protocol: 'kafka' } & KafkaRequest)
  | ({ readonly protocol: 'dns' } & DnsQuestion);

/** Evaluates an L7 request of any supported protocol against a verdict. */
export function evaluateL7(
  verdict: PolicyVerdict,
  request: L7Request,
  dnsRejectResponseCode: 'refused' | 'nameError' = 'refused',
): L7Answer {
  if (request.protocol === 'http') return evaluateHttpRequest(verdict, request);
  if (request.protocol === 'kafka') return evaluateKafkaRequest(verdict, request);
  return evaluateDnsQuery(verdict, request, dnsRejectResponseCode);
}
