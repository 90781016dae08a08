import { describe, expect, it } from 'vitest';
import { renderJsonPath } from '../../../simulator/terminal/jsonpath';
import { TerminalSession } from '../../../simulator/terminal/session';
import { clusterWithCilium } from '../simulator/support';

// kubectl's JSONPath as the Cilium docs use it: filters pick the cilium pod of a node and the host
// endpoint's id (security/host-firewall).
const pods = {
  items: [
    { metadata: { name: 'cilium-a' }, spec: { nodeName: 'kind-control-plane' }, status: { ready: true } },
    { metadata: { name: 'cilium-b' }, spec: { nodeName: 'kind-worker' }, status: { ready: false } },
    { metadata: { name: 'cilium-c' }, spec: {}, status: { ready: true } },
  ],
};
const endpoints = [
  { id: 266, status: { identity: { id: 104 } } },
  { id: 1687, status: { identity: { id: 1 } } },
  { id: 3362, status: { identity: { id: 4 } } },
];

describe('kubectl JSONPath filters', () => {
  it('selects list items by a string field', () => {
    expect(renderJsonPath("{.items[?(@.spec.nodeName=='kind-worker')].metadata.name}", pods)).toEqual({
      ok: true,
      text: 'cilium-b',
    });
    // As in client-go, an item without the field is skipped whatever the operator.
    expect(renderJsonPath('{.items[?(@.spec.nodeName!="kind-worker")].metadata.name}', pods)).toEqual({
      ok: true,
      text: 'cilium-a',
    });
  });

  it('selects by number, boolean and presence, at the root too', () => {
    expect(renderJsonPath('{[?(@.status.identity.id==1)].id}', endpoints)).toEqual({
      ok: true,
      text: '1687',
    });
    expect(renderJsonPath('{[?(@.status.identity.id>100)].id}', endpoints)).toEqual({
      ok: true,
      text: '266',
    });
    expect(renderJsonPath('{.items[?(@.status.ready==true)].metadata.name}', pods)).toEqual({
      ok: true,
      text: 'cilium-a cilium-c',
    });
    expect(renderJsonPath('{.items[?(@.spec.nodeName)].metadata.name}', pods)).toEqual({
      ok: true,
      text: 'cilium-a cilium-b',
    });
  });

  it('reads a leading $ as the root, as the host firewall recovery command writes it', () => {
    expect(renderJsonPath('{$[0].id}', endpoints)).toEqual({ ok: true, text: '266' });
    expect(renderJsonPath('{$.items[1].metadata.name}', pods)).toEqual({ ok: true, text: 'cilium-b' });
  });

  it('works inside range and refuses a malformed filter with kubectl’s message', () => {
    expect(
      renderJsonPath('{range .items[?(@.status.ready==true)]}{.metadata.name}{"\\n"}{end}', pods),
    ).toEqual({ ok: true, text: 'cilium-a\ncilium-c\n' });
    const broken = renderJsonPath("{.items[?(@.spec.nodeName=='x'].metadata.name}", pods);
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.error).toMatch(/^error: error parsing jsonpath .*unrecognized character/);
  });
});

describe('the docs’ host policy troubleshooting commands', () => {
  it('grep a node label in custom columns (maps printed as Go prints them) and read the status', async () => {
    const session = new TerminalSession(clusterWithCilium(3, 1, '1.18.5'));
    await session.run('kubectl label node kind-worker type=ingress-worker');
    const columns = await session.run(
      'kubectl get nodes -o custom-columns=NAME:.metadata.name,LABELS:.metadata.labels,TAINTS:.spec.taints',
    );
    expect(columns.stdout).toMatch(
      /\nkind-worker +map\[beta\.kubernetes\.io\/arch:amd64 beta\.kubernetes\.io\/os:linux kubernetes\.io\/arch:amd64 kubernetes\.io\/hostname:kind-worker kubernetes\.io\/os:linux type:ingress-worker\] +<none>\n/,
    );
    expect(columns.stdout).toMatch(
      /kind-control-plane +map\[.*node-role\.kubernetes\.io\/control-plane: .*\] +\[map\[effect:NoSchedule key:node-role\.kubernetes\.io\/control-plane\]\]/,
    );
    const grepped = await session.run(
      'kubectl get nodes -o custom-columns=NAME:.metadata.name,LABELS:.metadata.labels | grep type:ingress-worker',
    );
    expect(grepped.stdout).toMatch(/^kind-worker /);
    const agent = Object.values(session.simulation.state.cluster?.cilium?.agents ?? {})[0]?.podName ?? '';
    const verbose = await session.run(`kubectl -n kube-system exec ${agent} -- cilium-dbg status --verbose`);
    expect(verbose.exitCode).toBe(0);
    expect(verbose.stdout).toContain('KVStore:');
    expect(verbose.stderr).toContain('not modelled');
  }, 60_000);
});
