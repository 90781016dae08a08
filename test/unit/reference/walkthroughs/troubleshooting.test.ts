import { describe, expect, it } from 'vitest';
import { walkthrough } from '../walkthrough';

// Goal: the troubleshooting page (reference/troubleshooting, after the docs'
// security/policy/troubleshooting) runs block by block in the agent's shell, on the Star Wars demo
// with the L7 rule1 and the DNS demo with dns-matchname in place (the pages it refers to): the
// docs' one-liner lists rule1's labels but, on 1.18, hands `policy get` one comma-joined argument
// that matches nothing; the page's variant fetches rule1; the FQDN cache and the ipcache show what
// the DNS proxy learnt.

const examples = 'https://raw.githubusercontent.com/cilium/cilium/1.18.5/examples';

describe('reference: the troubleshooting walkthrough, verbatim', () => {
  it('finds the rules behind an endpoint and the addresses behind a name', async () => {
    const page = await walkthrough('troubleshooting');
    const main = page.window('main');
    // Where the reader comes from: the Star Wars demo with its L7 rule, the DNS demo with a lookup.
    await main.run(`kubectl create -f ${examples}/minikube/http-sw-app.yaml`);
    page.waits(30_000);
    await main.run(`kubectl apply -f ${examples}/minikube/sw_l3_l4_l7_policy.yaml`);
    await main.run(`kubectl create -f ${examples}/kubernetes-dns/dns-sw-app.yaml`);
    page.waits(30_000);
    await main.run(`kubectl apply -f ${examples}/kubernetes-dns/dns-matchname.yaml`);
    page.waits(5000);
    expect(
      (await main.run('kubectl exec mediabot -- curl -I -s https://api.github.com | head -1')).stdout,
    ).toBe('HTTP/2 200 \r\n');
    const deathstar = (
      await main.run("kubectl get pods -l class=deathstar -o jsonpath='{.items[0].metadata.name}'")
    ).stdout;
    const endpointId = (await main.run(`kubectl get cep ${deathstar} -o jsonpath='{.status.id}'`)).stdout;
    expect(endpointId).toMatch(/^\d+$/);
    const ourEndpoint = { '568': endpointId };

    await page.next('-- /bin/bash');
    expect(main.prompt).toMatch(/^root@kind-(control-plane|worker\d*):\/home\/cilium# $/);
    // The page's run buttons look a deathstar's endpoint up this way in place of the docs' 568.
    const lookup = "$(cilium-dbg endpoint list | awk '/name=deathstar/ {print $1; exit}')";

    const docsOneLiner = await page.next('l4.ingress[*].derived-from-rules}', 'main', ourEndpoint);
    expect(docsOneLiner.stdout).toMatch(
      /^Labels: k8s:io\.cilium\.k8s\.policy\.derived-from=CiliumNetworkPolicy,k8s:io\.cilium\.k8s\.policy\.name=rule1,k8s:io\.cilium\.k8s\.policy\.namespace=default,k8s:io\.cilium\.k8s\.policy\.uid=[0-9a-f-]{36}\n$/,
    );
    expect(docsOneLiner.stderr).toBe(
      'Error: Cannot get policy: [GET /policy][404] getPolicyNotFound  Policy not found\n',
    );
    // The deathstar has no egress policy, so nothing is listed.
    expect(await page.next('l4.egress[*].derived-from-rules}', 'main', ourEndpoint)).toMatchObject({
      stdout: '',
      exitCode: 0,
    });
    const variant = await page.next('derived-from-rules[*]}', 'main', ourEndpoint);
    expect(variant.stdout).toMatch(
      /^Labels: k8s:io\.cilium\.k8s\.policy\.derived-from=CiliumNetworkPolicy k8s:io\.cilium\.k8s\.policy\.name=rule1 /,
    );
    expect(variant.stdout).toContain('"path": "/v1/request-landing"');
    expect(variant.stdout).toMatch(/\nRevision: \d+\n$/);
    const byButton = await main.run(variant.block.text.replace(' 568 ', ` ${lookup} `));
    expect(byButton.stdout.split('\n')[0]).toBe(variant.stdout.split('\n')[0]);

    const cache = await page.next('cilium-dbg fqdn cache list');
    expect(cache.stdout).toMatch(
      /^Endpoint +Source +FQDN +TTL +ExpirationTime +IPs\n\d+ +lookup +api\.github\.com\. +\d+ +\S+ +140\.82\.121\.6\n$/,
    );
    const identities = await page.next('cilium-dbg ip list | grep -A 1 140.82.121.6');
    expect(identities.stdout.split('\n')[0]).toMatch(/^140\.82\.121\.6\/32 /);
    expect(identities.stdout).toMatch(/fqdn:api\.github\.com/);
    page.finish();
  }, 120_000);
});
