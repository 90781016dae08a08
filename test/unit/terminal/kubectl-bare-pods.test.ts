// Goal: a bare `kind: Pod` (no owner), as the Star Wars demo of Cilium's guide creates tiefighter and
// xwing, lives like any pod: the API server defaults it and stores it Pending, the scheduler binds
// it, the kubelet runs it, kubectl lists, describes, execs into and deletes it, and the API server
// refuses what it would refuse (a missing service account, a change to the immutable spec).
import { describe, expect, it } from 'vitest';
import { getObject } from '../../../simulator/k8s/api-store';
import { ciliumShell, kindShell, starWarsDemo } from './kubectl-support';

const files = { 'sw.yaml': starWarsDemo };

describe('kubectl: bare pods from the Star Wars demo', () => {
  it('are created Pending with the API server defaults, then scheduled and run', async () => {
    const session = kindShell(files);
    const applied = await session.run('kubectl apply -f sw.yaml');
    expect(applied.stdout).toBe(
      'service/deathstar created\ndeployment.apps/deathstar created\npod/tiefighter created\npod/xwing created\n',
    );
    const api = session.simulation.state.cluster!.api;
    const stored = getObject(api, 'Pod', 'default/tiefighter')!;
    expect(stored.status.phase).toBe('Pending');
    expect(stored.spec.serviceAccountName).toBe('default');
    expect(stored.spec.tolerations?.map((toleration) => toleration.key)).toEqual([
      'node.kubernetes.io/not-ready',
      'node.kubernetes.io/unreachable',
    ]);
    expect(stored.metadata.ownerReferences).toBeUndefined();
    await session.run('sleep 20');
    const table = await session.run('kubectl get pods');
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(/\ntiefighter +1\/1 +Running +0 +\d+s\n/);
    expect(table.stdout).toMatch(/\nxwing +1\/1 +Running /);
  });

  it('are described, listed as YAML with kind and apiVersion, and reached by exec', async () => {
    const session = ciliumShell(files);
    await session.run('kubectl apply -f sw.yaml; sleep 30');
    const described = await session.run('kubectl describe pod xwing');
    expect(described.stdout).toMatch(/^Name: {13}xwing\nNamespace: {8}default\n/);
    expect(described.stdout).toMatch(/\nStatus: {11}Running\n/);
    expect(described.stdout).not.toContain('Controlled By');
    const yaml = await session.run('kubectl get pod tiefighter -o yaml');
    expect(yaml.stdout).toMatch(/^apiVersion: v1\n/);
    expect(yaml.stdout).toContain('\nkind: Pod\n');
    const list = await session.run('kubectl get pods -o json');
    expect(JSON.parse(list.stdout)).toMatchObject({ apiVersion: 'v1', kind: 'List' });
    const landed = await session.run(
      'kubectl exec tiefighter -- curl -s -XPOST deathstar.default.svc.cluster.local/v1/request-landing',
    );
    expect(landed).toEqual({ stdout: 'Ship landed\n', stderr: '', exitCode: 0 });
  });

  it('are deleted gracefully, kubectl waiting until they are gone, with nothing left behind', async () => {
    const session = kindShell(files);
    await session.run('kubectl apply -f sw.yaml; sleep 20');
    const before = session.simulation.state.timeMs;
    const deleted = await session.run('kubectl delete pod tiefighter xwing');
    expect(deleted).toEqual({
      stdout: 'pod "tiefighter" deleted\npod "xwing" deleted\n',
      stderr: '',
      exitCode: 0,
    });
    expect(session.simulation.state.timeMs).toBeGreaterThan(before);
    const api = session.simulation.state.cluster!.api;
    expect(getObject(api, 'Pod', 'default/tiefighter')).toBeUndefined();
    const sandboxes = Object.values(session.simulation.state.cluster!.nodes).flatMap((node) =>
      Object.values(node.kubelet.sandboxes),
    );
    expect(sandboxes.some((sandbox) => sandbox.podKey === 'default/tiefighter')).toBe(false);
    const pods = await session.run('kubectl get pods -o name');
    expect(pods.stdout).not.toMatch(/tiefighter|xwing/);
  });

  it('get a Cilium endpoint and identity of their own, and leave the deathstar Service endpoints alone', async () => {
    const session = ciliumShell(files);
    await session.run('kubectl apply -f sw.yaml; sleep 30');
    const endpoints = await session.run('kubectl get cep -o name');
    expect(endpoints.stdout).toContain('ciliumendpoint.cilium.io/tiefighter\n');
    const service = await session.run(
      'kubectl get endpoints deathstar -o jsonpath=\'{range .subsets[*].addresses[*]}{.targetRef.name}{"\\n"}{end}\'',
    );
    expect(service.stdout.trim().split('\n').sort()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^deathstar-/)]),
    );
    expect(service.stdout).not.toContain('tiefighter');
  });
});

