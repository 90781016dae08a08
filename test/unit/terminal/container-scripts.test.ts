// Goal: a reader applies a Job or a Deployment whose container runs a shell script of the kind the
// Kubernetes docs and tutorials use, advances time, and sees what a real cluster shows: the Job
// complete with its lines in `kubectl logs`, each with the time it was written under
// `--timestamps`; a Deployment's logging loop running, its log growing as time passes.
// Sources: https://kubernetes.io/docs/concepts/workloads/controllers/job/ (the Job and its logs);
// kubectl pkg/cmd/logs (v0.33) and kubelet pkg/kubelet/kuberuntime/logs/logs.go (RFC3339NanoFixed
// timestamps); POSIX sh for the scripts.
import { describe, expect, it } from 'vitest';
import { kindShell } from './kubectl-support';

const files = {
  'count.yaml': `apiVersion: batch/v1
kind: Job
metadata:
  name: count
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: count
        image: busybox:1.36
        command: ["sh", "-c", "for i in 1 2 3; do echo \\"line $i\\"; sleep 1; done"]
`,
  'ticker.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ticker
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ticker
  template:
    metadata:
      labels:
        app: ticker
    spec:
      containers:
      - name: ticker
        image: busybox:1.36
        command:
        - /bin/sh
        - -c
        - |
          i=0
          while true; do
            i=$((i + 1))
            echo "tick $i"
            sleep 5
          done
`,
};

/** Splits a kubectl table into rows of cells (columns are separated by at least 3 spaces). */
const cells = (table: string): string[][] =>
  table
    .trimEnd()
    .split('\n')
    .map((line) => line.split(/ {3,}/).map((cell) => cell.trim()));

describe('container scripts through kubectl', () => {
  it('completes a Job whose script loops, and kubectl logs prints its lines with their times', async () => {
    const session = kindShell(files, 41);
    expect((await session.run('kubectl apply -f count.yaml')).stdout).toBe('job.batch/count created\n');
    await session.run('sleep 20');
    const jobs = cells((await session.run('kubectl get jobs')).stdout);
    const completions = jobs[0]?.indexOf('COMPLETIONS') ?? -1;
    expect(jobs[1]?.[0]).toBe('count');
    expect(jobs[1]?.[completions]).toBe('1/1');
    const pods = cells((await session.run('kubectl get pods -l job-name=count')).stdout);
    expect(pods[1]?.slice(1, 4)).toEqual(['0/1', 'Completed', '0']);
    expect((await session.run('kubectl logs job/count')).stdout).toBe('line 1\nline 2\nline 3\n');
    const stamped = (await session.run('kubectl logs job/count --timestamps')).stdout.trimEnd().split('\n');
    expect(stamped).toHaveLength(3);
    const times = stamped.map((line) => {
      const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) line \d$/.exec(line);
      expect(match, line).not.toBeNull();
      return Date.parse(match?.[1] ?? '');
    });
    expect([(times[1] ?? 0) - (times[0] ?? 0), (times[2] ?? 0) - (times[1] ?? 0)]).toEqual([1000, 1000]);
  });

  it('prints the container’s own clock for `kubectl run -i … -- date`, not the model’s start', async () => {
    const session = kindShell(files, 43);
    await session.run('sleep 3600');
    const before = Number((await session.run('date +%s')).stdout.trim()) * 1000;
    const result = await session.run(
      'kubectl run clock -i --rm --restart=Never --image=busybox:1.36 -- date',
    );
    const printed = /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d UTC \d{4}$/m.exec(result.stdout)?.[0];
    expect(printed, result.stdout).toBeDefined();
    const at = Date.parse(printed ?? '');
    expect(at - before).toBeGreaterThanOrEqual(0);
    expect(at - before).toBeLessThan(30_000);
  });

  it('keeps a Deployment’s logging loop running, its log growing as virtual time passes', async () => {
    const session = kindShell(files, 42);
    await session.run('kubectl apply -f ticker.yaml; sleep 12');
    const pods = cells((await session.run('kubectl get pods -l app=ticker')).stdout);
    expect(pods[1]?.slice(1, 4)).toEqual(['1/1', 'Running', '0']);
    const early = (await session.run('kubectl logs deploy/ticker')).stdout;
    expect(early).toMatch(/^tick 1\ntick 2\n(tick 3\n)?$/);
    await session.run('sleep 60');
    const later = (await session.run('kubectl logs deploy/ticker')).stdout.trimEnd().split('\n');
    expect(later.length).toBeGreaterThanOrEqual(13);
    expect(later.slice(0, 3)).toEqual(['tick 1', 'tick 2', 'tick 3']);
    expect(later.at(-1)).toBe(`tick ${later.length}`);
    expect((await session.run('kubectl logs deploy/ticker --tail 1')).stdout).toBe(`tick ${later.length}\n`);
    // Still running: no restarts, nothing printed twice.
    expect(cells((await session.run('kubectl get pods -l app=ticker')).stdout)[1]?.slice(1, 4)).toEqual([
      '1/1',
      'Running',
      '0',
    ]);
  });
});
