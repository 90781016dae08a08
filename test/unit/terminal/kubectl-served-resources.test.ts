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
