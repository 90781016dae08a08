// Goal: a container's `sh -c` script or exec-form command runs as busybox ash would run it, on the
// virtual clock: its exit code, when the kubelet sees it exit (the script's time plus the 1 s PLEG
// relist), what it printed and when, and a loop that never ends counts as running until stopped
// while its lines keep appearing in its logs.
// Sources: POSIX Shell Command Language
// (https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html); busybox's echo,
// printf, seq, test and sleep (https://busybox.net/downloads/BusyBox.html); the Kubernetes docs' Job
// (https://kubernetes.io/docs/concepts/workloads/controllers/job/) and `$(VAR)` expansion
// (kubernetes third_party/forked/golang/expansion).
import { describe, expect, it } from 'vitest';
import { containerLogLines, podProcessExit } from '../../../simulator/k8s/container-runs';
import type { Container, Pod } from '../../../simulator/k8s/objects';
import { piDigits } from '../../../simulator/k8s/shell-programs';

function podRunning(containers: Partial<Container>[], name = 'job-abcde'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: '2022-07-29T09:00:00Z' },
    spec: {
      containers: containers.map((container, index) => ({
        name: `c${index}`,
        image: 'busybox:1.36',
        ...container,
      })),
    },
    status: { phase: 'Running' },
  } as Pod;
}

const shell = (script: string): Pod => podRunning([{ command: ['sh', '-c', script] }]);

interface ScriptCase {
  readonly script: string;
  readonly exitCode: number;
  /** When the kubelet notices the exit: the script's own time plus one second. */
  readonly afterMs: number;
  readonly output: string;
}

const scripts: readonly ScriptCase[] = [
  { script: 'for i in 1 2 3; do echo $i; sleep 1; done', exitCode: 0, afterMs: 4000, output: '1\n2\n3\n' },
  { script: 'seq 1 5', exitCode: 0, afterMs: 1000, output: '1\n2\n3\n4\n5\n' },
  { script: 'seq 2 2 7; seq -s, 3', exitCode: 0, afterMs: 1000, output: '2\n4\n6\n1,2,3\n' },
  {
    script: 'i=0; while [ $i -lt 3 ]; do echo $i; i=$((i+1)); done',
    exitCode: 0,
    afterMs: 1000,
    output: '0\n1\n2\n',
  },
  {
    script: 'n=5; until [ "$n" = 0 ]; do n=$((n - 1)); done; echo $n',
    exitCode: 0,
    afterMs: 1000,
    output: '0\n',
  },
  { script: 'echo "hello world" && sleep 5', exitCode: 0, afterMs: 6000, output: 'hello world\n' },
  {
    script: "echo 'it''s' \"two  spaces\" plain   words",
    exitCode: 0,
    afterMs: 1000,
    output: 'its two  spaces plain words\n',
  },
  { script: 'echo started; exit 3; echo never', exitCode: 3, afterMs: 1000, output: 'started\n' },
  { script: 'exit 300', exitCode: 44, afterMs: 1000, output: '' },
  { script: 'false', exitCode: 1, afterMs: 1000, output: '' },
  {
    script: 'false || echo recovered; true && echo ran',
    exitCode: 0,
    afterMs: 1000,
    output: 'recovered\nran\n',
  },
  { script: 'false; echo $?', exitCode: 0, afterMs: 1000, output: '1\n' },
  {
    script: "printf '%s is %d years\\n' Ada 36 Alan 41",
    exitCode: 0,
    afterMs: 1000,
    output: 'Ada is 36 years\nAlan is 41 years\n',
  },
  {
    script: "printf '%05.1f|%-3s|%x\\n' 3.14159 ab 255",
    exitCode: 0,
    afterMs: 1000,
    output: '003.1|ab |ff\n',
  },
  { script: 'echo "$(date)"', exitCode: 0, afterMs: 1000, output: 'Fri Jul 29 09:00:30 UTC 2022\n' },
  { script: 'sleep 2; date +%T', exitCode: 0, afterMs: 3000, output: '09:00:32\n' },
  { script: 'echo Hello; sleep 30', exitCode: 0, afterMs: 31_000, output: 'Hello\n' },
  { script: 'sleep 1.5; sleep 1m', exitCode: 0, afterMs: 62_500, output: '' },
  { script: 'echo $HOSTNAME; hostname', exitCode: 0, afterMs: 1000, output: 'job-abcde\njob-abcde\n' },
  {
    script: 'for w in $(echo a b) "c d"; do case $w in a|b) echo ab:$w;; *) echo other:$w;; esac; done',
    exitCode: 0,
    afterMs: 1000,
    output: 'ab:a\nab:b\nother:c d\n',
  },
  {
    script: 'for i in $(seq 5); do [ $i -eq 2 ] && continue; [ $i -gt 3 ] && break; echo $i; done',
    exitCode: 0,
    afterMs: 1000,
    output: '1\n3\n',
  },
  {
    script: 'x=; echo ${x:-empty} ${#HOSTNAME} ${HOSTNAME%-*}',
    exitCode: 0,
    afterMs: 1000,
    output: 'empty 9 job\n',
  },
  {
    script: 'echo $((7 / 2)) $((2 ** 10)) $((1 < 2 && 3)) $((0x10 + 010))',
    exitCode: 0,
    afterMs: 1000,
    output: '3 1024 1 24\n',
  },
  { script: 'echo $((1 / 0))', exitCode: 2, afterMs: 1000, output: 'sh: divide by zero\n' },
  { script: '[ abc -lt 3 ]', exitCode: 2, afterMs: 1000, output: 'sh: abc: bad number\n' },
  { script: 'set -e; echo one; false; echo two', exitCode: 1, afterMs: 1000, output: 'one\n' },
  {
    script: 'if false; then echo yes; elif [ -z "" ]; then echo empty; else echo no; fi',
    exitCode: 0,
    afterMs: 1000,
    output: 'empty\n',
  },
  {
    script: 'seq 3 | while read n; do echo line $n; done',
    exitCode: 0,
    afterMs: 1000,
    output: 'line 1\nline 2\nline 3\n',
  },
  {
    script: '(exit 4); echo sub $?; { echo grouped; }',
    exitCode: 0,
    afterMs: 1000,
    output: 'sub 4\ngrouped\n',
  },
  { script: 'echo hidden > /dev/null; echo err >&2', exitCode: 0, afterMs: 1000, output: 'err\n' },
  {
    script: 'echo -n a; echo -e "b\\tc"; echo "d\\ne"',
    exitCode: 0,
    afterMs: 1000,
    output: 'ab\tc\nd\\ne\n',
  },
  { script: 'echo "unterminated', exitCode: 2, afterMs: 1000, output: 'sh: unterminated quoted string\n' },
];

