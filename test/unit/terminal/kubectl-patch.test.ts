// Goal: `kubectl patch` changes stored objects as the API server applies each patch type — JSON
// merge patch, JSON patch (RFC 6902) and strategic merge patch, which merges containers by name and
// ports by number — says `patched` or `patched (no change)`, and refuses what the API server or
// kubectl refuses in their words: a strategic patch on a custom resource, a bad JSON patch, a patch
// that changes a pod's immutable spec.
import { describe, expect, it, vi } from 'vitest';
import { getObject } from '../../../simulator/k8s/api-store';
import { jsonPatch, mergePatch, strategicMerge } from '../../../simulator/k8s/patch';
import { ciliumShell, kindShell } from './kubectl-support';

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports:
        - containerPort: 80
      - name: sidecar
        image: busybox
`;

describe('patch formats, on plain data', () => {
  const original = {
    spec: {
      containers: [
        { name: 'a', image: 'a:1', ports: [{ containerPort: 80, name: 'http' }] },
        { name: 'b', image: 'b:1' },
      ],
      tolerations: [{ key: 'x' }],
    },
  };
  const cases = [
    {
      name: 'strategic: a container merges by name, the others stay',
      result: strategicMerge(original, { spec: { containers: [{ name: 'b', image: 'b:2' }] } }),
      expected: {
        spec: { ...original.spec, containers: [original.spec.containers[0], { name: 'b', image: 'b:2' }] },
      },
    },
    {
      name: 'strategic: a container port merges by containerPort',
      result: strategicMerge(original, {
        spec: { containers: [{ name: 'a', ports: [{ containerPort: 443 }] }] },
      }),
      expected: {
        spec: {
          ...original.spec,
          containers: [
            { name: 'a', image: 'a:1', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }] },
            original.spec.containers[1],
          ],
        },
      },
    },
    {
      name: 'strategic: $patch: delete removes a container',
      result: strategicMerge(original, { spec: { containers: [{ name: 'a', $patch: 'delete' }] } }),
      expected: { spec: { ...original.spec, containers: [original.spec.containers[1]] } },
    },
    {
      name: 'strategic: a list without a merge key (tolerations) is replaced',
      result: strategicMerge(original, { spec: { tolerations: [{ key: 'y' }] } }),
      expected: { spec: { ...original.spec, tolerations: [{ key: 'y' }] } },
    },
    {
      name: 'merge: a list is replaced whole, null removes a field',
      result: mergePatch(original, { spec: { containers: [{ name: 'c' }], tolerations: null } }),
      expected: { spec: { containers: [{ name: 'c' }] } },
    },
    {
      name: 'json: replace by position',
      result: jsonPatch(original, [{ op: 'replace', path: '/spec/containers/1/image', value: 'b:3' }]),
      expected: {
        result: {
          spec: { ...original.spec, containers: [original.spec.containers[0], { name: 'b', image: 'b:3' }] },
        },
      },
    },
    {
      name: 'json: replace of a missing key fails as evanphx/json-patch says',
      result: jsonPatch(original, [{ op: 'replace', path: '/spec/nope', value: 1 }]),
      expected: {
        kind: 'apply',
        message: 'replace operation does not apply: doc is missing key: /spec/nope: missing value',
      },
    },
  ];
  it.each(cases)('patch: $name', ({ result, expected }) => {
    expect(result).toEqual(expected);
  });
});

interface PatchCase {
  readonly name: string;
  readonly command: string;
  readonly stdout?: string;
  readonly stderr?: string;
  readonly exitCode?: number;
  /** JSONPath of the Deployment after the command, and its value. */
  readonly check?: readonly [string, unknown];
}

const cases: readonly PatchCase[] = [
  {
    name: 'strategic (the default) scales',
    command: `kubectl patch deployment web -p '{"spec":{"replicas":3}}'`,
    stdout: 'deployment.apps/web patched\n',
    check: ['replicas', 3],
  },
  {
    name: 'strategic changes one container by name',
    command: `kubectl patch deploy/web -p '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.26"}]}}}}'`,
    stdout: 'deployment.apps/web patched\n',
    check: ['images', ['nginx:1.26', 'busybox']],
  },
  {
    name: 'merge replaces the container list',
    command: `kubectl patch deployment web --type merge -p '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.26"}]}}}}'`,
    stdout: 'deployment.apps/web patched\n',
    check: ['images', ['nginx:1.26']],
  },
  {
    name: 'json replaces by position, read from --patch-file as YAML',
    command: 'kubectl patch deployment web --type=json --patch-file patch.yaml',
    stdout: 'deployment.apps/web patched\n',
    check: ['images', ['nginx:1.25', 'busybox:1.36']],
  },
  {
    name: 'the same value again is no change',
    command: `kubectl patch deployment web -p '{"spec":{"replicas":1}}'`,
    stdout: 'deployment.apps/web patched (no change)\n',
    check: ['replicas', 1],
  },
  {
    name: 'a JSON patch on a missing key is invalid',
    command: `kubectl patch deployment web --type=json -p '[{"op":"replace","path":"/spec/nope","value":1}]'`,
    stderr: 'The request is invalid: the server rejected our request due to an error in our request\n',
    exitCode: 1,
  },
  {
    name: 'a JSON patch that is not a list',
    command: `kubectl patch deployment web --type=json -p '{"op":"replace"}'`,
    stderr:
      'Error from server (BadRequest): json: cannot unmarshal object into Go value of type jsonpatch.Patch\n',
    exitCode: 1,
  },
  {
    name: 'an unknown patch type',
    command: `kubectl patch deployment web --type=apply -p '{}'`,
    stderr: 'error: --type must be one of [json merge strategic], not "apply"\n',
    exitCode: 1,
  },
  {
    name: 'no patch at all',
    command: 'kubectl patch deployment web',
    stderr: 'error: must specify --patch or --patch-file containing the contents of the patch\n',
    exitCode: 1,
  },
  {
    name: 'both --patch and --patch-file',
    command: `kubectl patch deployment web -p '{}' --patch-file patch.yaml`,
    stderr: 'error: cannot specify --patch and --patch-file together\n',
    exitCode: 1,
  },
  {
    name: 'a patch that does not parse',
    command: `kubectl patch deployment web -p '{"spec":{"replicas":3}'`,
    stderr:
      `error: unable to parse "{\\"spec\\":{\\"replicas\\":3}": yaml: did not find expected ',' or '}'\n`.replace(
        /\\"/g,
        '"',
      ),
    exitCode: 1,
  },
  // Shrunk counterexamples of the robustness properties (test/unit/robustness/): the patched
  // object goes through the API server's decoding and validation as a created one does.
  {
    name: 'a patch that makes replicas a string',
    command: `kubectl patch deployment web -p '{"spec":{"replicas":"2"}}'`,
    stderr:
      'Error from server (BadRequest): Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32\n',
    exitCode: 1,
    check: ['replicas', 1],
  },
  {
    name: 'a JSON patch that removes the selector',
    command: `kubectl patch deployment web --type=json -p '[{"op":"remove","path":"/spec/selector"}]'`,
    // Several causes: kubectl's MultilineError lists them, one a line.
    stderr:
      'The Deployment "web" is invalid: \n* spec.selector: Required value\n* spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`\n',
    exitCode: 1,
  },
  {
    name: 'a name that does not exist',
    command: `kubectl patch deployment nope -p '{}'`,
    stderr: 'Error from server (NotFound): deployments.apps "nope" not found\n',
    exitCode: 1,
  },
];

