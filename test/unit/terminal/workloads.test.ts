// Goal: kubectl knows DaemonSets, ReplicaSets, ReplicationControllers, Jobs, ConfigMaps and
// ControllerRevisions as resource types with their short names and the server's table columns,
// describes them as kubectl's describers do, scales what has a scale subresource, and drives
// `rollout restart|status|history|undo` for Deployments and DaemonSets with kubectl's wording,
// including the mistakes; kind's own workloads (kube-proxy, kindnet, local-path-provisioner) are there.
// Sources: kubernetes/kubernetes pkg/printers/internalversion/printers.go (the tables),
// staging/src/k8s.io/kubectl pkg/describe/describe.go, pkg/cmd/rollout and
// pkg/polymorphichelpers (status, history, rollback), pkg/cmd/scale; kubernetes-sigs/kind
// pkg/build/nodeimage/const_cni.go and const_storage.go at each release tag.
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../simulator/simulation';
import { TerminalSession } from '../../../simulator/terminal/session';
import { getObject } from '../../../simulator/k8s/api-store';
import { chooseSetup, type LabSetup } from '../../../simulator/setup';
import { withSiteRepositories } from './kubectl-support';

const files = {
  'job.yaml': `apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  backoffLimit: 4
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: pi
        image: perl:5.34.0
        command: ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"]
`,
  'hello.yaml': `apiVersion: batch/v1
kind: Job
metadata:
  name: hello
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: hello
        image: busybox
        command: ["sh", "-c", "echo hello from the job"]
`,
  'rc.yaml': `apiVersion: v1
kind: ReplicationController
metadata:
  name: nginx
spec:
  replicas: 2
  selector:
    app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: nginx
        image: nginx
        ports:
        - containerPort: 80
`,
  'web.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: nginx
        ports:
        - containerPort: 80
`,
};

/** Seed 001's day (kind v0.14.0, Kubernetes 1.24), which most cases use. */
const experimentSetup = chooseSetup({ cilium: ['1.12.0'], date: '2022-07-29' });
/** The site's default day (kind v0.29.0, Kubernetes 1.33). */
const recentSetup = chooseSetup({ cilium: ['1.18.5'] });

/** A kind cluster with kindnet and two workers: what `kind create cluster` gives with that config. */
async function kindSession(
  seed: number,
  config = 'networking: {}',
  setup: LabSetup = experimentSetup,
): Promise<{ session: TerminalSession; simulation: Simulation }> {
  const simulation = new Simulation(seed, { setup });
  const session = new TerminalSession(simulation, files, withSiteRepositories);
  const result = await session.run(
    `kind create cluster --config=- <<<"kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n- role: worker\n- role: worker\n${config}\n"`,
  );
  expect(result.exitCode).toBe(0);
  await session.run('sleep 10');
  return { session, simulation };
}

/** Splits a kubectl table into rows of cells (columns are separated by at least 3 spaces). */
const cells = (table: string): string[][] =>
  table
    .trimEnd()
    .split('\n')
    .map((line) => line.split(/ {3,}/).map((cell) => cell.trim()));

describe('kubectl get: workload kinds and their columns', () => {
  interface GetCase {
    readonly name: string;
    readonly command: string;
    readonly header: readonly string[];
    readonly row?: readonly (string | RegExp)[];
    readonly setup?: LabSetup;
  }

  const gets: readonly GetCase[] = [
    {
      name: 'kube-proxy and kindnet as DaemonSets (ds)',
      command: 'kubectl -n kube-system get ds',
      header: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'],
      row: ['kindnet', '3', '3', '3', '3', '3', '<none>', /^\d+s$/],
    },
    {
      name: 'kindnet on Linux nodes only from kind v0.18.0',
      command: 'kubectl -n kube-system get ds',
      header: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'],
      row: ['kindnet', '3', '3', '3', '3', '3', 'kubernetes.io/os=linux', /^\d+s$/],
      setup: recentSetup,
    },
    {
      name: 'the ReplicationController (rc)',
      command: 'kubectl apply -f rc.yaml >/dev/null; sleep 5; kubectl get rc',
      header: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
      row: ['nginx', '2', '2', '2', /^\d+s$/],
    },
    {
      name: 'a Job with COMPLETIONS and DURATION (Kubernetes 1.24: no STATUS column)',
      command: 'kubectl apply -f job.yaml >/dev/null; sleep 20; kubectl get jobs',
      header: ['NAME', 'COMPLETIONS', 'DURATION', 'AGE'],
      row: ['pi', '1/1', /^\d+s$/, /^\d+s$/],
    },
    {
      name: 'a Job with its STATUS (Kubernetes 1.33, kubernetes/kubernetes#123226)',
      command: 'kubectl apply -f job.yaml >/dev/null; sleep 20; kubectl get jobs',
      header: ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'],
      row: ['pi', 'Complete', '1/1', /^\d+s$/, /^\d+s$/],
      setup: recentSetup,
    },
    {
      name: 'a ReplicaSet with wide columns',
      command: 'kubectl -n kube-system get rs -o wide',
      header: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
      row: [
        /^coredns-\w+$/,
        '2',
        '2',
        '2',
        /^\d+s$/,
        'coredns',
        'k8s.gcr.io/coredns/coredns:v1.8.6',
        /^k8s-app=kube-dns,pod-template-hash=\w+$/,
      ],
    },
    {
      name: 'CoreDNS from registry.k8s.io on Kubernetes 1.33',
      command: 'kubectl -n kube-system get rs -o wide',
      header: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
      row: [
        /^coredns-\w+$/,
        '2',
        '2',
        '2',
        /^\d+s$/,
        'coredns',
        'registry.k8s.io/coredns/coredns:v1.12.0',
        /^k8s-app=kube-dns,pod-template-hash=\w+$/,
      ],
      setup: recentSetup,
    },
    {
      name: 'ConfigMaps (cm) with their DATA count',
      command: 'kubectl -n local-path-storage get cm',
      header: ['NAME', 'DATA', 'AGE'],
      row: ['local-path-config', '1', /^\d+s$/],
    },
  ];

  it.each(gets)('kubectl get: $name', async ({ command, header, row, setup }) => {
    const { session } = await kindSession(31, undefined, setup);
    const result = await session.run(command);
    expect(result.exitCode).toBe(0);
    const table = cells(result.stdout);
    expect(table[0]).toEqual(header);
    if (row !== undefined)
      expect(
        table.find((cellsOfRow) => {
          const name = row[0];
          return typeof name === 'string' ? cellsOfRow[0] === name : name?.test(cellsOfRow[0] ?? '') === true;
        }),
      ).toEqual(row.map((cell): unknown => (typeof cell === 'string' ? cell : expect.stringMatching(cell))));
  });

  it('shows a completed Job pod as Completed and keeps its output for kubectl logs', async () => {
    const { session } = await kindSession(32);
    await session.run('kubectl apply -f hello.yaml; sleep 15');
    const pods = cells((await session.run('kubectl get pods -l job-name=hello')).stdout);
    expect(pods[1]?.slice(1, 4)).toEqual(['0/1', 'Completed', '0']);
    expect((await session.run('kubectl logs job/hello')).stdout).toBe('hello from the job\n');
  });

  it('puts kube-proxy on every node unless kind’s kubeProxyMode is none, and kindnet only with the default CNI', async () => {
    const withoutProxy = await kindSession(
      33,
      'networking:\n  kubeProxyMode: none\n  disableDefaultCNI: true',
    );
    expect((await withoutProxy.session.run('kubectl -n kube-system get ds')).stderr).toBe(
      'No resources found in kube-system namespace.\n',
    );
    const { session } = await kindSession(34);
    const names = cells((await session.run('kubectl -n kube-system get ds')).stdout).map((row) => row[0]);
    expect(names).toEqual(['NAME', 'kindnet', 'kube-proxy']);
  });
});

describe('kubectl describe: workload kinds', () => {
  it('describes a DaemonSet with its node counts and pod template', async () => {
    const { session } = await kindSession(35);
    const out = (await session.run('kubectl -n kube-system describe ds kube-proxy')).stdout;
    expect(out).toMatch(
      /^Name: {11}kube-proxy\nSelector: {7}k8s-app=kube-proxy\nNode-Selector: {2}kubernetes\.io\/os=linux\n/,
    );
    expect(out).toContain('\nDesired Number of Nodes Scheduled: 3\nCurrent Number of Nodes Scheduled: 3\n');
    expect(out).toContain(
      '\nNumber of Nodes Misscheduled: 0\nPods Status:  3 Running / 0 Waiting / 0 Succeeded / 0 Failed\nPod Template:\n',
    );
    expect(out).toMatch(/\nEvents: +<none>\n$/);
  });

  it('describes a Job with its completions and pod statuses', async () => {
    const { session } = await kindSession(36);
    await session.run('kubectl apply -f hello.yaml; sleep 15');
    const out = (await session.run('kubectl describe job hello')).stdout;
    expect(out).toMatch(/\nParallelism: +1\nCompletions: +1\nCompletion Mode: +NonIndexed\nStart Time: /);
    expect(out).toMatch(/\nPods Statuses: +0 Active \(0 Ready\) \/ 1 Succeeded \/ 0 Failed\n/);
  });
});

describe('kubectl scale and rollout', () => {
  interface CommandCase {
    readonly name: string;
    readonly command: string;
    readonly exitCode: number;
    readonly stdout?: string | RegExp;
    readonly stderr?: string;
  }

  const commands: readonly CommandCase[] = [
    {
      name: 'scale an rc',
      command: 'kubectl scale rc nginx --replicas=3',
      exitCode: 0,
      stdout: 'replicationcontroller/nginx scaled\n',
    },
    {
      name: 'scale a Deployment by type/name',
      command: 'kubectl scale deploy/web --replicas=1',
      exitCode: 0,
      stdout: 'deployment.apps/web scaled\n',
    },
    {
      name: 'scale a DaemonSet, which has no scale subresource',
      command: 'kubectl -n kube-system scale ds kube-proxy --replicas=1',
      exitCode: 1,
      stderr: 'Error from server (NotFound): the server could not find the requested resource\n',
    },
    {
      name: 'restart a DaemonSet',
      command: 'kubectl -n kube-system rollout restart ds/kube-proxy',
      exitCode: 0,
      stdout: 'daemonset.apps/kube-proxy restarted\n',
    },
    {
      name: 'restart an rc, which kubectl cannot restart',
      command: 'kubectl rollout restart rc/nginx',
      exitCode: 1,
      stderr: 'error: replicationcontrollers "nginx" restarting is not supported\n',
    },
    {
      name: 'the status of a ReplicaSet',
      command: 'kubectl -n kube-system rollout status rs/anything',
      exitCode: 1,
      stderr: 'error: no status viewer has been implemented for ReplicaSet.apps\n',
    },
    {
      name: 'the history of a Deployment',
      command: 'kubectl rollout history deployment/web',
      exitCode: 0,
      stdout: 'deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n\n',
    },
    {
      name: 'undo a Deployment with a single revision',
      command: 'kubectl rollout undo deployment/web',
      exitCode: 1,
      stderr: 'error: no rollout history found for deployment "web"\n',
    },
    {
      name: 'undo a DaemonSet with a single revision',
      command: 'kubectl -n kube-system rollout undo ds/kube-proxy',
      exitCode: 1,
      stderr: 'error: no last revision to roll back to\n',
    },
    {
      name: 'undo to a revision that does not exist',
      command: 'kubectl rollout undo deployment/web --to-revision=7',
      exitCode: 1,
      stderr: 'error: unable to find specified revision 7 in history\n',
    },
    {
      name: 'the status of a missing DaemonSet',
      command: 'kubectl rollout status ds/nope',
      exitCode: 1,
      stderr: 'Error from server (NotFound): daemonsets.apps "nope" not found\n',
    },
    {
      name: 'a service account may not restart kube-proxy (RBAC under --as)',
      command:
        'kubectl -n kube-system rollout restart ds/kube-proxy --as=system:serviceaccount:default:default',
      exitCode: 1,
      stderr:
        'Error from server (Forbidden): daemonsets.apps "kube-proxy" is forbidden: User "system:serviceaccount:default:default" cannot get resource "daemonsets" in API group "apps" in the namespace "kube-system"\n',
    },
    {
      name: 'nor scale a Deployment',
      command: 'kubectl scale deploy/web --replicas=1 --as=system:serviceaccount:default:default',
      exitCode: 1,
      stderr:
        'Error from server (Forbidden): deployments.apps "web" is forbidden: User "system:serviceaccount:default:default" cannot get resource "deployments" in API group "apps" in the namespace "default"\n',
    },
    {
      name: 'the status of a settled Deployment, without watching',
      command: 'kubectl rollout status deploy/web --watch=false',
      exitCode: 0,
      stdout: 'deployment "web" successfully rolled out\n',
    },
  ];

  it.each(commands)('kubectl: $name', async ({ command, exitCode, stdout, stderr }) => {
    const { session } = await kindSession(37);
    await session.run('kubectl apply -f rc.yaml -f web.yaml >/dev/null; sleep 10');
    const result = await session.run(command);
    expect(result.exitCode).toBe(exitCode);
    if (typeof stdout === 'string') expect(result.stdout).toBe(stdout);
    else if (stdout !== undefined) expect(result.stdout).toMatch(stdout);
    if (stderr !== undefined) expect(result.stderr).toBe(stderr);
  });

  it('restarts, lists and undoes a Deployment rollout', async () => {
    const { session, simulation } = await kindSession(38);
    await session.run('kubectl apply -f web.yaml >/dev/null; sleep 10');
    expect((await session.run('kubectl rollout restart deployment/web')).stdout).toBe(
      'deployment.apps/web restarted\n',
    );
    const status = await session.run('kubectl rollout status deployment/web');
    expect(status.stdout).toMatch(/^Waiting for deployment "web" rollout to finish: /);
    expect(status.stdout).toMatch(/deployment "web" successfully rolled out\n$/);
    expect((await session.run('kubectl rollout history deployment/web')).stdout).toBe(
      'deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n',
    );
    const revision = (await session.run('kubectl rollout history deployment/web --revision=2')).stdout;
    expect(revision).toMatch(/^deployment\.apps\/web with revision #2\nPod Template:\n {2}Labels:/);
    expect(revision).toContain('kubectl.kubernetes.io/restartedAt: ');
    expect((await session.run('kubectl rollout undo deployment/web')).stdout).toBe(
      'deployment.apps/web rolled back\n',
    );
    await session.run('kubectl rollout status deployment/web');
    const template = getObject(simulation.state.cluster!.api, 'Deployment', 'default/web')?.spec.template;
    expect(template?.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeUndefined();
    expect((await session.run('kubectl rollout undo deployment/web --to-revision=3')).stdout).toBe(
      'deployment.apps/web skipped rollback (current template already matches revision 3)\n',
    );
  });
});

describe('kind’s local-path-provisioner under Cilium', () => {
  it('stays Pending without a CNI, then gets an address, a CiliumEndpoint and an identity', async () => {
    const { session } = await kindSession(39, 'networking:\n  disableDefaultCNI: true', recentSetup);
    const pending = cells((await session.run('kubectl -n local-path-storage get pods')).stdout);
    expect(pending[1]?.[2]).toBe('Pending');
    await session.run(
      'helm install cilium cilium/cilium --version 1.18.5 --namespace kube-system; kubectl -n kube-system rollout status ds/cilium; sleep 20',
    );
    const ready = cells((await session.run('kubectl -n local-path-storage get pods')).stdout);
    expect(ready[1]?.slice(1, 3)).toEqual(['1/1', 'Running']);
    const endpoints = cells((await session.run('kubectl -n local-path-storage get cep')).stdout);
    expect(endpoints[1]?.[0]).toMatch(/^local-path-provisioner-/);
    // Cilium 1.18's CiliumEndpoint printer columns: NAME, SECURITY IDENTITY, ENDPOINT STATE, IPV4, IPV6.
    const identity = endpoints[0]?.indexOf('SECURITY IDENTITY') ?? -1;
    expect(Number(endpoints[1]?.[identity])).toBeGreaterThanOrEqual(256);
  });
});
