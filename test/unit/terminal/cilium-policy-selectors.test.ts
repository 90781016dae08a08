import { describe, expect, it } from 'vitest';
import { TerminalSession } from '../../../simulator/terminal/session';
import { clusterWithCilium } from '../simulator/support';

// Goal: `cilium-dbg policy selectors` shows the agent's selector cache as a reader checks it: each
// peer selector of the rules that select the node's pods, in Cilium's own selector notation, the
// policy it comes from, its users and the identities it selects now (cilium-dbg/cmd/
// policy_selectors.go and pkg/policy/selectorcache.go at v1.18); an unknown flag gets pflag's
// error. Every case builds its own one-node cluster with Cilium 1.18.5 and the Star Wars demo.

const examples = 'https://raw.githubusercontent.com/cilium/cilium/1.18.5/examples';
const agent = (command: string): string => `kubectl -n kube-system exec ds/cilium -- cilium-dbg ${command}`;

async function starWars(policy?: string): Promise<TerminalSession> {
  const simulation = clusterWithCilium(5, 1, '1.18.5');
  const session = new TerminalSession(simulation);
  await session.run(`kubectl create -f ${examples}/minikube/http-sw-app.yaml`);
  simulation.advance(30_000);
  if (policy !== undefined) {
    await session.run(`kubectl create -f ${examples}/minikube/${policy}`);
    simulation.advance(5_000);
  }
  return session;
}

/** The identity of the pods with a label, from their CiliumEndpoints. */
async function identityOf(session: TerminalSession, label: string): Promise<number[]> {
  const out = await session.run(`kubectl get cep -l ${label} -o jsonpath='{.items[*].status.identity.id}'`);
  return [...new Set(out.stdout.trim().split(' ').map(Number))].sort((a, b) => a - b);
}

describe('cilium-dbg policy selectors', () => {
  it('is empty while no rule selects a pod', async () => {
    const session = await starWars();
    const result = await session.run(agent('policy selectors'));
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('SELECTOR   LABELS   USERS   IDENTITIES\n');
  }, 60_000);

  it("lists rule1's fromEndpoints selector with the empire's identities", async () => {
    const session = await starWars('sw_l3_l4_policy.yaml');
    const result = await session.run(agent('policy selectors'));
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SELECTOR +LABELS +USERS +IDENTITIES$/);
    const selector =
      '&LabelSelector{MatchLabels:map[string]string{any.org: empire,k8s.io.kubernetes.pod.namespace: default,},MatchExpressions:[]LabelSelectorRequirement{},}';
    const empire = await identityOf(session, 'org=empire');
    expect(lines[1]?.trimEnd().split(/ {3,}/)).toEqual([selector, 'default/rule1', '1', String(empire[0])]);
    expect(lines.slice(2).map((line) => line.trim())).toEqual(empire.slice(1).map(String));
  }, 60_000);

  it('gives the full rule labels with -v and the API models with -o json', async () => {
    const session = await starWars('sw_l3_l4_policy.yaml');
    const verbose = await session.run(agent('policy selectors -v'));
    expect(verbose.stdout).toContain(
      '[[k8s:io.cilium.k8s.policy.derived-from=CiliumNetworkPolicy k8s:io.cilium.k8s.policy.name=rule1 k8s:io.cilium.k8s.policy.namespace=default k8s:io.cilium.k8s.policy.uid=',
    );
    const models = JSON.parse((await session.run(agent('policy selectors -o json'))).stdout) as {
      identities: number[];
      selector: string;
      users: number;
    }[];
    expect(models).toHaveLength(1);
    expect(models[0]?.identities).toEqual(await identityOf(session, 'org=empire'));
    expect(models[0]?.users).toBe(1);
  }, 60_000);

  it('prints the API models with -o yaml as yaml.v3 marshals them, then an empty line', async () => {
    const session = await starWars('sw_l3_l4_policy.yaml');
    const result = await session.run(agent('policy selectors -o yaml'));
    expect(result.exitCode).toBe(0);
    const empire = await identityOf(session, 'org=empire');
    const uid = /k8s:io\.cilium\.k8s\.policy\.uid=([\w-]+)/.exec(
      (await session.run(agent('policy selectors -v'))).stdout,
    )?.[1];
    expect(result.stdout).toBe(
      [
        '- identities:',
        ...empire.map((id) => `    - ${id}`),
        '  labels:',
        '    - - key: io.cilium.k8s.policy.derived-from',
        '        source: k8s',
        '        value: CiliumNetworkPolicy',
        '      - key: io.cilium.k8s.policy.name',
        '        source: k8s',
        '        value: rule1',
        '      - key: io.cilium.k8s.policy.namespace',
        '        source: k8s',
        '        value: default',
        '      - key: io.cilium.k8s.policy.uid',
        '        source: k8s',
        `        value: ${uid ?? ''}`,
        '  selector: "&LabelSelector{MatchLabels:map[string]string{any.org: empire,k8s.io.kubernetes.pod.namespace: default,},MatchExpressions:[]LabelSelectorRequirement{},}"',
        '  users: 1',
        '',
        '',
      ].join('\n'),
    );
  }, 60_000);

  it('refuses an unknown flag with pflag’s error', async () => {
    const session = await starWars();
    const result = await session.run(agent('policy selectors --top'));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe('Error: unknown flag: --top\ncommand terminated with exit code 1\n');
    expect(result.stdout).toMatch(/^Usage:\n {2}cilium-dbg policy selectors \[flags\]\n/);
  }, 60_000);
});