describe('kubectl patch', () => {
  it.each(cases)('kubectl patch: $name', async ({ command, stdout, stderr, exitCode, check }) => {
    const session = kindShell({
      'web.yaml': deployment,
      'patch.yaml': '- op: replace\n  path: /spec/template/spec/containers/1/image\n  value: busybox:1.36\n',
    });
    await session.run('kubectl apply -f web.yaml');
    const result = await session.run(command);
    expect(result).toEqual({ stdout: stdout ?? '', stderr: stderr ?? '', exitCode: exitCode ?? 0 });
    if (check === undefined) return;
    const stored = getObject(session.simulation.state.cluster!.api, 'Deployment', 'default/web')!;
    const [field, value] = check;
    const actual =
      field === 'replicas'
        ? stored.spec.replicas
        : stored.spec.template.spec.containers.map((container) => container.image);
    expect(actual).toEqual(value);
  });

  it('kubectl patch: a YAML warning stays out of the host’s console', async () => {
    const warnings = vi.spyOn(process, 'emitWarning');
    const session = kindShell({ 'web.yaml': deployment });
    await session.run('kubectl apply -f web.yaml');
    const result = await session.run(`kubectl patch deployment web -p $'%1\\n---\\n{}'`);
    expect(result.stdout).toBe('deployment.apps/web patched (no change)\n');
    expect(warnings).not.toHaveBeenCalled();
    warnings.mockRestore();
  });

  it('kubectl patch: a pod may change its image, not its ports', async () => {
    const session = kindShell({
      'pod.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx:1.25\n',
    });
    await session.run('kubectl apply -f pod.yaml');
    const image = await session.run(
      `kubectl patch pod p -p '{"spec":{"containers":[{"name":"c","image":"nginx:1.26"}]}}'`,
    );
    expect(image.stdout).toBe('pod/p patched\n');
    const port = await session.run(
      `kubectl patch pod p -p '{"spec":{"containers":[{"name":"c","ports":[{"containerPort":81}]}]}}'`,
    );
    expect(port.exitCode).toBe(1);
    expect(port.stderr).toMatch(
      /^The Pod "p" is invalid: spec: Forbidden: pod updates may not change fields/,
    );
  });

  it('kubectl patch: a ConfigMap’s data, by merge', async () => {
    const session = kindShell();
    await session.run('kubectl create configmap settings --from-literal=mode=a');
    const result = await session.run(
      `kubectl patch configmap settings --type merge -p '{"data":{"mode":"b"}}'`,
    );
    expect(result.stdout).toBe('configmap/settings patched\n');
    expect(getObject(session.simulation.state.cluster!.api, 'ConfigMap', 'default/settings')?.data).toEqual({
      mode: 'b',
    });
  });

  it('kubectl patch: a custom resource takes merge and json, not strategic', async () => {
    const session = ciliumShell({
      'cnp.yaml':
        'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: p\nspec:\n  endpointSelector: {}\n  ingress:\n  - {}\n',
    });
    await session.run('kubectl apply -f cnp.yaml');
    const strategic = await session.run(`kubectl patch cnp p -p '{"metadata":{"labels":{"a":"b"}}}'`);
    expect(strategic).toEqual({
      stdout: '',
      stderr:
        'error: application/strategic-merge-patch+json is not supported by cilium.io/v2, Kind=CiliumNetworkPolicy: the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml\n',
      exitCode: 1,
    });
    const merge = await session.run(
      `kubectl patch cnp p --type merge -p '{"metadata":{"labels":{"a":"b"}}}'`,
    );
    expect(merge.stdout).toBe('ciliumnetworkpolicy.cilium.io/p patched\n');
  });
});
