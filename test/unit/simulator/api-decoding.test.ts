// Goal: the API server decodes what it is sent into the Go types before the model reads it, and
// validates Deployments as kube-apiserver does, so a manifest with a field dropped, retyped or
// misplaced ends in the API server's refusal instead of reaching the controllers (where it used to
// end in "internal error in the simulator" on a later command). The manifests below are the shrunk
// counterexamples the robustness properties found (test/unit/robustness/).
import { describe, expect, it } from 'vitest';
import { decodeGoValue, GoDecodeError, type GoType } from '../../../simulator/k8s/go-json-decoding';
import { builtinTypes } from '../../../simulator/k8s/builtin-types';
import { kindShell } from '../terminal/kubectl-support';

interface DecodeCase {
  readonly name: string;
  readonly kind: string;
  readonly value: unknown;
  /** The decoded object, or the decoding error's message. */
  readonly expected: unknown;
}

const deployment = (spec: unknown): unknown => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd' },
  spec,
});

const decodeCases: readonly DecodeCase[] = [
  {
    name: 'a string where an int32 belongs',
    kind: 'Deployment',
    value: deployment({ replicas: '2' }),
    expected: 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
  },
  {
    name: 'an int32 out of range, named with its literal',
    kind: 'Deployment',
    value: deployment({ replicas: 2 ** 31 }),
    expected:
      'json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32',
  },
  {
    name: 'a fraction where an integer belongs',
    kind: 'Deployment',
    value: deployment({ replicas: 1.5 }),
    expected:
      'json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32',
  },
  {
    name: 'a string where a struct belongs',
    kind: 'Deployment',
    value: deployment({ template: { spec: 'aaa' } }),
    expected:
      'json: cannot unmarshal string into Go struct field PodTemplateSpec.spec.template.spec of type v1.PodSpec',
  },
  {
    name: 'a list where a string belongs, inside a list (no index in the path)',
    kind: 'Pod',
    value: { kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: [{}] }] } },
    expected:
      'json: cannot unmarshal array into Go struct field Container.spec.containers.image of type string',
  },
  {
    name: 'a map value of the wrong type (no key in the path)',
    kind: 'Service',
    value: { kind: 'Service', metadata: { name: 's', labels: { app: 1 } } },
    expected: 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
  },
  {
    name: 'a named string type',
    kind: 'Service',
    value: { kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, protocol: 6 }] } },
    expected:
      'json: cannot unmarshal number into Go struct field ServicePort.spec.ports.protocol of type v1.Protocol',
  },
  {
    name: 'an int-or-string that is neither',
    kind: 'Service',
    value: { kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: true }] } },
    expected:
      'json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.targetPort of type int32',
  },
  {
    name: 'a quantity that is not one',
    kind: 'Pod',
    value: {
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: 'lots' } } }] },
    },
    expected: "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
  },
  {
    name: 'nulls: a field left out, a list item its zero value',
    kind: 'Service',
    value: {
      kind: 'Service',
      metadata: { name: 's', labels: null },
      spec: { ports: [null], selector: null },
    },
    expected: { kind: 'Service', metadata: { name: 's' }, spec: { ports: [{}] } },
  },
  {
    name: 'fields the model does not type are kept as written',
    kind: 'Pod',
    value: {
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { volumes: [{ name: 'v', emptyDir: {} }], containers: [] },
    },
    expected: {
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { volumes: [{ name: 'v', emptyDir: {} }], containers: [] },
    },
  },
];

function decoded(kind: string, value: unknown): unknown {
  const type = builtinTypes[kind] as GoType;
  try {
    return decodeGoValue(value, type, { struct: kind, path: [] });
  } catch (error) {
    if (error instanceof GoDecodeError) return error.message;
    throw error;
  }
}

describe('api server: decoding into Go types', () => {
  it.each(decodeCases)('api server: decoding: $name', ({ kind, value, expected }) => {
    expect(decoded(kind, value)).toEqual(expected);
  });
});

interface ApplyCase {
  readonly name: string;
  readonly manifest: string;
  readonly stderr: string;
}

