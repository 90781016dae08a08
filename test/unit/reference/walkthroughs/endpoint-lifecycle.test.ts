import { describe, expect, it } from 'vitest';
import { walkthrough } from '../walkthrough';

// Goal: the endpoint lifecycle page's lab section (reference/endpoint-lifecycle) runs block by block
// on a kind cluster with Cilium 1.18.5: new endpoints end `ready`; a label change gives the endpoint
// a new identity; after an agent restart the pod is Ready while the restored endpoints are still
// `restoring` (the restore runs after the readiness probe passes), and they are `ready` again some
// seconds later; identity 5 is reserved:init, and the docs' init policy selects it.

/** `id<TAB>state` lines of the page's endpoint-state listing, as a map. */
const statesOf = (text: string): Map<string, string> =>
  new Map(
    text
      .split('\n')
      .filter((line) => line.includes('\t'))
      .map((line) => line.split('\t') as [string, string]),
  );

describe('reference: the endpoint lifecycle walkthrough, verbatim', () => {
  it('shows the states of new, relabelled and restored endpoints, and the init identity', async () => {
    const page = await walkthrough('endpoint-lifecycle');
    expect((await page.next('http-sw-app.yaml')).stdout).toContain('pod/xwing created\n');
    page.waits(30_000);
    const listed = await page.next('cilium-dbg endpoint list');
    expect(listed.stdout).toMatch(/^ENDPOINT +POLICY \(ingress\) +POLICY \(egress\) +IDENTITY +LABELS/);
    expect(listed.stdout).toMatch(/k8s:app\.kubernetes\.io\/name=xwing .* ready *$/m);
    const before = (await page.next('{[0].status.state} {[0].status.identity.id}')).stdout;
    expect(before).toMatch(/^ready \d+\n$/);
    expect((await page.next('kubectl label pod xwing')).stdout).toBe('pod/xwing labeled\n');
    const after = (await page.next('{[0].status.state} {[0].status.identity.id}')).stdout;
    expect(after).toMatch(/^ready \d+\n$/);
    expect(after).not.toBe(before);

    const restart = await page.next('rollout restart ds/cilium');
    expect(restart.stdout).toContain('daemon set "cilium" successfully rolled out\n');
    const restoring = statesOf(restart.stdout);
    expect(restoring.size).toBeGreaterThan(3);
    expect([...restoring.values()].filter((state) => state === 'restoring').length).toBeGreaterThan(3);
    const settled = statesOf((await page.next('sleep 15')).stdout);
    expect(new Set(settled.values())).toEqual(new Set(['ready']));
    expect([...settled.keys()]).toEqual([...restoring.keys()]);

    expect((await page.next('cilium-dbg identity get 5')).stdout).toBe('ID   LABELS\n5    reserved:init\n');
    const init = await page.next('policies/l4/init.yaml');
    expect(init.stdout).toMatch(/^ciliumclusterwidenetworkpolicy\.cilium\.io\/init created\n\[/);
    expect(init.stdout).toContain('"reserved:init": ""');
    page.finish();
  }, 120_000);
});
