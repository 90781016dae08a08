import { describe, expect, it } from 'vitest';
import { walkthrough } from '../walkthrough';

// Goal: the policies-from-verdicts walkthrough (reference/policies-from-verdicts, after the docs'
// security/policy-creation) runs block by block as the page writes it: audit mode on for the agent
// (ConfigMap and restart, or Helm) and for the deathstar's endpoint; with default deny the
// tiefighter still lands and Hubble reports the SYN as AUDITED; rule1 turns it ALLOWED; with audit
// mode off the tiefighter is ALLOWED and the xwing is dropped and DENIED.

const landing = 'Ship landed\n';
/** Hubble's compact line for a policy verdict between two pods (1.18 prints the direction). */
const verdictLine = (from: string, arrow: string, match: string, verdict: string) =>
  new RegExp(
    `^\\w{3} +\\d+ [\\d:.]+: default/${from}:\\d+ \\(ID:\\d+\\) ${arrow} default/deathstar-[a-z0-9]+-[a-z0-9]{5}:80 \\(ID:\\d+\\) policy-verdict:${match} INGRESS ${verdict} \\(TCP Flags: SYN\\)\\n$`,
  );

describe('reference: the policies-from-verdicts walkthrough, verbatim', () => {
  it('audits default deny, allows what the verdicts show, then enforces', async () => {
    const page = await walkthrough('policies-from-verdicts');
    expect((await page.next('http-sw-app.yaml')).stdout).toBe(
      'service/deathstar created\ndeployment.apps/deathstar created\npod/tiefighter created\npod/xwing created\n',
    );
    page.waits(30_000);
    const listed = await page.next('kubectl get pods,svc');
    expect(listed.stdout.match(/^pod\/deathstar-[a-z0-9]+-[a-z0-9]{5} +1\/1 +Running/gm)).toHaveLength(2);
    expect((await page.next('kubectl scale')).stdout).toBe('deployment.apps/deathstar scaled\n');
    page.waits(30_000);
    expect(await page.next('CILIUM_NAMESPACE=kube-system')).toMatchObject({ stdout: '', exitCode: 0 });

    // Audit mode for the whole agent: the ConfigMap, a restart the reader watches, or Helm.
    expect((await page.next('"policy-audit-mode":"true"')).stdout).toBe('configmap/cilium-config patched\n');
    expect((await page.next('rollout restart ds/cilium')).stdout).toBe('daemonset.apps/cilium restarted\n');
    // The reader types the next command: by then the old agent (1 s grace period) is gone and its
    // replacement is starting.
    page.waits(3000);
    const rolled = await page.next('rollout status ds/cilium');
    expect(rolled.stdout).toBe(
      'Waiting for daemon set "cilium" rollout to finish: 0 of 1 updated pods are available...\ndaemon set "cilium" successfully rolled out\n',
    );
    const upgraded = await page.next('--set policyAuditMode=true');
    expect(upgraded.stdout).toMatch(/^Release "cilium" has been upgraded\. Happy Helming!\n/);
    page.waits(60_000);

    // Audit mode for the deathstar's endpoint alone.
    expect((await page.next('PolicyAuditMode=Enabled')).stdout).toMatch(
      /^Endpoint \d+ configuration updated successfully\n$/,
    );
    expect((await page.next("PolicyAuditMode}'")).stdout).toBe('Enabled\n');

    expect((await page.next('sw_deny_policy.yaml')).stdout).toBe(
      'ciliumnetworkpolicy.cilium.io/empire-default-deny created\n',
    );
    page.waits(5000);
    expect(await page.next('curl -s -XPOST')).toMatchObject({ stdout: landing, exitCode: 0 });
    expect((await page.next('--last 1')).stdout).toMatch(verdictLine('tiefighter', '->', 'none', 'AUDITED'));
    const json = JSON.parse((await page.next('-o json --last 1')).stdout) as {
      flow: { verdict: string; source: { pod_name: string }; l4: { TCP: { destination_port: number } } };
    };
    expect(json.flow).toMatchObject({
      verdict: 'AUDIT',
      source: { pod_name: 'tiefighter' },
      l4: { TCP: { destination_port: 80 } },
    });

    expect((await page.next('sw_l3_l4_policy.yaml')).stdout).toBe(
      'ciliumnetworkpolicy.cilium.io/rule1 created\n',
    );
    page.waits(5000);
    expect(await page.next('curl -s -XPOST')).toMatchObject({ stdout: landing, exitCode: 0 });
    expect((await page.next('--last 1')).stdout).toMatch(verdictLine('tiefighter', '->', 'L3-L4', 'ALLOWED'));

    // Audit mode off, the same three ways.
    expect((await page.next('"policy-audit-mode":"false"')).stdout).toBe('configmap/cilium-config patched\n');
    expect((await page.next('rollout restart ds/cilium')).stdout).toBe('daemonset.apps/cilium restarted\n');
    expect((await page.next('rollout status ds/cilium')).stdout).toMatch(/successfully rolled out\n$/);
    expect((await page.next('--set policyAuditMode=false')).exitCode).toBe(0);
    page.waits(60_000);
    expect((await page.next('PolicyAuditMode=Disabled')).stdout).toMatch(
      /^Endpoint \d+ configuration updated successfully\n$/,
    );

    expect((await page.next("PolicyAuditMode}'")).stdout).toBe('Disabled\n');
    expect(await page.next('kubectl exec tiefighter')).toMatchObject({ stdout: landing, exitCode: 0 });
    expect((await page.next('--from-pod tiefighter --last 1')).stdout).toMatch(
      verdictLine('tiefighter', '->', 'L3-L4', 'ALLOWED'),
    );
    const dropped = await page.next('kubectl exec xwing');
    expect(dropped).toMatchObject({ stdout: '', exitCode: 28 });
    expect(dropped.stderr).toBe('command terminated with exit code 28\n');
    // A denied verdict carries a drop reason: Hubble cannot tell its direction and prints `<>`.
    expect((await page.next('--from-pod xwing --last 1')).stdout).toMatch(
      verdictLine('xwing', '<>', 'none', 'DENIED'),
    );

    const cleaned = await page.next('kubectl delete cnp empire-default-deny rule1');
    expect(cleaned.stdout).toContain('ciliumnetworkpolicy.cilium.io "empire-default-deny" deleted\n');
    expect(cleaned.stdout).toContain('ciliumnetworkpolicy.cilium.io "rule1" deleted\n');
    page.finish();
  }, 120_000);
});
