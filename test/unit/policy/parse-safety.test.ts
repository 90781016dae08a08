// Goal: any input, however malformed or hostile, ends in typed PolicyErrors (never another exception),
// never pollutes prototypes, and non-policy objects pass through untouched. Hostile sizes are bounded
// by parseLimits (tested below); speed belongs to the benchmarks, not to a wall-clock assertion here.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLimits, type PolicyError } from '../../../simulator/policy';
import { parsePolicyDocuments } from '../../../simulator/cilium/policy-documents';

function expectTypedErrors(errors: readonly PolicyError[]): void {
  for (const error of errors) {
    expect(
      Object.keys(error)
        .filter((key) => key !== 'complete')
        .sort(),
    ).toEqual(['column', 'documentIndex', 'line', 'message', 'path', 'stage']);
    expect(['apiserver', 'agent']).toContain(error.stage);
    expect(error.line).toBeGreaterThanOrEqual(1);
    expect(error.column).toBeGreaterThanOrEqual(1);
    expect(typeof error.message).toBe('string');
  }
}

const validPolicies = [
  `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: rule1
  namespace: default
spec:
  endpointSelector:
    matchLabels:
      org: empire
      class: deathstar
  ingress:
  - fromEndpoints:
    - matchLabels:
        org: empire
    toPorts:
    - ports:
      - port: "80"
        protocol: TCP
      rules:
        http:
        - method: POST
          path: /v1/request-landing
`,
  `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: np
spec:
  podSelector:
    matchLabels:
      app: db
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          team: red
      podSelector:
        matchExpressions:
        - {key: tier, operator: In, values: [api]}
    - ipBlock:
        cidr: 10.0.0.0/8
        except: [10.96.0.0/12]
    ports:
    - port: 5432
      endPort: 5440
`,
  `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: host
spec:
  nodeSelector: {}
  ingress:
  - fromEntities: [cluster]
  - toPorts:
    - ports:
      - {port: "22", protocol: TCP}
  egressDeny:
  - toCIDRSet:
    - cidr: 0.0.0.0/0
      except: [10.0.0.0/8]
    icmps:
    - fields:
      - {type: EchoRequest, family: IPv4}
`,
];

describe('policy: parse safety', () => {
  it('policy: parse: an alias bomb is refused before it expands', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
      'h: [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
    ].join('\n');
    const result = parsePolicyDocuments(bomb);
    expect(result.objects).toEqual([]);
    expect(result.errors[0]?.message).toContain('aliases');
  });

  it('policy: parse: deep flow nesting is refused before the YAML parser recurses', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const result = parsePolicyDocuments(deep);
    expect(result.errors[0]?.message).toContain('nesting deeper than');
  });

  it('policy: parse: deep block nesting is refused', () => {
    const lines = Array.from({ length: 100 }, (_, depth) => `${'  '.repeat(depth)}k${depth}:`);
    const result = parsePolicyDocuments(`${lines.join('\n')} x\n`);
    expect(result.errors[0]?.message).toContain(`nesting deeper than ${parseLimits.maxDepth}`);
  });

  it('policy: parse: oversized input is refused without parsing', () => {
    const result = parsePolicyDocuments('a: b\n'.repeat(parseLimits.maxTextLength / 4));
    expect(result.errors[0]?.message).toContain('input larger than');
  });

  it('policy: parse: custom tags are not honoured', () => {
    const result = parsePolicyDocuments(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: !!js/function "return 1"\n',
    );
    expect(result.objects).toHaveLength(0);
    expectTypedErrors(result.errors);
  });

  it('policy: parse: a __proto__ key is refused and nothing is polluted', () => {
    const result = parsePolicyDocuments(
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    __proto__: {polluted: "yes"}\n',
    );
    expect(result.errors[0]?.message).toContain('forbidden key "__proto__"');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('policy: parse: other kinds pass through with kind, metadata and position', () => {
    const result = parsePolicyDocuments(`---
apiVersion: v1
kind: Pod
metadata:
  name: sleep
  namespace: team-a
  labels:
    app: sleep
spec:
  containers: [{name: c, image: sleep}]
---
---
${validPolicies[0] ?? ''}`);
    expect(result.errors).toEqual([]);
    expect(
      result.objects.map((object) => [
        object.documentIndex,
        object.kind,
        object.name,
        object.namespace,
        object.line,
      ]),
    ).toEqual([
      [0, 'Pod', 'sleep', 'team-a', 2],
      [2, 'CiliumNetworkPolicy', 'rule1', 'default', 13],
    ]);
    expect(result.objects[0]?.labels).toEqual({ app: 'sleep' });
    expect(result.objects[0]?.policy).toBeUndefined();
    expect(result.objects[1]?.policy?.kind).toBe('CiliumNetworkPolicy');
  });

  it('policy: parse: the seed-style policies are accepted', () => {
    for (const text of validPolicies) expect(parsePolicyDocuments(text).errors).toEqual([]);
  });

  it('policy: parse: random text yields only typed errors', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400, unit: 'binary' }), (text) => {
        expectTypedErrors(parsePolicyDocuments(text).errors);
      }),
      { numRuns: 1500, seed: 4 },
    );
  }, 60_000);

  it('policy: parse: mutated policies yield only typed errors', () => {
    const mutation = fc.oneof(
      fc.record({
        type: fc.constant('delete' as const),
        at: fc.nat(),
        length: fc.integer({ min: 1, max: 8 }),
      }),
      fc.record({
        type: fc.constant('insert' as const),
        at: fc.nat(),
        text: fc.constantFrom(
          ':',
          '-',
          ' ',
          '\n',
          '[',
          '{',
          '"',
          '&a',
          '*a',
          '!!str',
          '#',
          '  ',
          '\t',
          '0',
          'null',
          '~',
        ),
      }),
      fc.record({ type: fc.constant('duplicateLine' as const), at: fc.nat() }),
      fc.record({ type: fc.constant('swapLines' as const), at: fc.nat(), other: fc.nat() }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...validPolicies),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        (source, mutations) => {
          let text = source;
          for (const change of mutations) {
            const at = change.at % (text.length + 1);
            const lines = text.split('\n');
            if (change.type === 'delete') text = text.slice(0, at) + text.slice(at + change.length);
            else if (change.type === 'insert') text = text.slice(0, at) + change.text + text.slice(at);
            else if (change.type === 'duplicateLine') {
              const index = change.at % lines.length;
              lines.splice(index, 0, lines[index] ?? '');
              text = lines.join('\n');
            } else {
              const a = change.at % lines.length;
              const b = change.other % lines.length;
              [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
              text = lines.join('\n');
            }
          }
          const result = parsePolicyDocuments(text);
          expectTypedErrors(result.errors);
          for (const object of result.objects) expectTypedErrors(object.agentErrors);
        },
      ),
      { numRuns: 3000, seed: 7 },
    );
  }, 60_000);
});
