// Goal: the kubectl lines readers type on any kind cluster, beyond the guides' own commands, give
// what kubectl gives there: several types in one `get` (`get svc,ep web`, `get all`), `--sort-by`
// with kubectl's order and errors, `top` on a cluster without metrics-server, and `logs deploy/…`
// reading the pod kubectl's ByLogging order picks.
import { describe, expect, it } from 'vitest';
import { kindShell } from './kubectl-support';
import { byLogging } from '../../../simulator/terminal/kubectl-pod-order';
import { naturalLess, sortByField } from '../../../simulator/terminal/kubectl-sort';
import type { Pod } from '../../../simulator/k8s/objects';

/** A kind cluster with a three-replica Deployment `web` behind a Service `web`, rolled out. */
async function webShell(): Promise<ReturnType<typeof kindShell>> {
  const session = kindShell();
  await session.run('kubectl create deployment web --image=nginx --replicas=3');
  await session.run('kubectl expose deployment web --port=80');
  await session.run('kubectl rollout status deploy/web');
  return session;
}

/** The first column of a table's lines, headers included. */
const firstColumn = (table: string): string[] =>
  table
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split(/\s+/)[0] ?? '');

describe('kubectl get: several resource types', () => {
  const cases: readonly { name: string; line: string; names: string[]; exitCode?: number }[] = [
    {
      name: 'comma-separated types with a name: one table per type, names with their type',
      line: 'kubectl get svc,ep web',
      names: ['NAME', 'service/web', 'NAME', 'endpoints/web'],
    },
    {
      name: 'TYPE/NAME arguments of different types',
      line: 'kubectl get deploy/web svc/web',
      names: ['NAME', 'deployment.apps/web', 'NAME', 'service/web'],
    },
    {
      name: 'the all category: pods, services, deployments and replica sets in discovery order',
      line: 'kubectl get all -l app=web',
      names: [
        'NAME',
        'pod/web-',
        'pod/web-',
        'pod/web-',
        'NAME',
        'service/web',
        'NAME',
        'deployment.apps/web',
        'NAME',
        'replicaset.apps/web-',
      ],
    },
    {
      name: 'a name missing from one type: the other table prints, the error follows, status 1',
      line: 'kubectl get svc,deploy kubernetes',
      names: ['NAME', 'service/kubernetes'],
      exitCode: 1,
    },
  ];
  for (const row of cases) {
    it(row.name, async () => {
      const session = await webShell();
      const result = await session.run(row.line);
      expect(result.exitCode).toBe(row.exitCode ?? 0);
      const names = firstColumn(result.stdout);
      expect(names).toHaveLength(row.names.length);
      row.names.forEach((prefix, index) => expect(names[index]?.startsWith(prefix)).toBe(true));
    });
  }

  it('a missing name is NotFound for that type only', async () => {
    const session = await webShell();
    const result = await session.run('kubectl get svc,deploy kubernetes');
    expect(result.stderr).toBe('Error from server (NotFound): deployments.apps "kubernetes" not found\n');
  });

  it('mixing a separate type with TYPE/NAME is refused as kubectl refuses it', async () => {
    const session = await webShell();
    const result = await session.run('kubectl get svc deploy/web');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^error: there is no need to specify a resource type as a separate argument/,
    );
  });
});

describe('kubectl get: kinds a kind cluster has that the simulator does not model', () => {
  const cases: readonly { name: string; line: string; type: string }[] = [
    { name: 'events', line: 'kubectl get events --sort-by=.lastTimestamp', type: 'events' },
    { name: 'storage classes by short name', line: 'kubectl get sc', type: 'sc' },
    { name: 'one of several types', line: 'kubectl get pods,pvc', type: 'pvc' },
  ];
  for (const row of cases) {
    it(`${row.name}: kubectl's error, with a note that the simulator lacks it`, async () => {
      const session = kindShell();
      expect(await session.run(row.line)).toEqual({
        stdout: '',
        stderr: `error: the server doesn't have a resource type "${row.type}" (a kind cluster serves it; the simulator does not model ${row.type} yet)\n`,
        exitCode: 1,
      });
    });
  }

  it('an unknown type gets kubectl error alone', async () => {
    const session = kindShell();
    expect((await session.run('kubectl get nonsense')).stderr).toBe(
      'error: the server doesn\'t have a resource type "nonsense"\n',
    );
  });
});