const starWarsDeployment = (spec: string): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: deathstar\n${spec}`;
const template = (podSpec: string, labels = '        org: empire\n'): string =>
  `spec:\n  selector:\n    matchLabels:\n      org: empire\n  template:\n    metadata:\n      labels:\n${labels}    spec:\n${podSpec}`;
const container = '      containers:\n      - name: deathstar\n        image: quay.io/cilium/starwars:v2.1\n';

const refusedManifests: readonly ApplyCase[] = [
  {
    name: 'a template spec that is a string (kafka-sw-app.yaml, retyped)',
    manifest: starWarsDeployment(template('      aaaa\n').replace('    spec:\n      aaaa', '    spec: aaaa')),
    stderr:
      'Error from server (BadRequest): error when creating "m.yaml": Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field PodTemplateSpec.spec.template.spec of type v1.PodSpec\n',
  },
  {
    name: 'an image that is a list (helloworld.yaml, retyped)',
    manifest: starWarsDeployment(
      template('      containers:\n      - name: deathstar\n        image:\n        - {}\n'),
    ),
    stderr:
      'Error from server (BadRequest): error when creating "m.yaml": Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal array into Go struct field Container.spec.template.spec.containers.image of type string\n',
  },
  {
    name: 'replicas beyond an int32 (http-sw-app.yaml, retyped), which used to create pods without end',
    manifest: starWarsDeployment(template(container).replace('spec:\n', 'spec:\n  replicas: 2147483648\n')),
    stderr:
      'Error from server (BadRequest): error when creating "m.yaml": Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32\n',
  },
  {
    name: 'no spec at all (http-sw-app.yaml, spec misplaced into another document)',
    manifest: starWarsDeployment('  labels:\n    app: deathstar\n'),
    stderr:
      'The Deployment "deathstar" is invalid: \n* spec.selector: Required value\n* spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`\n* spec.template.spec.containers: Required value\n',
  },
  {
    name: 'containers misplaced into the template metadata (demo-pods.yaml)',
    manifest: starWarsDeployment(
      template(
        '      serviceAccountName: default\n',
        `        org: empire\n      containers:\n      - name: c\n        image: i\n`,
      ),
    ),
    stderr: 'The Deployment "deathstar" is invalid: spec.template.spec.containers: Required value\n',
  },
  {
    name: 'a selector that does not match the template',
    manifest: starWarsDeployment(template(container, '        org: alliance\n')),
    stderr:
      'The Deployment "deathstar" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"org":"alliance"}: `selector` does not match template `labels`\n',
  },
  {
    name: 'an empty selector',
    manifest: starWarsDeployment(
      template(container).replace('    matchLabels:\n      org: empire\n', '    matchLabels: {}\n'),
    ),
    stderr:
      'The Deployment "deathstar" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment\n',
  },
  {
    name: 'negative replicas',
    manifest: starWarsDeployment(template(container).replace('spec:\n', 'spec:\n  replicas: -1\n')),
    stderr:
      'The Deployment "deathstar" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0\n',
  },
  {
    name: 'a rolling update that can never move',
    manifest: starWarsDeployment(
      template(container).replace(
        'spec:\n',
        'spec:\n  strategy:\n    rollingUpdate:\n      maxSurge: 0\n      maxUnavailable: 0\n',
      ),
    ),
    stderr:
      'The Deployment "deathstar" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0\n',
  },
  {
    name: 'a bound that is not a percentage',
    manifest: starWarsDeployment(
      template(container).replace(
        'spec:\n',
        'spec:\n  strategy:\n    rollingUpdate:\n      maxSurge: lots\n',
      ),
    ),
    stderr:
      "The Deployment \"deathstar\" is invalid: spec.strategy.rollingUpdate.maxSurge: Invalid value: \"lots\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')\n",
  },
  {
    name: 'a selector operator that does not exist',
    manifest: starWarsDeployment(
      template(container).replace(
        '    matchLabels:\n      org: empire\n',
        '    matchLabels:\n      org: empire\n    matchExpressions:\n    - key: class\n      operator: Near\n',
      ),
    ),
    stderr:
      'The Deployment "deathstar" is invalid: spec.selector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator\n',
  },
  {
    name: 'a container port out of range',
    manifest: starWarsDeployment(template(`${container}        ports:\n        - containerPort: 70000\n`)),
    stderr:
      'The Deployment "deathstar" is invalid: spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive\n',
  },
];

describe('api server: refusing broken Deployments', () => {
  it.each(refusedManifests)('api server: refuses $name', async ({ manifest, stderr }) => {
    const session = kindShell({ 'm.yaml': manifest });
    const result = await session.run('kubectl apply -f m.yaml');
    expect(result).toEqual({ stdout: '', stderr, exitCode: 1 });
    // Nothing was stored, so later commands that let time pass and read the cluster work.
    const later = await session.run('sleep 20 && kubectl get deploy,pods');
    expect(later.exitCode).toBe(0);
  });

  it('api server: takes the Deployment those cases broke, whole', async () => {
    const session = kindShell({ 'm.yaml': starWarsDeployment(template(container)) });
    expect(await session.run('kubectl apply -f m.yaml')).toEqual({
      stdout: 'deployment.apps/deathstar created\n',
      stderr: '',
      exitCode: 0,
    });
  });
});
