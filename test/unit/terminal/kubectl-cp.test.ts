// Goal: `kubectl cp` copies files to and from the files the model keeps in containers, through the
// tar the image ships (GNU tar in the Debian-based demo clients), with the messages kubectl and tar print, including an image without tar
// (CoreDNS is built from scratch) and kubectl's own mistakes about file specs.
import { describe, expect, it } from 'vitest';
import { kindShell, starWarsDemo } from './kubectl-support';

const files = { 'sw.yaml': starWarsDemo, 'hello.txt': 'hello\n' };

describe('kubectl cp', () => {
  it('copies a local file into a pod directory, and the pod sees it', async () => {
    const session = kindShell(files);
    await session.run('kubectl apply -f sw.yaml; sleep 20');
    expect(await session.run('kubectl cp hello.txt xwing:/tmp')).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 0,
    });
    expect((await session.run('kubectl exec xwing -- cat /tmp/hello.txt')).stdout).toBe('hello\n');
    expect(await session.run('kubectl cp ./hello.txt default/xwing:/tmp/renamed.txt')).toMatchObject({
      exitCode: 0,
    });
    expect((await session.run('kubectl exec xwing -- cat /tmp/renamed.txt')).stdout).toBe('hello\n');
  });

  it('copies a file out of a pod into the reader’s shell, with GNU tar’s note', async () => {
    const session = kindShell(files);
    await session.run('kubectl apply -f sw.yaml; sleep 20');
    const copied = await session.run('kubectl cp xwing:/etc/resolv.conf resolv.conf');
    expect(copied).toEqual({
      // The demo's clients run cilium/json-mock, built on node:18-slim (Debian), which has GNU tar.
      stdout: "tar: Removing leading `/' from member names\n",
      stderr: '',
      exitCode: 0,
    });
    expect((await session.run('cat resolv.conf')).stdout).toBe(
      'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
    );
  });

  const mistakes = [
    {
      name: 'one argument',
      command: 'kubectl cp hello.txt',
      stdout: '',
      stderr: 'error: source and destination are required\n',
      exitCode: 1,
    },
    {
      name: 'two local paths',
      command: 'kubectl cp hello.txt other.txt',
      stdout: '',
      stderr: 'error: one of src or dest must be a remote file specification\n',
      exitCode: 1,
    },
    {
      name: 'two pods',
      command: 'kubectl cp xwing:/a tiefighter:/b',
      stdout: '',
      stderr: 'error: one of src or dest must be a local file specification\n',
      exitCode: 1,
    },
    {
      name: 'a spec starting with a colon',
      command: 'kubectl cp :/a hello.txt',
      stdout: '',
      stderr: 'error: filespec must match the canonical format: [[namespace/]pod:]file/path\n',
      exitCode: 1,
    },
    {
      name: 'a local file that does not exist',
      command: 'kubectl cp nope.txt xwing:/tmp',
      stdout: '',
      stderr: "error: nope.txt doesn't exist in local filesystem\n",
      exitCode: 1,
    },
    {
      name: 'a pod that does not exist',
      command: 'kubectl cp hello.txt ghost:/tmp',
      stdout: '',
      stderr: 'Error from server (NotFound): pods "ghost" not found\n',
      exitCode: 1,
    },
    {
      name: 'a remote file that does not exist (GNU tar)',
      command: 'kubectl cp xwing:/nope here.txt',
      stdout:
        "tar: Removing leading `/' from member names\ntar: /nope: Cannot stat: No such file or directory\ntar: Exiting with failure status due to previous errors\n",
      stderr: 'command terminated with exit code 2\n',
      exitCode: 2,
    },
    {
      name: 'a remote directory that does not exist',
      command: 'kubectl cp hello.txt xwing:/data/hello.txt',
      stdout: '',
      stderr:
        'tar: /data: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\ncommand terminated with exit code 2\n',
      exitCode: 2,
    },
  ];
  it.each(mistakes)('kubectl cp: $name', async ({ command, stdout, stderr, exitCode }) => {
    const session = kindShell(files);
    await session.run('kubectl apply -f sw.yaml; sleep 20');
    expect(await session.run(command)).toEqual({ stdout, stderr, exitCode });
  });

  it('kubectl cp: an image without tar fails as the container runtime says', async () => {
    const session = kindShell(files);
    await session.run('sleep 20');
    const coredns = (await session.run('kubectl -n kube-system get pods -l k8s-app=kube-dns -o name')).stdout
      .split('\n')[0]!
      .split('/')[1]!;
    // kind's containerd fails the exec before tar starts; kubectl exits 1 with the CRI's error.
    const missingTar =
      /^error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "tar": executable file not found in \$PATH: unknown\n$/;
    const out = await session.run(`kubectl -n kube-system cp ${coredns}:/etc/resolv.conf here.txt`);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(missingTar);
    expect(out.exitCode).toBe(1);
    const into = await session.run(`kubectl -n kube-system cp hello.txt ${coredns}:/tmp`);
    expect(into.exitCode).toBe(1);
    expect(into.stderr).toMatch(missingTar);
  });
});