/** A bare pod of busybox, its spec open for more fields. */
const pod = (name: string): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: c\n    image: busybox\n`;

describe('kubectl: what the API server refuses about pods', () => {
  const cases = [
    {
      name: 'a service account that does not exist',
      manifest:
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: lost\nspec:\n  serviceAccountName: ghost\n  containers:\n  - name: c\n    image: busybox\n',
      stderr:
        'Error from server (Forbidden): error when creating "pod.yaml": pods "lost" is forbidden: error looking up service account default/ghost: serviceaccount "ghost" not found\n',
    },
    {
      name: 'a container without an image',
      manifest: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: bare\nspec:\n  containers:\n  - name: c\n',
      stderr: 'The Pod "bare" is invalid: spec.containers[0].image: Required value\n',
    },
    {
      name: 'a namespace that does not exist',
      manifest:
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: away\n  namespace: nowhere\nspec:\n  containers:\n  - name: c\n    image: busybox\n',
      stderr:
        'Error from server (NotFound): error when creating "pod.yaml": namespaces "nowhere" not found\n',
    },
    // The scheduling fields the scheduler reads (k8s/pod-spec-validation.ts).
    {
      name: 'a toleration with an unknown operator and effect',
      manifest: `${pod('tol')}  tolerations:\n  - key: a\n    operator: Near\n    effect: Sometimes\n`,
      stderr:
        'The Pod "tol" is invalid: \n* spec.tolerations[0].operator: Unsupported value: "Near": supported values: "Equal", "Exists"\n* spec.tolerations[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"\n',
    },
    {
      name: 'a spread constraint without skew, key or action',
      manifest: `${pod('spread')}  topologySpreadConstraints:\n  - maxSkew: 0\n`,
      stderr:
        'The Pod "spread" is invalid: \n* spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero\n* spec.topologySpreadConstraints[0].topologyKey: Required value: can not be empty\n* spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "": supported values: "DoNotSchedule", "ScheduleAnyway"\n',
    },
    {
      name: 'a node affinity operator that does not exist',
      manifest: `${pod('near')}  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        nodeSelectorTerms:\n        - matchExpressions:\n          - key: zone\n            operator: Near\n`,
      stderr:
        'The Pod "near" is invalid: spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator\n',
    },
    {
      name: 'a negative request',
      manifest:
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: owe\nspec:\n  containers:\n  - name: c\n    image: busybox\n    resources:\n      requests:\n        cpu: -100m\n',
      stderr:
        'The Pod "owe" is invalid: spec.containers[0].resources.requests[cpu]: Invalid value: "-100m": must be greater than or equal to 0\n',
    },
    {
      name: 'a request that is no quantity',
      manifest:
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: lots\nspec:\n  containers:\n  - name: c\n    image: busybox\n    resources:\n      requests:\n        cpu: lots\n',
      stderr:
        'Error from server (BadRequest): error when creating "pod.yaml": Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'\n',
    },
  ];
  it.each(cases)('kubectl: pods: refuses $name', async ({ manifest, stderr }) => {
    const session = kindShell({ 'pod.yaml': manifest });
    const result = await session.run('kubectl apply -f pod.yaml');
    expect(result).toEqual({ stdout: '', stderr, exitCode: 1 });
  });

  it('kubectl: pods: lets an image change and refuses any other spec change', async () => {
    const pod = (image: string, port: number) =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: ${image}\n    ports:\n    - containerPort: ${port}\n`;
    const session = kindShell({
      'a.yaml': pod('nginx:1.25', 80),
      'b.yaml': pod('nginx:1.26', 80),
      'c.yaml': pod('nginx:1.26', 81),
    });
    expect((await session.run('kubectl apply -f a.yaml')).stdout).toBe('pod/p created\n');
    expect((await session.run('kubectl apply -f a.yaml')).stdout).toBe('pod/p unchanged\n');
    expect((await session.run('kubectl apply -f b.yaml')).stdout).toBe('pod/p configured\n');
    const refused = await session.run('kubectl apply -f c.yaml');
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(
      /^The Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`/,
    );
  });
});

describe('kubectl exec: the remote command’s exit status', () => {
  const cases = [
    {
      // containerd (kind's runtime) fails the exec before it starts: kubectl's own error, exit 1.
      name: 'a program the image lacks',
      command: 'ls /',
      code: 1,
      line: 'exec: "ls": executable file not found in $PATH: unknown\n',
    },
    {
      name: 'curl failing to connect',
      command: 'curl -s --max-time 1 http://10.96.200.200',
      code: 28,
      line: 'command terminated with exit code 28\n',
    },
    {
      name: 'cat of a missing file',
      command: 'cat /nope',
      code: 1,
      line: 'command terminated with exit code 1\n',
    },
  ];
  it.each(cases)(
    'kubectl exec: $name ends with kubectl’s line and its status',
    async ({ command, code, line }) => {
      const session = kindShell(files);
      await session.run('kubectl apply -f sw.yaml; sleep 20');
      const result = await session.run(`kubectl exec xwing -- ${command}`);
      expect(result.exitCode).toBe(code);
      expect(result.stderr.endsWith(line)).toBe(true);
    },
  );
});
