// Goal: `kubectl delete` answers as kubectl's delete command does for every way of naming what to
// delete (names, TYPE/NAME, several types, -l, --all, -A, several -f) and every flag that changes
// how (--ignore-not-found, --now, --grace-period, --force, -o name, --cascade), including the
// mistakes, with kubectl's wording and exit status; and the objects really go (and their
// dependents with them, through the garbage collector).
import { describe, expect, it } from 'vitest';
import { getObject, listObjects } from '../../../simulator/k8s/api-store';
import { kindShell, starWarsDemo } from './kubectl-support';

const configMaps = (names: string[], namespace?: string): string =>
  names
    .map(
      (name) =>
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${namespace === undefined ? '' : `  namespace: ${namespace}\n`}  labels:\n    team: ${name.startsWith('red') ? 'red' : 'blue'}\ndata:\n  k: v\n`,
    )
    .join('---\n');

const files = {
  'sw.yaml': starWarsDemo,
  'a.yaml': configMaps(['red-1', 'blue-1']),
  'b.yaml': configMaps(['red-2']),
  'other.yaml': `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: other\n---\n${configMaps(['red-3'], 'other')}`,
};

interface DeleteCase {
  readonly name: string;
  readonly command: string;
  readonly stdout: string;
  readonly stderr?: string;
  readonly exitCode?: number;
  /** ConfigMaps (namespace/name) that must be gone afterwards, and those that must remain. */
  readonly gone?: readonly string[];
  readonly kept?: readonly string[];
}

const cases: readonly DeleteCase[] = [
  {
    name: 'names one object',
    command: 'kubectl delete configmap red-1',
    stdout: 'configmap "red-1" deleted\n',
    gone: ['default/red-1'],
    kept: ['default/blue-1'],
  },
  {
    name: 'names several, TYPE/NAME form',
    command: 'kubectl delete cm/red-1 cm/blue-1',
    stdout: 'configmap "red-1" deleted\nconfigmap "blue-1" deleted\n',
    gone: ['default/red-1', 'default/blue-1'],
  },
  {
    name: 'deletes what every -f names, not only the last file',
    command: 'kubectl delete -f a.yaml -f b.yaml',
    stdout: 'configmap "red-1" deleted\nconfigmap "blue-1" deleted\nconfigmap "red-2" deleted\n',
    gone: ['default/red-1', 'default/blue-1', 'default/red-2'],
  },
  {
    name: 'selects with -l',
    command: 'kubectl delete cm -l team=red',
    stdout: 'configmap "red-1" deleted\nconfigmap "red-2" deleted\n',
    gone: ['default/red-1', 'default/red-2'],
    kept: ['default/blue-1', 'other/red-3'],
  },
  {
    name: 'takes --all in one namespace',
    command: 'kubectl delete cm --all -n other',
    stdout: 'configmap "kube-root-ca.crt" deleted\nconfigmap "red-3" deleted\n',
    gone: ['other/red-3'],
    kept: ['default/red-1'],
  },
  {
    name: 'takes --all -A across namespaces',
    command: 'kubectl delete cm -l team -A',
    stdout:
      'configmap "blue-1" deleted\nconfigmap "red-1" deleted\nconfigmap "red-2" deleted\nconfigmap "red-3" deleted\n',
    gone: ['default/red-1', 'other/red-3'],
  },
  {
    name: 'prints -o name',
    command: 'kubectl delete cm red-1 -o name',
    stdout: 'configmap/red-1\n',
    gone: ['default/red-1'],
  },
  {
    name: 'reports a missing name at the end and still deletes the rest',
    command: 'kubectl delete cm nope red-1',
    stdout: 'configmap "red-1" deleted\n',
    stderr: 'Error from server (NotFound): configmaps "nope" not found\n',
    exitCode: 1,
    gone: ['default/red-1'],
  },
  {
    name: 'ignores a missing name with --ignore-not-found',
    command: 'kubectl delete cm nope --ignore-not-found',
    stdout: '',
  },
  {
    name: 'says No resources found on stdout when a selector matches nothing',
    command: 'kubectl delete cm -l team=green',
    stdout: 'No resources found\n',
  },
  {
    name: 'needs a name, a selector or --all',
    command: 'kubectl delete cm',
    stdout: '',
    stderr: 'error: resource(s) were provided, but no name was specified\n',
    exitCode: 1,
  },
  {
    name: 'needs something to delete',
    command: 'kubectl delete',
    stdout: '',
    stderr:
      "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n",
    exitCode: 1,
  },
  {
    name: 'refuses --all with a selector',
    command: 'kubectl delete cm --all -l team=red',
    stdout: '',
    stderr: 'error: cannot set --all and --selector at the same time\n',
    exitCode: 1,
  },
  {
    name: 'refuses --now with --grace-period',
    command: 'kubectl delete cm red-1 --now --grace-period=5',
    stdout: '',
    stderr: 'error: --now and --grace-period cannot be specified together\n',
    exitCode: 1,
  },
  {
    name: 'refuses --force with a positive grace period',
    command: 'kubectl delete cm red-1 --force --grace-period=5',
    stdout: '',
    stderr: 'error: --force and --grace-period greater than 0 cannot be specified together\n',
    exitCode: 1,
  },
  {
    name: 'refuses a name across all namespaces',
    command: 'kubectl delete cm red-1 -A',
    stdout: '',
    stderr: 'error: a resource cannot be retrieved by name across all namespaces\n',
    exitCode: 1,
  },
  {
    name: 'refuses an unknown type',
    command: 'kubectl delete frobs x',
    stdout: '',
    stderr: 'error: the server doesn\'t have a resource type "frobs"\n',
    exitCode: 1,
  },
  {
    name: 'refuses a Cilium type before Cilium is installed',
    command: 'kubectl delete cnp --all -A',
    stdout: '',
    stderr: 'error: the server doesn\'t have a resource type "cnp"\n',
    exitCode: 1,
  },
  {
    name: 'refuses other output formats',
    command: 'kubectl delete cm red-1 -o yaml',
    stdout: '',
    stderr: "error: unexpected -o output mode: yaml. We only support '-o name'\n",
    exitCode: 1,
  },
  {
    name: 'refuses resource arguments beside -f',
    command: 'kubectl delete -f a.yaml cm red-2',
    stdout: '',
    stderr:
      'error: when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well\n',
    exitCode: 1,
  },
  {
    name: 'warns when a namespace is given for a cluster-scoped object',
    command: 'kubectl delete namespace other -n default',
    stdout: 'namespace "other" deleted\n',
    stderr: 'Warning: deleting cluster-scoped resources, not scoped to the provided namespace\n',
    gone: ['other/red-3'],
  },
  {
    name: 'refuses to delete kube-system',
    command: 'kubectl delete namespace kube-system',
    stdout: '',
    stderr:
      'Error from server (Forbidden): namespaces "kube-system" is forbidden: this namespace may not be deleted\n',
    exitCode: 1,
  },
];

describe('kubectl delete', () => {
  it.each(cases)('kubectl delete: $name', async ({ command, stdout, stderr, exitCode, gone, kept }) => {
    const session = kindShell(files);
    await session.run('kubectl apply -f other.yaml -f a.yaml -f b.yaml; sleep 1');
    const result = await session.run(command);
    expect(result).toEqual({ stdout, stderr: stderr ?? '', exitCode: exitCode ?? 0 });
    const api = session.simulation.state.cluster!.api;
    for (const key of gone ?? []) expect(getObject(api, 'ConfigMap', key), key).toBeUndefined();
    for (const key of kept ?? []) expect(getObject(api, 'ConfigMap', key), key).toBeDefined();
  });
});

describe('kubectl delete: pods and their owners', () => {
  it('waits for a pod’s grace period, shortened by --now and skipped by --force --grace-period=0', async () => {
    const session = kindShell({ 'sw.yaml': starWarsDemo });
    await session.run('kubectl apply -f sw.yaml; sleep 20');
    const graceful = session.simulation.state.timeMs;
    expect((await session.run('kubectl delete pod xwing --now')).stdout).toBe('pod "xwing" deleted\n');
    expect(session.simulation.state.timeMs - graceful).toBeGreaterThanOrEqual(1000);
    const forced = await session.run('kubectl delete pod tiefighter --force --grace-period=0');
    expect(forced).toEqual({
      stdout: 'pod "tiefighter" force deleted\n',
      stderr:
        'Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n',
      exitCode: 0,
    });
  });

  it('takes a Deployment’s ReplicaSets and pods with it, and leaves them with --cascade=orphan', async () => {
    const session = kindShell({ 'sw.yaml': starWarsDemo });
    await session.run('kubectl apply -f sw.yaml; sleep 20');
    await session.run('kubectl delete deployment deathstar; sleep 40');
    const api = session.simulation.state.cluster!.api;
    const demoReplicaSets = () =>
      listObjects(api, 'ReplicaSet').filter((set) => set.metadata.namespace === 'default');
    expect(demoReplicaSets()).toEqual([]);
    expect(listObjects(api, 'Pod').some((pod) => pod.metadata.name.startsWith('deathstar-'))).toBe(false);
    expect(getObject(api, 'Pod', 'default/xwing')).toBeDefined();
    await session.run('kubectl apply -f sw.yaml; sleep 20');
    await session.run('kubectl delete deployment deathstar --cascade=orphan; sleep 40');
    expect(demoReplicaSets()).toHaveLength(1);
    expect(listObjects(api, 'Pod').filter((pod) => pod.metadata.name.startsWith('deathstar-'))).toHaveLength(
      2,
    );
  });

  it('empties a namespace before it goes, then creates nothing in it while it terminates', async () => {
    const session = kindShell({ 'sw.yaml': starWarsDemo });
    await session.run('kubectl create namespace demo; kubectl apply -n demo -f sw.yaml; sleep 20');
    const deleted = await session.run('kubectl delete namespace demo');
    expect(deleted.stdout).toBe('namespace "demo" deleted\n');
    const api = session.simulation.state.cluster!.api;
    expect(getObject(api, 'Namespace', 'demo')).toBeUndefined();
    expect(listObjects(api, 'Pod').some((pod) => pod.metadata.namespace === 'demo')).toBe(false);
  });
});
