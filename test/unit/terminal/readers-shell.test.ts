import { describe, expect, it } from 'vitest';
import { kindShell } from './kubectl-support';

// The reader's shell behaves like a login shell on a Linux workstation: it lives on between lines
// (its directory too), has /tmp, names temporary files with mktemp, and its files carry the world's
// time rather than the host's, so a replay prints the same `ls -l`.

describe("the reader's shell between lines", () => {
  it('keeps the working directory, as an interactive shell does', async () => {
    const session = kindShell({ 'yamls/policy.yaml': 'kind: Namespace\n' });
    expect((await session.run('cd yamls')).exitCode).toBe(0);
    expect((await session.run('pwd')).stdout).toBe('/home/user/yamls\n');
    expect((await session.run('cat policy.yaml')).stdout).toBe('kind: Namespace\n');
    await session.run('cd /tmp');
    expect((await session.run('cd - && pwd')).stdout).toBe('/home/user/yamls\n/home/user/yamls\n');
    expect((await session.run('cd && pwd')).stdout).toBe('/home/user\n');
  });

  it("starts a kind node's shell in its root directory and keeps `cd` until exit", async () => {
    const session = kindShell();
    await session.run('docker exec -it kind-control-plane bash');
    expect((await session.run('pwd')).stdout).toBe('/\n');
    await session.run('cd /etc');
    expect((await session.run('pwd')).stdout).toBe('/etc\n');
    await session.run('exit');
    expect((await session.run('pwd')).stdout).toBe('/home/user\n');
  });

  it('has the directories scripts write to', async () => {
    const session = kindShell();
    const listing = await session.run(
      'test -d /tmp && test -d /etc && test -d /var/tmp && echo ok > /tmp/a && cat /tmp/a',
    );
    expect(listing.stdout).toBe('ok\n');
  });
});

describe('mktemp', () => {
  it('makes a file and a directory under /tmp with ten random letters, private to the user', async () => {
    const session = kindShell();
    const file = (await session.run('mktemp')).stdout.trim();
    expect(file).toMatch(/^\/tmp\/tmp\.[A-Za-z0-9]{10}$/);
    expect((await session.run(`stat -c %a ${file}`)).stdout).toBe('600\n');
    const made = await session.run('D=$(mktemp -d) && echo hi > "$D/x" && cat "$D/x" && stat -c %a "$D"');
    expect(made.stdout).toBe('hi\n700\n');
  });

  it('follows the template, -p, -t, --suffix, -u and TMPDIR as coreutils does', async () => {
    const session = kindShell();
    expect((await session.run('mktemp -t run.XXXX')).stdout).toMatch(/^\/tmp\/run\.[A-Za-z0-9]{4}\n$/);
    expect((await session.run('mktemp ./local.XXX')).stdout).toMatch(/^\.\/local\.[A-Za-z0-9]{3}\n$/);
    expect((await session.run('mktemp --suffix=.yaml')).stdout).toMatch(/^\/tmp\/tmp\.\w{10}\.yaml\n$/);
    expect((await session.run('mkdir -p /tmp/w && mktemp -p /tmp/w')).stdout).toMatch(/^\/tmp\/w\/tmp\./);
    expect((await session.run('TMPDIR=/var/tmp mktemp')).stdout).toMatch(/^\/var\/tmp\/tmp\./);
    const dry = (await session.run('mktemp -u')).stdout.trim();
    expect((await session.run(`test -e ${dry} || echo absent`)).stdout).toBe('absent\n');
  });

  it('refuses a template with too few X and a directory that does not exist', async () => {
    const session = kindShell();
    const few = await session.run('mktemp foo.XX');
    expect([few.exitCode, few.stderr]).toEqual([1, "mktemp: too few X's in template 'foo.XX'\n"]);
    const missing = await session.run('mktemp -p /nowhere');
    expect(missing.stderr).toBe(
      "mktemp: failed to create file via template '/nowhere/tmp.XXXXXXXXXX': No such file or directory\n",
    );
    expect((await session.run('mktemp -q -p /nowhere; echo $?')).stdout).toBe('1\n');
  });

  it('names the same files in two sessions with the same seed (the letters come from the world)', async () => {
    const names = async () => (await kindShell().run('mktemp; mktemp -d')).stdout;
    expect(await names()).toBe(await names());
  });
});

describe("the reader's files carry the world's time", () => {
  it('stamps a write with the virtual clock, which `sleep` moves on', async () => {
    const session = kindShell();
    const before = Number((await session.run('echo a > first; date +%s')).stdout);
    await session.run('sleep 120');
    await session.run('echo b > second');
    const times = await session.run('find first second -printf "%T@\\n"; date +%s');
    const [first, second, now] = times.stdout.trim().split('\n').map(Number);
    expect(first).toBe(before);
    expect(second! - first!).toBeGreaterThanOrEqual(120);
    expect(second).toBe(now);
  });
});
