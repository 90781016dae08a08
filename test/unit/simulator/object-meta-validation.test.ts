import { describe, expect, it } from 'vitest';
import { getObject } from '../../../simulator/k8s/api-store';
import { kindShell } from '../terminal/kubectl-support';

// Whatever its kind, an object whose labels or annotations are not what the API server accepts is
// refused as a whole, with one cause per bad key or value, before the kind's own checks.

const namePartRule =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

const configMap = (metadata: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: demo
${metadata}
data:
  a: "1"
`;

describe('the API server validates every object\u2019s labels and annotations', () => {
  it('refuses a manifest with a bad label key, a long label value and a bad annotation key, listing each', async () => {
    const long = 'v'.repeat(64);
    const session = kindShell({
      'bad.yaml': configMap(
        `  labels:\n    "bad key": x\n    tier: ${long}\n  annotations:\n    "a/b/c": "1"`,
      ),
    });
    const result = await session.run('kubectl apply -f bad.yaml');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      [
        'The ConfigMap "demo" is invalid: ',
        `* metadata.labels: Invalid value: "bad key": ${namePartRule}`,
        `* metadata.labels: Invalid value: "${long}": must be no more than 63 characters`,
        `* metadata.annotations: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
        '',
      ].join('\n'),
    );
    expect(getObject(session.simulation.state.cluster!.api, 'ConfigMap', 'default/demo')).toBeUndefined();
  });

  it('accepts qualified names, an annotation key in capitals (checked lowercased) and an empty label value', async () => {
    const session = kindShell({
      'good.yaml': configMap(
        '  labels:\n    app.kubernetes.io/name: demo\n    empty: ""\n  annotations:\n    Example.COM/Owner: team',
      ),
    });
    expect(await session.run('kubectl apply -f good.yaml')).toMatchObject({
      stdout: 'configmap/demo created\n',
      exitCode: 0,
    });
  });

  it('refuses a Deployment with a bad label before its own spec checks, in one answer', async () => {
    const session = kindShell();
    const result = await session.run(
      'kubectl create deployment web --image=nginx && kubectl patch deployment web --type=merge -p \'{"metadata":{"labels":{"-x":"1"}},"spec":{"replicas":-1}}\'',
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n').slice(0, 3)).toEqual([
      'The Deployment "web" is invalid: ',
      `* metadata.labels: Invalid value: "-x": ${namePartRule}`,
      expect.stringMatching(/^\* spec\.replicas: Invalid value: -1: must be greater than or equal to 0$/),
    ]);
  });

  it('kubectl label checks a value itself and leaves a key to the server, as kubectl does', async () => {
    const session = kindShell();
    const key = await session.run('kubectl label namespace default "a b=c"');
    expect(key.stderr).toBe(
      `The Namespace "default" is invalid: metadata.labels: Invalid value: "a b": ${namePartRule}\n`,
    );
    const both = await session.run(`kubectl label namespace default "x=${'-'.repeat(64)}"`);
    // Both of IsValidLabelValue's answers, joined as kubectl joins them.
    expect(both.stderr).toMatch(
      /^error: invalid label value: "x=-{64}": must be no more than 63 characters;a valid label must be an empty string/,
    );
    expect(getObject(session.simulation.state.cluster!.api, 'Namespace', 'default')?.metadata.labels).toEqual(
      { 'kubernetes.io/metadata.name': 'default' },
    );
  });

  it('stores no empty labels or annotations: the last one removed leaves no key, as Go\u2019s omitempty does', async () => {
    const session = kindShell();
    await session.run(
      'kubectl create configmap demo --from-literal=a=1 && kubectl annotate configmap demo owner=me && kubectl label configmap demo team=blue',
    );
    await session.run('kubectl annotate configmap demo owner- && kubectl label configmap demo team-');
    const metadata = getObject(session.simulation.state.cluster!.api, 'ConfigMap', 'default/demo')?.metadata;
    expect(metadata).not.toHaveProperty('labels');
    expect(metadata).not.toHaveProperty('annotations');
    expect((await session.run('kubectl get configmap demo -o yaml')).stdout).not.toMatch(
      /labels|annotations/,
    );
  });

  it('decodes every kind\u2019s metadata as an ObjectMeta, refusing a label that is not a string', async () => {
    const session = kindShell({ 'bad.yaml': configMap('  labels:\n    tier: 5') });
    expect((await session.run('kubectl apply -f bad.yaml')).stderr).toBe(
      'Error from server (BadRequest): error when creating "bad.yaml": ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string\n',
    );
    await session.run('kubectl create configmap demo --from-literal=a=1');
    expect(
      (await session.run(`kubectl patch configmap demo -p '{"metadata":{"labels":{"tier":5}}}'`)).stderr,
    ).toBe(
      'Error from server (BadRequest): ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string\n',
    );
  });
});
