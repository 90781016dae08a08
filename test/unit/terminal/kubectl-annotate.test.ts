// Goal: `kubectl annotate` as kubectl's annotate command behaves (pkg/cmd/annotate): it sets and
// removes annotations with a merge patch, refuses to overwrite without --overwrite (even with the
// same value; kubernetes.io/change-cause excepted), lists them, and passes on the API server's
// refusal of a key that is not a qualified name.
import { describe, expect, it } from 'vitest';
import { getObject } from '../../../simulator/k8s/api-store';
import { kindShell, starWarsDemo } from './kubectl-support';

async function demo() {
  const session = kindShell({ 'sw.yaml': starWarsDemo });
  await session.run('kubectl apply -f sw.yaml');
  await session.run('sleep 5');
  return session;
}

describe('kubectl annotate', () => {
  it('sets, lists, overwrites and removes an annotation', async () => {
    const session = await demo();
    const set = await session.run("kubectl annotate pod xwing description='rebel ship' owner=luke=skywalker");
    expect(set).toMatchObject({ stdout: 'pod/xwing annotated\n', stderr: '', exitCode: 0 });
    const api = session.simulation.state.cluster!.api;
    expect(getObject(api, 'Pod', 'default/xwing')!.metadata.annotations).toEqual({
      description: 'rebel ship',
      owner: 'luke=skywalker',
    });
    expect((await session.run('kubectl annotate pods xwing --list')).stdout).toBe(
      'description=rebel ship\nowner=luke=skywalker\n',
    );
    const refused = await session.run('kubectl annotate pod/xwing description=x-wing owner=luke=skywalker');
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toBe(
      "error: --overwrite is false but found the following declared annotation(s): 'description' already has a value (rebel ship); 'owner' already has a value (luke=skywalker)\n",
    );
    expect((await session.run('kubectl annotate --overwrite pod xwing description=x-wing')).stdout).toBe(
      'pod/xwing annotated\n',
    );
    expect((await session.run('kubectl annotate pod xwing owner- missing-')).stdout).toBe(
      'pod/xwing annotated\n',
    );
    expect(getObject(api, 'Pod', 'default/xwing')!.metadata.annotations).toEqual({ description: 'x-wing' });
  });

  it('annotates every object a selector or --all picks, and may always rewrite the change cause', async () => {
    const session = await demo();
    expect((await session.run('kubectl annotate pods -l org=empire fleet=imperial')).stdout).toMatch(
      /^(pod\/(deathstar-\S+|tiefighter) annotated\n){3}$/,
    );
    const cause = 'kubectl annotate deployment deathstar kubernetes.io/change-cause="scaled for the demo"';
    expect((await session.run(cause)).exitCode).toBe(0);
    expect((await session.run(cause.replace('scaled', 'rescaled'))).exitCode).toBe(0);
    const deployment = getObject(session.simulation.state.cluster!.api, 'Deployment', 'default/deathstar')!;
    expect(deployment.metadata.annotations?.['kubernetes.io/change-cause']).toBe('rescaled for the demo');
    expect((await session.run('kubectl annotate services --all team=ops')).stdout).toBe(
      'service/deathstar annotated\nservice/kubernetes annotated\n',
    );
  });

  it('answers malformed arguments and invalid keys as kubectl and the API server do', async () => {
    const session = await demo();
    expect((await session.run('kubectl annotate pod xwing a=1 =x')).stderr).toBe(
      'error: all resources must be specified before annotation changes: =x\n',
    );
    expect((await session.run('kubectl annotate pod xwing a=1 a-')).stderr).toBe(
      'error: can not both modify and remove the following annotation(s) in the same command: a\n',
    );
    expect((await session.run('kubectl annotate pod xwing')).stderr).toBe(
      'error: at least one annotation update is required\n',
    );
    expect((await session.run('kubectl annotate pod ywing a=1')).stderr).toBe(
      'Error from server (NotFound): pods "ywing" not found\n',
    );
    const invalid = await session.run("kubectl annotate pod xwing 'bad key=1'");
    expect(invalid.exitCode).toBe(1);
    expect(invalid.stderr).toBe(
      `The Pod "xwing" is invalid: metadata.annotations: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')\n`,
    );
    // Two bad keys: the server names both, and kubectl lists them one a line.
    // (A key starting with '-' is read as a flag, as pflag reads it.)
    expect((await session.run('kubectl annotate pod xwing -x=2')).stderr).toBe(
      "error: unknown shorthand flag: 'x' in -x=2\nSee 'kubectl annotate --help' for usage.\n",
    );
    const both = await session.run("kubectl annotate pod xwing 'bad key=1' 'Bad_/x=2'");
    expect(both.stderr.split('\n').slice(0, 3)).toEqual([
      'The Pod "xwing" is invalid: ',
      expect.stringMatching(/^\* metadata\.annotations: Invalid value: "bad key": name part must/),
      expect.stringMatching(
        /^\* metadata\.annotations: Invalid value: "Bad_\/x": prefix part a lowercase RFC 1123/,
      ),
    ]);
    expect(
      getObject(session.simulation.state.cluster!.api, 'Pod', 'default/xwing')!.metadata.annotations,
    ).toBeUndefined();
  });
});
