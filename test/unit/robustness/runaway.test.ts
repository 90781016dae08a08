// Goal: input that would run away ends within the simulator's existing limits with a message that
// says which limit stopped it: a 10 MB manifest (the YAML reader's 1 MiB), a loop of sleeps (the
// 60 minutes of virtual time a command line may use). A loop of shell builtins (the shell's command
// count) is checked in test/unit/terminal/terminal.test.ts, and `replicas: 2147483647` (the
// ReplicaSet controller's bursts) in test/unit/simulator/replicaset-bursts.test.ts.
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../simulator/simulation';
import { TerminalSession } from '../../../simulator/terminal/session';
import { kindShell } from '../terminal/kubectl-support';

const megabytes = 10;

/** Small ConfigMaps, one after another, up to the size. */
function manyObjects(bytes: number): string {
  const parts: string[] = [];
  let size = 0;
  for (let index = 0; size < bytes; index++) {
    const part = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${index}\ndata:\n  k: "${'x'.repeat(200)}"\n---\n`;
    parts.push(part);
    size += part.length;
  }
  return parts.join('');
}

/** One ConfigMap holding the whole size. */
function oneObject(bytes: number): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  k: "${'x'.repeat(bytes)}"\n`;
}

const manifestCases = [
  {
    name: 'many objects, from a file',
    text: manyObjects(megabytes << 20),
    line: 'kubectl apply -f big.yaml',
    source: 'big.yaml',
  },
  {
    name: 'one object, from a file',
    text: oneObject(megabytes << 20),
    line: 'kubectl create -f big.yaml',
    source: 'big.yaml',
  },
  {
    name: 'many objects, from standard input',
    text: manyObjects(megabytes << 20),
    line: 'kubectl apply -f - < big.yaml',
    source: 'STDIN',
  },
];

describe('robustness: runaway input', () => {
  it.each(manifestCases)(
    'a 10 MB manifest of $name ends at once with the reader’s limit',
    async ({ text, line, source }) => {
      const session = kindShell({ 'big.yaml': text });
      const objectsBefore = session.simulation.state.cluster?.api.resourceVersion;
      const result = await session.run(line);
      expect(result).toEqual({
        stdout: '',
        stderr: `error: the simulator reads manifests of up to 1 MiB, and "${source}" is 10.0 MiB\n`,
        exitCode: 1,
      });
      expect(session.simulation.state.cluster?.api.resourceVersion).toBe(objectsBefore);
    },
  );

  it('a loop of sleeps ends at the 60 minutes of virtual time a command line may use', async () => {
    const session = new TerminalSession(new Simulation(3));
    const started = session.simulation.nowMs;
    const result = await session.run('while true; do sleep 30; done');
    expect(result.exitCode).toBe(124);
    expect(result.stderr).toBe('stopped: this command line used more than 60 minutes of simulated time\n');
    expect(session.simulation.nowMs - started).toBe(60 * 60 * 1000);
    // The session goes on.
    expect((await session.run('echo still here')).stdout).toBe('still here\n');
  });
});
