import { describe, expect, it } from 'vitest';
import { walkthrough } from '../walkthrough';

// Goal: the DNS walkthrough (reference/dns-based-policy, after the docs' security/dns) runs block by
// block as the page writes it: with matchName only api.github.com is reachable; with matchPattern
// every single-label subdomain of github.com is, but not github.com itself; with the port rule only
// HTTPS is. Refused names resolve (the DNS rule allows every query) and their connections time out.

const timedOut = { stdout: '', stderr: 'command terminated with exit code 28\n' };

describe('reference: the DNS-based policy walkthrough, verbatim', () => {
  it('allows by name, then by pattern, then by name and port', async () => {
    const page = await walkthrough('dns-based-policy');
    const deployed = await page.next('dns-sw-app.yaml');
    expect(deployed.stdout).toMatch(/^pod\/mediabot created\npod\/mediabot condition met\nNAME /);
    expect(deployed.stdout).toMatch(/^mediabot +1\/1 +Running/m);

    expect((await page.next('dns-matchname.yaml')).stdout).toBe(
      'ciliumnetworkpolicy.cilium.io/fqdn created\n',
    );
    page.waits(5000);
    expect((await page.next('https://api.github.com')).stdout).toBe('HTTP/2 200 \r\n');
    expect(await page.next('https://support.github.com')).toMatchObject(timedOut);

    expect((await page.next('dns-pattern.yaml')).stdout).toBe(
      'ciliumnetworkpolicy.cilium.io/fqdn configured\n',
    );
    page.waits(5000);
    expect((await page.next('https://support.github.com')).stdout).toBe('HTTP/1.1 200 OK\r\n');
    expect((await page.next('https://gist.github.com')).stdout).toBe('HTTP/1.1 302 Found\r\n');
    expect(await page.next('https://github.com')).toMatchObject(timedOut);

    expect((await page.next('dns-port.yaml')).stdout).toBe('ciliumnetworkpolicy.cilium.io/fqdn configured\n');
    page.waits(5000);
    expect((await page.next('https://support.github.com')).stdout).toBe('HTTP/1.1 200 OK\r\n');
    expect(await page.next('http://support.github.com')).toMatchObject(timedOut);

    const cleaned = await page.next('kubectl delete -f');
    expect(cleaned.stdout).toBe('pod "mediabot" deleted\nciliumnetworkpolicy.cilium.io "fqdn" deleted\n');
    page.finish();
  }, 120_000);
});
