import { describe, expect, it } from 'vitest';
import { exhaustPortPanic } from '../../../../simulator/k8s/demo-apps/deathstar';
import { endpointsLabelled, walkthrough } from '../walkthrough';

// Goal: the Star Wars walkthrough (reference/http-aware-policy, after the docs' gettingstarted/demo)
// runs block by block as the page writes it and gives the docs' results: both ships land with no
// policy; with the L3/L4 rule1 the xwing's request is dropped and times out while the tiefighter
// lands; with the L7 rule1 the tiefighter still lands but its PUT /v1/exhaust-port gets Envoy's
// `Access denied`, and a monitor in a second terminal shows both requests with their verdicts.

const landing = 'Ship landed\n';

describe('reference: the Star Wars walkthrough, verbatim', () => {
  it('deploys the demo, enforces rule1 at L3/L4 then at L7, and shows the L7 verdicts live', async () => {
    const page = await walkthrough('http-aware-policy');
    const deployed = await page.next('http-sw-app.yaml');
    expect(deployed.stdout).toBe(
      'service/deathstar created\ndeployment.apps/deathstar created\npod/tiefighter created\npod/xwing created\n',
    );
    page.waits(30_000);
    const listed = await page.next('kubectl get pods,svc');
    expect(listed.stdout).toMatch(/^pod\/deathstar-[a-z0-9]+-[a-z0-9]{5} +1\/1 +Running/m);
    expect(listed.stdout.match(/^pod\/deathstar-/gm)).toHaveLength(2);
    expect(listed.stdout).toMatch(/^service\/deathstar +ClusterIP +10\.96\.\d+\.\d+ +<none> +80\/TCP/m);
    const agents = await page.next('kubectl -n kube-system get pods -l k8s-app=cilium');
    expect(agents.stdout).toMatch(/^NAME +READY +STATUS +RESTARTS +AGE\ncilium-[a-z0-9]{5} +1\/1 +Running/);
    const before = await page.next('cilium-dbg endpoint list');
    // Both replicas share one identity, and nothing is enforced yet.
    const deathstars = endpointsLabelled(before.stdout, 'k8s:class=deathstar');
    expect(deathstars).toHaveLength(2);
    expect(new Set(deathstars.map((endpoint) => endpoint.identity)).size).toBe(1);
    for (const endpoint of deathstars)
      expect([endpoint.ingress, endpoint.egress]).toEqual(['Disabled', 'Disabled']);

    const open = await page.next('kubectl exec xwing');
    expect(open).toMatchObject({ stdout: landing + landing, exitCode: 0 });

    const l3 = await page.next('sw_l3_l4_policy.yaml');
    expect(l3.stdout).toBe('ciliumnetworkpolicy.cilium.io/rule1 created\n');
    page.waits(5000);
    expect(await page.next('kubectl exec tiefighter')).toMatchObject({ stdout: landing, exitCode: 0 });
    // The xwing's packets are dropped: curl prints nothing (-s) and ends with its timeout status.
    const dropped = await page.next('kubectl exec xwing');
    expect(dropped.stdout).toBe('');
    expect(dropped.exitCode).not.toBe(0);
    expect(dropped.stderr).toMatch(/command terminated with exit code (7|28)\n$/);

    const enforced = await page.next('cilium-dbg endpoint list');
    for (const endpoint of endpointsLabelled(enforced.stdout, 'k8s:class=deathstar'))
      expect([endpoint.ingress, endpoint.egress]).toEqual(['Enabled', 'Disabled']);
    for (const endpoint of endpointsLabelled(enforced.stdout, 'k8s:class=xwing'))
      expect([endpoint.ingress, endpoint.egress]).toEqual(['Disabled', 'Disabled']);
    expect((await page.next('kubectl get cnp')).stdout).toMatch(/^NAME +AGE +VALID\nrule1 +\S+ +True\n$/);
    const described = await page.next('kubectl describe cnp rule1');
    expect(described.stdout).toContain(
      'Description:  L3-L4 policy to restrict deathstar access to empire ships only',
    );

    const panic = await page.next('/v1/exhaust-port');
    expect(panic.stdout).toBe(exhaustPortPanic);

    const l7 = await page.next('sw_l3_l4_l7_policy.yaml');
    expect(l7.stdout).toBe('ciliumnetworkpolicy.cilium.io/rule1 configured\n');
    page.waits(5000);
    expect(await page.next('-XPOST')).toMatchObject({ stdout: landing, exitCode: 0 });
    expect(await page.next('-XPUT')).toMatchObject({ stdout: 'Access denied\r\n', exitCode: 0 });
    const stillDropped = await page.next('kubectl exec xwing');
    expect(stillDropped.stdout).toBe('');
    expect(stillDropped.exitCode).not.toBe(0);

    const describedL7 = await page.next('kubectl describe ciliumnetworkpolicies');
    expect(describedL7.stdout).toMatch(/Rules:\n +Http:\n +Method: +POST\n +Path: +\/v1\/request-landing\n/);
    const agentView = await page.next('cilium-dbg policy get');
    expect(agentView.stdout).toContain('"any:class": "deathstar"');
    expect(agentView.stdout).toContain('"path": "/v1/request-landing"');

    // In a second terminal the monitor runs until Ctrl-C; the reader then repeats the two requests.
    const monitor = await page.next('cilium-dbg monitor -v --type l7', 'second');
    expect(monitor.stderr).toContain('Press Ctrl-C to quit');
    expect(page.window('second').running).toContain('cilium-dbg monitor');
    await page
      .window('main')
      .run(
        'kubectl exec tiefighter -- curl -s -XPOST deathstar.default.svc.cluster.local/v1/request-landing',
      );
    await page
      .window('main')
      .run('kubectl exec tiefighter -- curl -s -XPUT deathstar.default.svc.cluster.local/v1/exhaust-port');
    const events = page.window('second').poll().stdout;
    expect(events).toMatch(
      /^<- Request http from 0 \(\[[^\]]*k8s:class=tiefighter[^\]]*\]\) to \d+ \(\[[^\]]*k8s:class=deathstar[^\]]*\]\), identity \d+->\d+, verdict Forwarded POST http:\/\/deathstar\.default\.svc\.cluster\.local\/v1\/request-landing => 0$/m,
    );
    expect(events).toMatch(
      /^<- Response http to 0 \(\[[^\]]*k8s:class=tiefighter[^\]]*\]\) from \d+ \(\[[^\]]*\]\), identity \d+->\d+, verdict Forwarded POST http:\/\/deathstar\.default\.svc\.cluster\.local\/v1\/request-landing => 200$/m,
    );
    expect(events).toMatch(
      /verdict Denied PUT http:\/\/deathstar\.default\.svc\.cluster\.local\/v1\/exhaust-port => 403$/m,
    );
    page.window('second').cancel();
    expect(page.window('second').poll().stderr).toContain(
      'Received an interrupt, disconnecting from monitor...',
    );

    const cleaned = await page.next('kubectl delete -f');
    expect(cleaned.stdout).toContain('ciliumnetworkpolicy.cilium.io "rule1" deleted');
    page.finish();
  }, 120_000);
});
