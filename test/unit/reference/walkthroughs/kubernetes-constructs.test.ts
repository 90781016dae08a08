import { describe, expect, it } from 'vitest';
import { walkthrough } from '../walkthrough';

// Goal: the two demos of the Kubernetes-constructs page (reference/kubernetes-constructs, after the
// docs' security/policy/kubernetes) run as the page writes them and give the page's results: across
// namespaces, luke-pod in ns2 reaches leia in ns1 and vader-pod does not; by service account, luke
// may GET /public from leia and nothing else, and vader gets nothing at all.

describe('reference: the Kubernetes-constructs demos, verbatim', () => {
  it('selects peers by namespace, then by service account', async () => {
    const page = await walkthrough('kubernetes-constructs');
    const main = page.window('main');
    const namespaces = await page.next('namespace/demo-pods.yaml');
    expect(namespaces.stdout).toContain(
      'ciliumnetworkpolicy.cilium.io/k8s-expose-across-namespace created\n',
    );
    page.waits(30_000);
    const luke = await main.run('kubectl -n ns2 exec luke-pod -- curl -s --max-time 5 leia.ns1');
    expect(luke).toMatchObject({ exitCode: 0 });
    expect(luke.stdout).toContain('JSON Server');
    const vader = await main.run('kubectl -n ns2 exec vader-pod -- curl -s --max-time 5 leia.ns1');
    expect(vader.exitCode).toBe(28);

    const accounts = await page.next('serviceaccount/demo-pods.yaml');
    expect(accounts.stdout).toContain('ciliumnetworkpolicy.cilium.io/k8s-svc-account created\n');
    page.waits(30_000);
    const read = await main.run('kubectl exec luke-pod -- curl -s --max-time 5 leia/public');
    expect(JSON.parse(read.stdout)).toEqual([{ id: 1, body: 'public information' }]);
    expect((await main.run('kubectl exec luke-pod -- curl -s --max-time 5 leia/private')).stdout).toBe(
      'Access denied\r\n',
    );
    expect((await main.run('kubectl exec vader-pod -- curl -s --max-time 5 leia/public')).exitCode).toBe(28);
    page.finish();
  }, 120_000);
});