describe('container scripts: exit code, exit time and output', () => {
  it.each(scripts)('sh -c $script', ({ script, exitCode, afterMs, output }) => {
    expect(podProcessExit(shell(script), 30_000)).toEqual({ exitCode, afterMs, output });
  });

  it.each([
    ['a server', ['nginx', '-g', 'daemon off;']],
    ['sleep infinity', ['sleep', 'infinity']],
    ['sleep for ten years', ['/bin/sleep', '3650d']],
    ['a loop that never ends', ['sh', '-c', 'while true; do echo tick; sleep 5; done']],
    ['a loop without a pause', ['sh', '-c', 'while :; do :; done']],
    ['a script that starts a server', ['sh', '-c', 'echo starting; exec nginx']],
    ['a function, which the model does not read', ['sh', '-c', 'f() { echo hi; }; f']],
    [
      'bash’s arithmetic for loop, which the model does not read',
      ['bash', '-c', 'for ((i = 0; i < 3; i++)); do echo $i; done'],
    ],
  ])('%s runs until stopped', (_name, command) => {
    expect(podProcessExit(podRunning([{ command }]))).toBeUndefined();
  });

  it('gives a script its $0 and arguments after the script, and $? of a command substitution', () => {
    const pod = podRunning([
      { command: ['sh', '-c', 'x=$(echo a; exit 3); echo $? $x $0 $1 $#', 'name', 'first'] },
    ]);
    expect(podProcessExit(pod)?.output).toBe('3 a name first 1\n');
  });

  it('runs an exec-form command without a shell: no quote removal or expansion', () => {
    expect(podProcessExit(podRunning([{ command: ['echo', '"$HOME"', '*'] }]))).toEqual({
      exitCode: 0,
      afterMs: 1000,
      output: '"$HOME" *\n',
    });
  });

  it('expands $(VAR) from the container env before the shell runs, and $$ to $', () => {
    const pod = podRunning([
      { command: ['sh', '-c', 'echo $(GREETING) $$$$'], env: [{ name: 'GREETING', value: 'hi' }] },
    ]);
    // The shell sees `echo hi $$`, and `$$` is the container's first process.
    expect(podProcessExit(pod)?.output).toBe('hi 1\n');
  });

  it('prints the docs’ pi Job: 2,000 digits of π after 8 s', () => {
    const exit = podProcessExit(
      podRunning([{ command: ['perl', '-Mbignum=bpi', '-wle', 'print bpi(2000)'] }]),
    );
    expect(exit?.afterMs).toBe(9000);
    expect(exit?.output).toMatch(/^3\.14159265358979323846264338327950288419716939937510\d{1949}\n$/);
    // Digits 1990–2000, and the next ones (…0099465…) that round the 2,000th up.
    expect(exit?.output.slice(1990, 2001)).toBe('04780275901');
    expect(piDigits(2010).slice(1990, 2006)).toBe('0478027590099465');
  });

  it('ends a pod when its last container ends, with the first failure', () => {
    const pod = podRunning([
      { command: ['sh', '-c', 'sleep 3; exit 0'] },
      { command: ['sh', '-c', 'exit 5'] },
    ]);
    expect(podProcessExit(pod)).toEqual({ exitCode: 5, afterMs: 4000, output: '' });
  });
});

describe('container scripts: logs as virtual time passes', () => {
  const startedAtMs = 100_000;
  const linesAt = (pod: Pod, elapsedMs: number): string[] =>
    (containerLogLines(pod, 'c0', startedAtMs, startedAtMs + elapsedMs) ?? []).map(
      (line) => `${line.atMs - startedAtMs} ${line.text}`,
    );

  it('shows a forever loop’s lines up to now, each at the time it was printed', () => {
    const pod = shell('while true; do echo "tick $(date +%S)"; sleep 5; done');
    expect(linesAt(pod, 0)).toEqual(['0 tick 40\n']);
    expect(linesAt(pod, 12_000)).toEqual(['0 tick 40\n', '5000 tick 45\n', '10000 tick 50\n']);
    expect(linesAt(pod, 3_600_000)).toHaveLength(721);
  });

  it('shows a finite loop’s lines while it runs, then all of them', () => {
    const pod = shell('for i in 1 2 3; do echo $i; sleep 10; done; echo done');
    expect(linesAt(pod, 15_000)).toEqual(['0 1\n', '10000 2\n']);
    expect(linesAt(pod, 60_000)).toEqual(['0 1\n', '10000 2\n', '20000 3\n', '30000 done\n']);
  });

  it('has no lines for a container the model does not run', () => {
    expect(containerLogLines(podRunning([{ command: ['nginx'] }]), 'c0', 0, 60_000)).toEqual([]);
    expect(containerLogLines(podRunning([{}]), 'c0', 0, 60_000)).toBeUndefined();
  });
});
