import { describe, expect, it } from 'vitest';
import { endpointsLabelled, walkthrough } from '../walkthrough';

// Goal: the endpoint lifecycle page's lab section (reference/endpoint-lifecycle) runs block by block
// on a kind cluster with Cilium 1.18.5: new endpoints end `ready`; a label change gives the endpoint
// a new identity; after an agent restart the pod is Ready while the restored endpoints are still
// `restoring` (the restore runs after the readiness probe passes), and they are `ready` again some
// seconds later; identity 5 is reserved:init, and the docs' init policy selects it. A pod started
// while the agent is cut off from the API server (and the kubelet is not) gets an endpoint at
// reserved:init, identity 5, that the init policy confines to DNS, with no CiliumEndpoint; once the
// agent reaches the API server again the endpoint gets its pod's identity and the policy lets go.
// The agent's own endpoints are listed with identities 1 (host) and 4 (health); after the restart
// the host endpoint is restored like the pods' (its new log begins at restoring), while the health
// endpoint is not restored but launched anew with another id, its log beginning with its creation.

/** `id<TAB>state` lines of the page's endpoint-state listing, as a map. */
const statesOf = (text: string): Map<string, string> =>
  new Map(
    text
      .split('\n')
      .filter((line) => line.includes('\t'))
      .map((line) => line.split('\t') as [string, string]),
  );

/** The State and Message columns of `cilium-dbg endpoint log`, oldest first. */
const oldestFirst = (text: string): string[] =>
  text
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((line) => line.split(/ {3,}/).slice(2).join(' | '))
    .reverse();

/** The host endpoint's id in the page's listings, which the reader replaces with their own. */
const docsHostId = '123';

describe('reference: the endpoint lifecycle walkthrough, verbatim', () => {
  it('shows the states of new, relabelled and restored endpoints, and the init identity', async () => {
    const page = await walkthrough('endpoint-lifecycle');
    expect((await page.next('http-sw-app.yaml')).stdout).toContain('pod/xwing created\n');
    page.waits(30_000);
    const listed = await page.next('cilium-dbg endpoint list');
    expect(listed.stdout).toMatch(/^ENDPOINT +POLICY \(ingress\) +POLICY \(egress\) +IDENTITY +LABELS/);
    expect(listed.stdout).toMatch(/k8s:app\.kubernetes\.io\/name=xwing .* ready *$/m);
    // The agent's own endpoints are listed with their reserved identities, ready like the pods'.
    const [host] = endpointsLabelled(listed.stdout, 'reserved:host');
    const [health] = endpointsLabelled(listed.stdout, 'reserved:health');
    expect(host?.identity).toBe(1);
    expect(health?.identity).toBe(4);
    expect(listed.stdout).toMatch(new RegExp(`^${host?.id} +\\S+ +\\S+ +1 +.* ready *$`, 'm'));
    expect(listed.stdout).toMatch(
      new RegExp(`^${health?.id} +\\S+ +\\S+ +4 +reserved:health +10\\.244\\.\\d+\\.\\d+ +ready *$`, 'm'),
    );
    const hostId = String(host?.id);
    const oldHealthId = String(health?.id);
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
    // The host endpoint is restored like the pods'; the old health endpoint is not restored at all.
    expect(restoring.get(hostId)).toBe('restoring');
    expect(restoring.has(oldHealthId)).toBe(false);
    const settled = statesOf((await page.next('sleep 15')).stdout);
    expect(new Set(settled.values())).toEqual(new Set(['ready']));
    const newHealthIds = [...settled.keys()].filter((id) => !restoring.has(id));
    expect(newHealthIds).toHaveLength(1);
    expect(newHealthIds[0]).not.toBe(oldHealthId);
    expect([...settled.keys()].filter((id) => restoring.has(id))).toEqual([...restoring.keys()]);
    // The new health endpoint's log starts with its creation after the restart, its states in order.
    const healthLog = await page.next('endpoint get -l reserved:health');
    expect(oldestFirst(healthLog.stdout)).toEqual([
      'waiting-for-identity | Endpoint creation',
      'ready | Set identity for this endpoint',
      'waiting-to-regenerate | Triggering endpoint regeneration due to updated security labels',
      'regenerating | Regenerating endpoint: updated security labels',
      'ready | Completed endpoint regeneration with no pending regeneration requests',
      'ready | Successfully regenerated endpoint program (Reason: updated security labels)',
    ]);
    const hostLog = await page.next(`endpoint log ${docsHostId}`, 'main', { [docsHostId]: hostId });
    expect(oldestFirst(hostLog.stdout)).toEqual([
      'restoring | Endpoint restoring',
      'restoring | Restoring endpoint from previous cilium instance',
      'restoring | Synchronizing endpoint labels with KVStore',
      'regenerating | Regenerating endpoint: syncing state to host',
      'ready | Completed endpoint regeneration with no pending regeneration requests',
      'ready | Successfully regenerated endpoint program (Reason: syncing state to host)',
    ]);

    expect((await page.next('cilium-dbg identity get 5')).stdout).toBe('ID   LABELS\n5    reserved:init\n');
    const init = await page.next('policies/l4/init.yaml');
    expect(init.stdout).toMatch(/^ciliumclusterwidenetworkpolicy\.cilium\.io\/init created\n\[/);
    expect(init.stdout).toContain('"reserved:init": ""');

    expect((await page.next('iptables -t mangle -A OUTPUT')).exitCode).toBe(0);
    const started = await page.next('name: newcomer');
    expect(started.stdout).toContain('pod/newcomer created\npod/newcomer condition met\n');
    const initRow = started.stdout.split('\n').find((line) => line.includes('reserved:init'));
    expect(initRow).toMatch(/^\d+ +Enabled +Enabled +5 +reserved:init +10\.244\.\d+\.\d+ +ready *$/);
    expect(started.stdout).not.toContain('k8s:app.kubernetes.io/name=newcomer');
    const confined = await page.next('nslookup deathstar');
    expect(confined.stdout).toMatch(
      /Name:\tdeathstar\.default\.svc\.cluster\.local\nAddress: 10\.96\.\d+\.\d+\n/,
    );
    expect(confined.stdout).not.toContain('Ship landed');
    expect(confined.stderr).toContain('command terminated with exit code 28\n');
    expect(confined.stderr).toContain(
      'Error from server (NotFound): ciliumendpoints.cilium.io "newcomer" not found\n',
    );

    const healed = await page.next('iptables -t mangle -D OUTPUT');
    const [stateAndIdentity = '', landing = ''] = healed.stdout.split('\n');
    expect(stateAndIdentity).toMatch(/^ready \d+/);
    expect(Number(stateAndIdentity.split(' ')[1])).toBeGreaterThanOrEqual(256);
    expect(landing).toBe('Ship landed');
    page.finish();
  }, 120_000);
});
