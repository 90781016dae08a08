/**
 * Istio's security resources as the API server stores them: PeerAuthentication and
 * AuthorizationPolicy in security.istio.io v1 and v1beta1. Validation follows the CRDs' structural
 * schema (unknown fields refused by strict decoding, enums checked); the typed views feed the pure
 * evaluators in simulator/istio/ (peer-authentication.ts, authorization.ts).
 */
import { listObjects } from '../k8s/api-store';
import type { IstioSecurityObject } from './objects';
import type { AuthorizationCondition, AuthorizationPolicy } from '../istio/authorization';
import type { MtlsMode, PeerAuthentication } from '../istio/peer-authentication';
import type { World } from '../world';

/** The Istio kinds `kubectl apply` accepts once the CRDs (the base chart) are installed. */
export const istioSecurityKinds: ReadonlySet<string> = new Set(['PeerAuthentication', 'AuthorizationPolicy']);

/** API versions served for both kinds. */
const istioSecurityVersions: ReadonlySet<string> = new Set([
  'security.istio.io/v1',
  'security.istio.io/v1beta1',
]);

type Shape = {
  [field: string]: Shape | 'string' | 'strings' | 'labels' | 'any' | readonly string[] | [Shape];
};

const selector: Shape = { matchLabels: 'labels' };
const targetRef: Shape = { group: 'string', kind: 'string', name: 'string', namespace: 'string' };
const mtlsModes = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'] as const;

const source: Shape = {
  principals: 'strings',
  notPrincipals: 'strings',
  requestPrincipals: 'strings',
  notRequestPrincipals: 'strings',
  namespaces: 'strings',
  notNamespaces: 'strings',
  serviceAccounts: 'strings',
  notServiceAccounts: 'strings',
  ipBlocks: 'strings',
  notIpBlocks: 'strings',
  remoteIpBlocks: 'strings',
  notRemoteIpBlocks: 'strings',
};
const operation: Shape = {
  hosts: 'strings',
  notHosts: 'strings',
  ports: 'strings',
  notPorts: 'strings',
  methods: 'strings',
  notMethods: 'strings',
  paths: 'strings',
  notPaths: 'strings',
};

