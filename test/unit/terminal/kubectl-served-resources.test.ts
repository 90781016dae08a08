// Goal: every kubectl verb maps a resource name through what the cluster's API server serves, as
// kubectl's discovery does (k8s.io/cli-runtime/pkg/resource/builder.go at v0.33.0): on a kind
// cluster without Cilium, Cilium's kinds are unknown to get, describe, label, wait, rollout and
// scale alike, with kubectl's own message naming the type as typed; once Cilium's operator has
// registered its CRDs, the Cilium docs' own commands work.
import { describe, expect, it } from 'vitest';
import { TerminalSession } from '../../../simulator/terminal/session';
import { clusterWithCilium } from '../simulator/support';
import { ciliumExampleUrl } from '../cilium-examples';
import { kindShell } from './kubectl-support';

const unknownType = (name: string): { stdout: string; stderr: string; exitCode: number } => ({
  stdout: '',
  stderr: `error: the server doesn't have a resource type "${name}"\n`,
  exitCode: 1,
});

describe('kubectl on a cluster without Cilium', () => {
  const cases: readonly [string, string][] = [
    ['kubectl get cnp', 'cnp'],
    ['kubectl get ciliumendpoints -A', 'ciliumendpoints'],
    ['kubectl describe cnp rule1', 'cnp'],
    ['kubectl describe ciliumnetworkpolicies.cilium.io/rule1', 'ciliumnetworkpolicies.cilium.io'],
    ['kubectl label ciliumnetworkpolicies rule1 team=empire', 'ciliumnetworkpolicies'],
    ['kubectl wait --for=delete cnp/rule1 --timeout=1s', 'cnp'],
    ['kubectl rollout status ciliumnode/kind-worker', 'ciliumnode'],
    ['kubectl scale ccnp/x --replicas=1', 'ccnp'],
    ['kubectl get virtualservices,pods', 'virtualservices'],
  ];
  for (const [command, typed] of cases)
    it(`${command}: the server has no such resource type`, async () => {
      const session = kindShell();
      expect(await session.run(command)).toEqual(unknownType(typed));
    });

  it('still knows the built-in kinds by every name', async () => {
    const session = kindShell();
    const result = await session.run('kubectl describe no kind-control-plane');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Name:\s+kind-control-plane$/m);
    expect((await session.run('kubectl label ns default team=x')).stdout).toBe('namespace/default labeled\n');
  });
});

describe("the Cilium docs' commands once Cilium is installed", () => {
  async function withRule1(): Promise<TerminalSession> {
    const simulation = clusterWithCilium(5, 1, '1.18.5');
    const session = new TerminalSession(simulation);
    await session.run(`kubectl create -f ${ciliumExampleUrl('minikube/http-sw-app.yaml')}`);
    simulation.advance(30_000);
    await session.run(`kubectl create -f ${ciliumExampleUrl('minikube/sw_l3_l4_policy.yaml')}`);
    simulation.advance(5_000);
    return session;
  }

  it('kubectl get cnp lists rule1 with its CRD columns', async () => {
    const session = await withRule1();
    const result = await session.run('kubectl get cnp');
    expect(result.exitCode).toBe(0);
    const [header, row] = result.stdout.trimEnd().split('\n');
    expect(header?.split(/\s{2,}/)).toEqual(['NAME', 'AGE', 'VALID']);
    expect(row?.split(/\s{2,}/)).toEqual(['rule1', '5s', 'True']);
  }, 60_000);

  it('kubectl get ciliumendpoints -A lists every endpoint with its namespace', async () => {
    const session = await withRule1();
    const result = await session.run('kubectl get ciliumendpoints -A');
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]?.split(/\s{2,}/)).toEqual([
      'NAMESPACE',
      'NAME',
      'SECURITY IDENTITY',
      'ENDPOINT STATE',
      'IPV4',
      'IPV6',
    ]);
    const names = lines.slice(1).map((line) => line.split(/\s+/).slice(0, 2).join('/'));
    expect(names).toEqual(expect.arrayContaining(['default/tiefighter', 'default/xwing']));
    for (const line of lines.slice(1)) expect(line).toMatch(/\bready\s+10\.\d+\.\d+\.\d+$/);
  }, 60_000);

  it('kubectl describe cnp rule1 describes the policy', async () => {
    const session = await withRule1();
    const result = await session.run('kubectl describe cnp rule1');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Name:\s+rule1$/m);
    expect(result.stdout).toMatch(/^Kind:\s+CiliumNetworkPolicy$/m);
    expect(result.stdout).toMatch(/^API Version:\s+cilium\.io\/v2$/m);
  }, 60_000);
});

