// Goal: `kubectl run` does what kubectl 1.33's does (kubectl pkg/cmd/run/run.go at v0.33.0): one
// bare Pod labelled run=NAME, printed or created with kubectl's lines, a Service with --expose, its
// mistakes refused in kubectl's words; attached with -i it waits for the pod to run, shows what
// the pod's process prints (a curl run from the new pod), and with --rm deletes the pod afterwards.
import { describe, expect, it } from 'vitest';
import { getObject } from '../../../simulator/k8s/api-store';
import { TerminalSession } from '../../../simulator/terminal/session';
import { ciliumShell, kindCluster, kindShell } from './kubectl-support';

interface RunCase {
  readonly name: string;
  /** Lines run before, in the same terminal. */
  readonly before?: readonly string[];
  readonly command: string;
  readonly stdout?: string | RegExp;
  readonly stderr?: string;
  readonly exitCode?: number;
  /** Lines run after, before the stored object is looked at (a deletion takes its grace period). */
  readonly after?: readonly string[];
  /** A stored object and fields it must have, or `absent`. */
  readonly stored?: readonly [
    kind: 'Pod' | 'Service',
    key: string,
    fields: Record<string, unknown> | 'absent',
  ];
}

const dryRunYaml = `apiVersion: v1
kind: Service
metadata:
  creationTimestamp: null
  name: nginx
spec:
  ports:
  - port: 80
    protocol: TCP
    targetPort: 80
  selector:
    run: nginx
status:
  loadBalancer: {}
---
apiVersion: v1
kind: Pod
metadata:
  creationTimestamp: null
  labels:
    run: nginx
  name: nginx
spec:
  containers:
  - image: nginx
    name: nginx
    ports:
    - containerPort: 80
    resources: {}
  dnsPolicy: ClusterFirst
  restartPolicy: Always
status: {}
`;

const cases: readonly RunCase[] = [
  {
    name: 'a bare pod labelled run=NAME, restartPolicy Always, no owner',
    command: 'kubectl run web --image=nginx',
    stdout: 'pod/web created\n',
    stored: [
      'Pod',
      'default/web',
      {
        metadata: { labels: { run: 'web' } },
        spec: {
          restartPolicy: 'Always',
          dnsPolicy: 'ClusterFirst',
          containers: [{ name: 'web', image: 'nginx' }],
        },
      },
    ],
  },
  {
    name: 'args after -- become the container args; --command makes them its command',
    command: 'kubectl run sleeper --image=busybox --command -- sleep 3600',
    stdout: 'pod/sleeper created\n',
    stored: ['Pod', 'default/sleeper', { spec: { containers: [{ command: ['sleep', '3600'] }] } }],
  },
  {
    name: '--labels, --env, --port, --restart and -n reach the pod',
    command:
      'kubectl run api -n kube-public --image=nginx --labels=app=api,tier=back --env=MODE=fast --port=8080 --restart=Never -- -g x',
    stdout: 'pod/api created\n',
    stored: [
      'Pod',
      'kube-public/api',
      {
        metadata: { labels: { app: 'api', tier: 'back' } },
        spec: {
          restartPolicy: 'Never',
          containers: [
            { args: ['-g', 'x'], env: [{ name: 'MODE', value: 'fast' }], ports: [{ containerPort: 8080 }] },
          ],
        },
      },
    ],
  },
  {
    name: '--dry-run=client -o yaml with --expose prints the Service, a separator, then the pod',
    command: 'kubectl run nginx --image=nginx --port=80 --expose --dry-run=client -o yaml',
    stdout: dryRunYaml,
    stored: ['Pod', 'default/nginx', 'absent'],
  },
  {
    name: '--expose creates a ClusterIP Service selecting the pod, printed first',
    command: 'kubectl run web --image=nginx --port=80 --expose',
    stdout: 'service/web created\npod/web created\n',
    stored: [
      'Service',
      'default/web',
      { spec: { selector: { run: 'web' }, ports: [{ port: 80, targetPort: 80 }] } },
    ],
  },
  {
    name: '--overrides merges JSON into the generated pod',
    command: `kubectl run pinned --image=nginx --overrides='{"spec":{"nodeName":"kind-worker"}}'`,
    stdout: 'pod/pinned created\n',
    stored: ['Pod', 'default/pinned', { spec: { nodeName: 'kind-worker' } }],
  },
  {
    name: 'without --image: cobra’s required flag',
    command: 'kubectl run web',
    stderr: 'error: required flag(s) "image" not set\n',
    exitCode: 1,
  },
  {
    name: 'without a NAME before --',
    command: 'kubectl run --image=nginx -- sh',
    stderr: "error: NAME is required for run\nSee 'kubectl run -h' for help and examples\n",
    exitCode: 1,
  },
  {
    name: 'an image name that is no reference',
    command: 'kubectl run web --image=Nginx',
    stderr: 'error: Invalid image name "Nginx": invalid reference format\n',
    exitCode: 1,
  },
  {
    name: '-t without -i',
    command: 'kubectl run web --image=busybox -t',
    stderr:
      "error: -i/--stdin is required for containers with -t/--tty=true\nSee 'kubectl run -h' for help and examples\n",
    exitCode: 1,
  },
  {
    name: '--expose without --port',
    command: 'kubectl run web --image=nginx --expose',
    stderr: "error: --port must be set when exposing a service\nSee 'kubectl run -h' for help and examples\n",
    exitCode: 1,
  },
  {
    name: '--rm without attaching',
    command: 'kubectl run web --image=nginx --rm',
    stderr:
      "error: --rm should only be used for attached containers\nSee 'kubectl run -h' for help and examples\n",
    exitCode: 1,
  },
  {
    name: 'an unknown restart policy',
    command: 'kubectl run web --image=nginx --restart=Sometimes',
    stderr: "error: invalid restart policy: Sometimes\nSee 'kubectl run -h' for help and examples\n",
    exitCode: 1,
  },
  {
    name: 'a name already taken',
    before: ['kubectl run web --image=nginx'],
    command: 'kubectl run web --image=nginx',
    stderr: 'Error from server (AlreadyExists): pods "web" already exists\n',
    exitCode: 1,
  },
  {
    name: '-i --rm with curl: the curl runs from the new pod once it runs, then the pod is deleted',
    before: ['kubectl run web --image=nginx --port=80 --expose'],
    command:
      'kubectl run tmp --rm -i --restart=Never --image=curlimages/curl -- curl -s -o /dev/null -w "%{http_code}\\n" http://web',
    stdout: '200\npod "tmp" deleted\n',
    stderr: "If you don't see a command prompt, try pressing enter.\n",
    after: ['sleep 5'],
    stored: ['Pod', 'default/tmp', 'absent'],
  },
  {
    name: '-i -q with a program the pod runs by itself prints its output',
    command: 'kubectl run hello --rm -i -q --restart=Never --image=busybox -- echo hello',
    stdout: 'hello\npod "hello" deleted\n',
  },
  {
    name: '-i --restart=Never: a failing process is the command’s exit code, and the pod stays in Error',
    command: 'kubectl run probe -i -q --restart=Never --image=curlimages/curl -- curl -s http://nowhere',
    stderr: 'pod default/probe terminated (Error)\n',
    exitCode: 6,
    stored: ['Pod', 'default/probe', { status: { phase: 'Failed' } }],
  },
  {
    name: '--dry-run with -i is refused',
    command: 'kubectl run tmp -i --image=busybox --dry-run=client',
    stderr:
      "error: --dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)\nSee 'kubectl run -h' for help and examples\n",
    exitCode: 1,
  },
];