describe('kubectl get --sort-by', () => {
  it('orders pods by a field, in natural order', async () => {
    const session = await webShell();
    const sorted = await session.run('kubectl get pods --sort-by=.status.podIP -o name');
    const ips = await session.run(
      'kubectl get pods --sort-by=.status.podIP -o jsonpath=\'{range .items[*]}{.status.podIP}{"\\n"}{end}\'',
    );
    const list = ips.stdout.trim().split('\n');
    expect(list).toHaveLength(3);
    for (let index = 1; index < list.length; index++)
      expect(naturalLess(list[index] ?? '', list[index - 1] ?? '')).toBe(false);
    expect(sorted.exitCode).toBe(0);
  });

  it('a field no object has is an error, exit status 1', async () => {
    const session = await webShell();
    expect(await session.run('kubectl get pods --sort-by=.spec.nope')).toEqual({
      stdout: '',
      stderr: 'error: couldn\'t find any field with path "{.spec.nope}" in the list of objects\n',
      exitCode: 1,
    });
  });

  const orderCases: readonly { name: string; values: unknown[]; sorted: unknown[] }[] = [
    { name: 'numbers as numbers', values: [10, 9, 100], sorted: [9, 10, 100] },
    {
      name: 'strings in natural order',
      values: ['pod-10', 'pod-9', 'pod-1'],
      sorted: ['pod-1', 'pod-9', 'pod-10'],
    },
    { name: 'quantities by their amount', values: ['1Gi', '512Mi', '2'], sorted: ['2', '512Mi', '1Gi'] },
    { name: 'a missing value first', values: ['b', undefined, 'a'], sorted: [undefined, 'a', 'b'] },
  ];
  for (const row of orderCases) {
    it(`orders ${row.name}`, () => {
      const objects = row.values.map((value) => (value === undefined ? {} : { value }));
      const sorted = sortByField(objects, '.value', true);
      expect(
        Array.isArray(sorted) ? sorted.map((object) => (object as { value?: unknown }).value) : sorted,
      ).toEqual(row.sorted);
    });
  }
});

describe('kubectl top', () => {
  it('completes its resources', async () => {
    const session = kindShell();
    expect((await session.complete('kubectl top n')).candidates).toEqual(['node']);
  });

  const cases: readonly { name: string; line: string; stderr: string }[] = [
    {
      name: 'nodes, without metrics-server',
      line: 'kubectl top nodes',
      stderr: 'error: Metrics API not available\n',
    },
    {
      name: 'pods, without metrics-server',
      line: 'kubectl top pod -A',
      stderr: 'error: Metrics API not available\n',
    },
    {
      name: 'a sort key top does not know',
      line: 'kubectl top pods --sort-by=name',
      stderr: 'error: --sort-by accepts only cpu or memory\n',
    },
  ];
  for (const row of cases) {
    it(row.name, async () => {
      const session = kindShell();
      expect(await session.run(row.line)).toEqual({ stdout: '', stderr: row.stderr, exitCode: 1 });
    });
  }
});

describe('kubectl logs TYPE/NAME: the pod ByLogging puts first', () => {
  const pod = (
    name: string,
    fields: { node?: string; phase: string; ready?: string; restarts?: number },
  ): Pod =>
    ({
      metadata: { name, creationTimestamp: '2025-12-18T09:00:00Z' },
      spec: { ...(fields.node === undefined ? {} : { nodeName: fields.node }), containers: [] },
      status: {
        phase: fields.phase,
        conditions:
          fields.ready === undefined
            ? []
            : [{ type: 'Ready', status: 'True', lastTransitionTime: fields.ready }],
        containerStatuses: [{ restartCount: fields.restarts ?? 0 }],
      },
    }) as unknown as Pod;
  const cases: readonly { name: string; pods: Pod[]; first: string }[] = [
    {
      name: 'running and ready before a pod still creating its container',
      pods: [
        pod('creating', { node: 'n', phase: 'Pending' }),
        pod('running', { node: 'n', phase: 'Running', ready: '2025-12-18T09:00:05Z' }),
      ],
      first: 'running',
    },
    {
      name: 'bound to a node before unscheduled',
      pods: [pod('unbound', { phase: 'Running' }), pod('bound', { node: 'n', phase: 'Pending' })],
      first: 'bound',
    },
    {
      name: 'ready for longer first',
      pods: [
        pod('recent', { node: 'n', phase: 'Running', ready: '2025-12-18T09:05:00Z' }),
        pod('early', { node: 'n', phase: 'Running', ready: '2025-12-18T09:01:00Z' }),
      ],
      first: 'early',
    },
    {
      name: 'more restarts first when otherwise equal',
      pods: [
        pod('calm', { node: 'n', phase: 'Running' }),
        pod('restarted', { node: 'n', phase: 'Running', restarts: 2 }),
      ],
      first: 'restarted',
    },
  ];
  for (const row of cases) {
    it(row.name, () => {
      expect([...row.pods].sort(byLogging)[0]?.metadata.name).toBe(row.first);
    });
  }

  it('names the pod it read when the Deployment has several', async () => {
    const session = await webShell();
    const result = await session.run('kubectl logs deploy/web');
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/^Found 3 pods, using pod\/web-[a-z0-9]+-[a-z0-9]{5}\n$/);
  });
});