// Goal: `kubectl api-resources` and `kubectl api-versions` list what the same discovery serves,
// with kubectl v1.33's columns, filters and order (apiresources.go, print_flags.go): the group
// then the name, installed CRDs with their short names and categories, nothing of Cilium before
// it is installed.
describe('kubectl api-resources and api-versions', () => {
  const rows = (stdout: string): string[][] =>
    stdout
      .trimEnd()
      .split('\n')
      .map((line) => line.trim().split(/\s{2,}/));

  it('lists the built-in kinds by group, then name, on a cluster without Cilium', async () => {
    const session = kindShell();
    const result = await session.run('kubectl api-resources');
    expect(result.exitCode).toBe(0);
    const table = rows(result.stdout);
    expect(table[0]).toEqual(['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
    expect(table.slice(1, 4)).toEqual([
      ['configmaps', 'cm', 'v1', 'true', 'ConfigMap'],
      ['endpoints', 'ep', 'v1', 'true', 'Endpoints'],
      ['namespaces', 'ns', 'v1', 'false', 'Namespace'],
    ]);
    const names = table.slice(1).map((row) => row[0]);
    expect(names.indexOf('services')).toBeLessThan(names.indexOf('customresourcedefinitions'));
    expect(names.indexOf('replicasets')).toBeLessThan(names.indexOf('jobs'));
    expect(result.stdout).not.toMatch(/cilium/);
    expect((await session.run('kubectl api-versions')).stdout).toBe(
      'apiextensions.k8s.io/v1\napps/v1\nbatch/v1\nnetworking.k8s.io/v1\nrbac.authorization.k8s.io/v1\nv1\n',
    );
  });

  it('filters by group, scope and verbs, and prints names with their group', async () => {
    const session = kindShell();
    expect((await session.run('kubectl api-resources -o name --api-group=apps')).stdout).toBe(
      'controllerrevisions.apps\ndaemonsets.apps\ndeployments.apps\nreplicasets.apps\n',
    );
    expect((await session.run('kubectl api-resources --api-group= -o name --namespaced=false')).stdout).toBe(
      'namespaces\nnodes\n',
    );
    const noCollection = await session.run(
      'kubectl api-resources --namespaced=false --verbs=deletecollection,get -o name',
    );
    expect(noCollection.stdout).not.toContain('namespaces');
    expect(noCollection.stdout).toContain('nodes\n');
    const byKind = (await session.run('kubectl api-resources --sort-by=kind --no-headers')).stdout;
    expect(
      byKind
        .split('\n')
        .slice(0, 3)
        .map((line) => line.split(' ')[0]),
    ).toEqual(['clusterroles', 'clusterrolebindings', 'configmaps']);
  });

  it("refuses what kubectl refuses, in kubectl's words", async () => {
    const session = kindShell();
    expect(await session.run('kubectl api-resources pods')).toEqual({
      stdout: '',
      stderr: "error: unexpected arguments: [pods]\nSee 'kubectl api-resources -h' for help and examples\n",
      exitCode: 1,
    });
    expect((await session.run('kubectl api-resources --namespaced=maybe')).stderr).toBe(
      'error: invalid argument "maybe" for "--namespaced" flag: strconv.ParseBool: parsing "maybe": invalid syntax\n',
    );
    expect((await session.run('kubectl api-resources -o json')).stderr).toBe(
      'error: --output json is not available\n',
    );
    expect((await session.run('kubectl api-resources --sort-by=group')).stderr).toBe(
      'error: --sort-by accepts only name or kind\n',
    );
  });

  it("lists Cilium's CRDs with short names, verbs and categories once Cilium is installed", async () => {
    const session = new TerminalSession(clusterWithCilium(5, 1, '1.18.5'));
    const wide = rows((await session.run('kubectl api-resources --api-group=cilium.io -o wide')).stdout);
    expect(wide[0]).toEqual([
      'NAME',
      'SHORTNAMES',
      'APIVERSION',
      'NAMESPACED',
      'KIND',
      'VERBS',
      'CATEGORIES',
    ]);
    expect(wide.find((row) => row[0] === 'ciliumnetworkpolicies')).toEqual([
      'ciliumnetworkpolicies',
      'cnp,ciliumnp',
      'cilium.io/v2',
      'true',
      'CiliumNetworkPolicy',
      'delete,deletecollection,get,list,patch,create,update,watch',
      'cilium,ciliumpolicy',
    ]);
    expect((await session.run('kubectl api-resources --categories=ciliumpolicy -o name')).stdout).toBe(
      'ciliumclusterwidenetworkpolicies.cilium.io\nciliumnetworkpolicies.cilium.io\n',
    );
    expect((await session.run('kubectl api-versions')).stdout).toContain(
      'batch/v1\ncilium.io/v2\nnetworking.k8s.io/v1\n',
    );
  }, 60_000);
});