const schemas: Record<string, Shape> = {
  AuthorizationPolicy: {
    selector,
    targetRef,
    targetRefs: [targetRef],
    action: ['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'],
    provider: { name: 'string' },
    rules: [
      {
        from: [{ source }],
        to: [{ operation }],
        when: [{ key: 'string', values: 'strings', notValues: 'strings' }],
      },
    ],
  },
  PeerAuthentication: {
    selector,
    mtls: { mode: mtlsModes },
    portLevelMtls: 'any',
  },
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

interface Problem {
  kind: 'unknown' | 'invalid';
  text: string;
}

function check(value: unknown, shape: Shape[string], path: string, problems: Problem[]): void {
  if (shape === 'any') return;
  if (shape === 'string') {
    if (typeof value !== 'string')
      problems.push({
        kind: 'invalid',
        text: `${path}: Invalid value: "${typeof value}": ${path} in body must be of type string: "${typeof value}"`,
      });
    return;
  }
  if (shape === 'strings') {
    if (!Array.isArray(value)) {
      problems.push({
        kind: 'invalid',
        text: `${path}: Invalid value: "${typeof value}": ${path} in body must be of type array: "${typeof value}"`,
      });
      return;
    }
    value.forEach((item, index) => {
      if (typeof item !== 'string')
        problems.push({
          kind: 'invalid',
          text: `${path}[${index}]: Invalid value: "${typeof item}": ${path}[${index}] in body must be of type string: "${typeof item}"`,
        });
    });
    return;
  }
  if (shape === 'labels') {
    if (!isRecord(value) || Object.values(value).some((item) => typeof item !== 'string'))
      problems.push({
        kind: 'invalid',
        text: `${path}: Invalid value: "object": ${path} in body must be a map of strings`,
      });
    return;
  }
  if (Array.isArray(shape) && typeof shape[0] === 'string') {
    const allowed = shape as unknown as readonly string[];
    if (typeof value !== 'string' || !allowed.includes(value))
      problems.push({
        kind: 'invalid',
        text: `${path}: Unsupported value: "${String(value)}": supported values: ${allowed.map((item) => `"${item}"`).join(', ')}`,
      });
    return;
  }
  if (Array.isArray(shape)) {
    const item = shape[0];
    if (!Array.isArray(value)) {
      problems.push({
        kind: 'invalid',
        text: `${path}: Invalid value: "${typeof value}": ${path} in body must be of type array: "${typeof value}"`,
      });
      return;
    }
    value.forEach((element, index) => check(element, item, `${path}[${index}]`, problems));
    return;
  }
  const fields = shape as Shape;
  if (!isRecord(value)) {
    if (value !== null && value !== undefined)
      problems.push({
        kind: 'invalid',
        text: `${path}: Invalid value: "${typeof value}": ${path} in body must be of type object: "${typeof value}"`,
      });
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    const childShape = fields[key];
    if (childShape === undefined) problems.push({ kind: 'unknown', text: `${path}.${key}` });
    else check(child, childShape, `${path}.${key}`, problems);
  }
}

/**
 * Checks an Istio security object as the API server would; returns kubectl's error line, or
 * undefined when the object is accepted.
 */
export function validateIstioSecurityObject(
  kind: string,
  apiVersion: string,
  name: string,
  body: unknown,
): string | undefined {
  if (!istioSecurityVersions.has(apiVersion))
    return `error: resource mapping not found for name: "${name}" namespace: "" from "STDIN": no matches for kind "${kind}" in version "${apiVersion}"\nensure CRDs are installed first`;
  const schema = schemas[kind];
  if (schema === undefined || !isRecord(body)) return undefined;
  const problems: Problem[] = [];
  for (const key of Object.keys(body)) {
    if (!['apiVersion', 'kind', 'metadata', 'spec', 'status'].includes(key))
      problems.push({ kind: 'unknown', text: key });
  }
  check(body.spec, schema, 'spec', problems);
  const spec = isRecord(body.spec) ? body.spec : {};
  if (kind === 'PeerAuthentication' && isRecord(spec.portLevelMtls)) {
    for (const [port, value] of Object.entries(spec.portLevelMtls)) {
      const mode = isRecord(value) ? value.mode : undefined;
      if (mode !== undefined && !(mtlsModes as readonly unknown[]).includes(mode))
        problems.push({
          kind: 'invalid',
          text: `spec.portLevelMtls[${port}].mode: Unsupported value: ${JSON.stringify(mode)}: supported values: ${mtlsModes.map((item) => `"${item}"`).join(', ')}`,
        });
    }
    if (spec.selector === undefined && Object.keys(spec.portLevelMtls).length > 0)
      problems.push({
        kind: 'invalid',
        text: 'spec: Invalid value: "object": portLevelMtls requires selector',
      });
  }
  const version = apiVersion.slice(apiVersion.indexOf('/') + 1);
  const unknown = problems.filter((problem) => problem.kind === 'unknown');
  if (unknown.length > 0)
    return `Error from server (BadRequest): error when creating "STDIN": ${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${unknown.map((problem) => `unknown field "${problem.text}"`).join(', ')}`;
  const invalid = problems.filter((problem) => problem.kind === 'invalid');
  if (invalid.length > 0)
    return `The ${kind} "${name}" is invalid: ${invalid.length === 1 ? (invalid[0]?.text ?? '') : `[${invalid.map((problem) => problem.text).join(', ')}]`}`;
  return undefined;
}

const byAge = (a: IstioSecurityObject, b: IstioSecurityObject): number =>
  a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) ||
  (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
  a.metadata.name.localeCompare(b.metadata.name);

const stringList = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;

function matchLabelsOf(value: unknown): { matchLabels: Record<string, string> } | undefined {
  if (!isRecord(value) || !isRecord(value.matchLabels)) return undefined;
  const labels: Record<string, string> = {};
  for (const [key, item] of Object.entries(value.matchLabels))
    if (typeof item === 'string') labels[key] = item;
  return { matchLabels: labels };
}

function pick<T extends string>(
  record: Record<string, unknown>,
  fields: readonly T[],
): Partial<Record<T, string[]>> {
  const result: Partial<Record<T, string[]>> = {};
  for (const field of fields) {
    const list = stringList(record[field]);
    if (list !== undefined) result[field] = list;
  }
  return result;
}

const sourceFields = [
  'principals',
  'notPrincipals',
  'namespaces',
  'notNamespaces',
  'ipBlocks',
  'notIpBlocks',
] as const;
const operationFields = [
  'methods',
  'notMethods',
  'paths',
  'notPaths',
  'ports',
  'notPorts',
  'hosts',
  'notHosts',
] as const;

/** The AuthorizationPolicies in the API, oldest first, typed for istio/authorization.ts. */
export function authorizationPoliciesIn(world: Readonly<World>): AuthorizationPolicy[] {
  const cluster = world.cluster;
  if (cluster === undefined) return [];
  return listObjects(cluster.api, 'AuthorizationPolicy')
    .sort(byAge)
    .map((object) => {
      const spec = isRecord(object.spec) ? object.spec : {};
      const rules = Array.isArray(spec.rules)
        ? spec.rules.filter(isRecord).map((rule) => ({
            ...(Array.isArray(rule.from)
              ? {
                  from: rule.from.filter(isRecord).map((entry) => ({
                    source: pick(isRecord(entry.source) ? entry.source : {}, sourceFields),
                  })),
                }
              : {}),
            ...(Array.isArray(rule.to)
              ? {
                  to: rule.to.filter(isRecord).map((entry) => ({
                    operation: pick(isRecord(entry.operation) ? entry.operation : {}, operationFields),
                  })),
                }
              : {}),
            ...(Array.isArray(rule.when)
              ? {
                  when: rule.when.filter(isRecord).map((condition) => {
                    const values = stringList(condition.values);
                    const notValues = stringList(condition.notValues);
                    return {
                      key: String(condition.key) as AuthorizationCondition['key'],
                      ...(values !== undefined ? { values } : {}),
                      ...(notValues !== undefined ? { notValues } : {}),
                    };
                  }),
                }
              : {}),
          }))
        : undefined;
      const selectorValue = matchLabelsOf(spec.selector);
      const targetRefs = [
        ...(Array.isArray(spec.targetRefs) ? (spec.targetRefs as unknown[]) : []),
        spec.targetRef,
      ]
        .filter(isRecord)
        .filter((ref) => typeof ref.kind === 'string' && typeof ref.name === 'string')
        .map((ref) => ({
          ...(typeof ref.group === 'string' ? { group: ref.group } : {}),
          kind: String(ref.kind),
          name: String(ref.name),
        }));
      const action =
        typeof spec.action === 'string' ? (spec.action as AuthorizationPolicy['spec']['action']) : undefined;
      return {
        metadata: { name: object.metadata.name, namespace: object.metadata.namespace ?? 'default' },
        spec: {
          ...(selectorValue !== undefined ? { selector: selectorValue } : {}),
          ...(targetRefs.length > 0 ? { targetRefs } : {}),
          ...(action !== undefined ? { action } : {}),
          ...(rules !== undefined ? { rules } : {}),
        },
      };
    });
}

/** The PeerAuthentications in the API, oldest first, typed for istio/peer-authentication.ts. */
export function peerAuthenticationsIn(world: Readonly<World>): PeerAuthentication[] {
  const cluster = world.cluster;
  if (cluster === undefined) return [];
  return listObjects(cluster.api, 'PeerAuthentication')
    .sort(byAge)
    .map((object) => {
      const spec = isRecord(object.spec) ? object.spec : {};
      const modeOf = (value: unknown): { mode?: MtlsMode } =>
        isRecord(value) && typeof value.mode === 'string' ? { mode: value.mode as MtlsMode } : {};
      const selectorValue = matchLabelsOf(spec.selector);
      const portLevel: Record<string, { mode?: MtlsMode }> = {};
      if (isRecord(spec.portLevelMtls))
        for (const [port, value] of Object.entries(spec.portLevelMtls)) portLevel[port] = modeOf(value);
      return {
        metadata: { name: object.metadata.name, namespace: object.metadata.namespace ?? 'default' },
        spec: {
          ...(selectorValue !== undefined ? { selector: selectorValue } : {}),
          ...(spec.mtls !== undefined ? { mtls: modeOf(spec.mtls) } : {}),
          ...(Object.keys(portLevel).length > 0 ? { portLevelMtls: portLevel } : {}),
        },
      };
    });
}