describe('kubectl logs -l, --tail, --prefix and --all-containers (kubectl pkg/cmd/logs/logs.go)', () => {
  /** A kind cluster with two finished pods labelled app=demo: `a` prints 12 lines, `b` two. */
  async function demoShell(): Promise<ReturnType<typeof kindShell>> {
    const session = kindShell();
    const lines = Array.from({ length: 12 }, (_, index) => `echo a${index + 1}`).join('; ');
    await session.run(`kubectl run a --image=busybox --restart=Never -l app=demo -- sh -c '${lines}'`);
    await session.run(
      "kubectl run b --image=busybox --restart=Never -l app=demo -- sh -c 'echo b1; echo b2'",
    );
    await session.run('kubectl wait --for=jsonpath={.status.phase}=Succeeded pod -l app=demo');
    return session;
  }

  it('reads every pod of a selector, the last 10 lines of each by default', async () => {
    const session = await demoShell();
    const all = await session.run('kubectl logs -l app=demo');
    const expected = [...Array.from({ length: 10 }, (_, index) => `a${index + 3}`), 'b1', 'b2'];
    expect(all.stdout).toBe(`${expected.join('\n')}\n`);
    expect((await session.run('kubectl logs a')).stdout.split('\n')).toHaveLength(13);
  });

  it('prefixes each line with its pod and container, and --tail counts per container', async () => {
    const session = await demoShell();
    const result = await session.run('kubectl logs -l app=demo --tail=1 --prefix');
    expect(result.stdout).toBe('[pod/a/a] a12\n[pod/b/b] b2\n');
    expect((await session.run('kubectl logs a --tail=0')).stdout).toBe('');
    expect((await session.run('kubectl logs a --tail=-1')).stdout.split('\n')).toHaveLength(13);
  });

  it('says when the selector matches nothing, on stderr with status 0', async () => {
    const session = await demoShell();
    const none = await session.run('kubectl logs -l app=none');
    expect([none.stdout, none.stderr, none.exitCode]).toEqual([
      '',
      'No resources found in default namespace.\n',
      0,
    ]);
  });

  it.each([
    [
      'no pod and no selector',
      'kubectl logs',
      "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.",
    ],
    [
      'a pod and a selector',
      'kubectl logs a -l app=demo',
      'error: only a selector (-l) or a POD name is allowed',
    ],
    [
      '-c and an inline container',
      'kubectl logs a a -c a',
      'error: only one of -c or an inline [CONTAINER] arg is allowed',
    ],
    ['a tail below -1', 'kubectl logs a --tail=-2', 'error: --tail must be greater than or equal to -1'],
    [
      '--all-containers with a container',
      'kubectl logs a -c a --all-containers',
      'error: --all-containers=true should not be specified with container name a',
    ],
    ['a container the pod lacks', 'kubectl logs a nope', 'error: container nope is not valid for pod a'],
  ])('refuses %s as kubectl does', async (_name, line, message) => {
    const session = await demoShell();
    const result = await session.run(line);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(message);
  });

  it('refuses to follow more streams than --max-log-requests', async () => {
    const session = await demoShell();
    const result = await session.run('kubectl logs -f -l app=demo --max-log-requests=1');
    expect(result.stderr).toBe(
      'error: you are attempting to follow 2 log streams, but maximum allowed concurrency is 1, use --max-log-requests to increase the limit\n',
    );
  });
});