describe('kubectl run', () => {
  describe.each(cases)('$name', (testCase) => {
    it('prints what kubectl prints and leaves the cluster as kubectl would', async () => {
      const session = kindShell();
      for (const line of testCase.before ?? []) expect((await session.run(line)).exitCode).toBe(0);
      const result = await session.run(testCase.command);
      if (typeof testCase.stdout === 'string') expect(result.stdout).toBe(testCase.stdout);
      if (testCase.stdout instanceof RegExp) expect(result.stdout).toMatch(testCase.stdout);
      expect(result.stderr).toBe(testCase.stderr ?? '');
      expect(result.exitCode).toBe(testCase.exitCode ?? 0);
      for (const line of testCase.after ?? []) await session.run(line);
      if (testCase.stored === undefined) return;
      const [kind, key, fields] = testCase.stored;
      const stored = getObject(session.simulation.state.cluster!.api, kind, key);
      if (fields === 'absent') expect(stored).toBeUndefined();
      else expect(stored).toMatchObject(fields);
    });
  });

  it('keeps a shell open with -it and deletes the pod when the reader exits it', async () => {
    const session = kindShell();
    const opened = await session.run('kubectl run -it --rm debug --image=busybox --restart=Never');
    expect(opened.stderr).toBe("If you don't see a command prompt, try pressing enter.\n");
    expect((await session.run('echo inside')).stdout).toBe('inside\n');
    const left = await session.run('exit');
    expect(left.stdout).toBe('pod "debug" deleted\n');
    await session.run('sleep 5');
    expect(getObject(session.simulation.state.cluster!.api, 'Pod', 'default/debug')).toBeUndefined();
  });

  it('schedules bare pods across the workers, each with an address from its node’s pod CIDR', async () => {
    const session = new TerminalSession(kindCluster(5, 2));
    await session.run('for name in a b c d; do kubectl run $name --image=nginx > /dev/null; done; sleep 15');
    const rows = (
      await session.run(
        'kubectl get pods --no-headers -o custom-columns=NODE:.spec.nodeName,IP:.status.podIP,STATUS:.status.phase',
      )
    ).stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/ +/));
    expect(new Set(rows.map(([node]) => node))).toEqual(new Set(['kind-worker', 'kind-worker2']));
    for (const [node, ip, phase] of rows) {
      expect(phase).toBe('Running');
      expect(ip).toMatch(node === 'kind-worker' ? /^10\.244\.1\./ : /^10\.244\.2\./);
    }
  });

  it('runs a pod that Cilium gives an endpoint and identity, like a pod from a manifest', async () => {
    const session = ciliumShell();
    await session.run('kubectl run web --image=nginx --labels=app=web');
    await session.run('kubectl wait --for=condition=Ready pod/web');
    const endpoint = await session.run(
      "kubectl get cep web -o jsonpath='{.status.state} {.status.identity.labels}'",
    );
    expect(endpoint.stdout).toMatch(/^ready .*k8s:app=web/);
    const deleted = await session.run('kubectl delete pod web');
    expect(deleted.stdout).toBe('pod "web" deleted\n');
    expect((await session.run('kubectl get cep -o name')).stdout).not.toContain('/web\n');
  });
});
