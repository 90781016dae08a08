import { describe, expect, it } from 'vitest';
import { walkthrough, type Walkthrough } from '../walkthrough';

// Goal: the host firewall walkthrough (reference/host-firewall, after the docs' security/host-firewall)
// runs block by block as the page writes it, on a kind cluster with a worker whose node the reader
// labels (the page's "set NODE_NAME to one of those"): the host endpoint audits the demo host
// policy (a world connection to port 21 is `action audit`; ping, and the API server's calls to the
// kubelet from the control plane, whose identity is kube-apiserver, are allowed), then enforces it (port 21 is `action deny`); the emergency recovery reaches the
// agent through `kubectl exec` and, on the node, through `crictl exec`, and toggles audit mode there.

/** kind with one worker, Cilium left to the page's own `helm install`. */
const twoNodes = [
  `kind create cluster --config=- <<EOF
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
- role: control-plane
- role: worker
networking:
  disableDefaultCNI: true
EOF`,
];

/** The page's values for the reader's own: the docs' node, interfaces and pod-name placeholder. */
const ours = { k8s1: 'kind-worker', '{ethX,ethY}': '{eth0}', '$(CILIUM_PODNAME)': '$CILIUM_POD_NAME' };

/**
 * What the monitor in the page's terminal shows while the cluster and the outside reach the node:
 * the API server calls the worker's kubelet (`kubectl exec`), the reader pings the node and tries
 * its port 21.
 */
async function trafficSeenByMonitor(page: Walkthrough): Promise<string[]> {
  const other = page.window('other');
  const ip = (await other.run("kubectl get node kind-worker -o jsonpath='{.status.addresses[0].address}'"))
    .stdout;
  const agent = (
    await other.run(
      "kubectl -n kube-system get pods -l k8s-app=cilium --field-selector spec.nodeName=kind-worker -o jsonpath='{.items[0].metadata.name}'",
    )
  ).stdout;
  const version = await other.run(`kubectl -n kube-system exec ${agent} -- cilium-dbg status --brief`);
  expect(version, JSON.stringify(version)).toMatchObject({ exitCode: 0 });
  await other.run(`ping -c 1 ${ip}`);
  await other.run(`curl --connect-timeout 2 -s http://${ip}:21/`);
  page.waits(1000);
  const lines = page.window('main').poll().stdout.split('\n');
  page.window('main').cancel();
  return lines.filter((line) => line !== '');
}

describe('reference: the host firewall walkthrough, verbatim', () => {
  it('audits the demo host policy on a node, enforces it, and recovers through the agent', async () => {
    const page = await walkthrough('host-firewall', { setup: twoNodes });
    expect((await page.next('helm repo add cilium')).stdout).toBe(
      '"cilium" has been added to your repositories\n',
    );
    expect((await page.next('hostFirewall.enabled=true', 'main', ours)).stdout).toContain(
      'STATUS: deployed\n',
    );
    page.waits(120_000);
    expect((await page.next("grep 'Host firewall'")).stdout).toBe(
      'Host firewall:           Enabled   [eth0]\n',
    );
    expect((await page.next('kubectl label node', 'main', ours)).stdout).toBe('node/kind-worker labeled\n');
    expect((await page.next('HOST_EP_ID=')).stdout).toBe('Host firewall:           Enabled   [eth0]\n');
    expect((await page.next('PolicyAuditMode=Enabled')).stdout).toMatch(
      /^Endpoint \d+ configuration updated successfully\n$/,
    );
    expect((await page.next('| grep PolicyAuditMode')).stdout).toMatch(/^PolicyAuditMode +: Enabled\n$/);
    expect((await page.next('demo-host-policy.yaml')).stdout).toBe(
      'ciliumclusterwidenetworkpolicy.cilium.io/demo-host-policy created\n',
    );
    page.waits(5000);
    const audited = await page.next('kexec cilium-dbg endpoint list');
    expect(audited.stdout).toMatch(
      /^\d+ +Disabled \(Audit\) +Disabled +1 +k8s:node-access=ssh +ready *\n +reserved:host/m,
    );
    // The policy selects the host endpoint, so the agent regenerated it, and its log says why.
    const hostLog = await page.next('endpoint log $HOST_EP_ID | head -5');
    expect(hostLog.stdout.split('\n').map((line) => line.split(/ {3,}/).slice(2).join(' | '))).toEqual([
      'State | Message',
      'ready | Successfully regenerated endpoint program (Reason: policy rules updated)',
      'ready | Completed endpoint regeneration with no pending regeneration requests',
      'regenerating | Regenerating endpoint: policy rules updated',
      'waiting-to-regenerate | Triggering endpoint regeneration due to policy rules updated',
      '',
    ]);

    const auditing = await page.next('cilium-dbg monitor -t policy-verdict --related-to $HOST_EP_ID');
    expect(auditing.stderr).toContain('Press Ctrl-C to quit');
    const seen = await trafficSeenByMonitor(page);
    expect(seen).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^Policy verdict log: flow 0x0 local EP ID \d+, remote ID kube-apiserver, proto 6, ingress, action allow, auth: disabled, match L3-Only, 172\.18\.0\.\d+:\d+ -> 172\.18\.0\.\d+:10250 tcp SYN$/,
        ),
        expect.stringMatching(/remote ID world, proto 1, ingress, action allow, .* EchoRequest$/),
        expect.stringMatching(
          /remote ID world, proto 6, ingress, action audit, auth: disabled, match none, 172\.18\.0\.1:\d+ -> 172\.18\.0\.\d+:21 tcp SYN$/,
        ),
      ]),
    );

    expect((await page.next('PolicyAuditMode=Disabled')).stdout).toMatch(
      /^Endpoint \d+ configuration updated successfully\n$/,
    );
    expect((await page.next('kexec cilium-dbg endpoint list')).stdout).toMatch(
      /^\d+ +Enabled +Disabled +1 +k8s:node-access=ssh +ready *\n +reserved:host/m,
    );
    await page.next('cilium-dbg monitor -t policy-verdict --related-to $HOST_EP_ID');
    const enforced = await trafficSeenByMonitor(page);
    expect(enforced).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /remote ID world, proto 6, ingress, action deny, auth: disabled, match none, .*:21 tcp SYN$/,
        ),
        expect.stringMatching(/remote ID kube-apiserver, .* action allow, .*:10250 tcp SYN$/),
      ]),
    );
    expect(enforced.some((line) => line.includes('action audit'))).toBe(false);

    const cleaned = await page.next('kubectl delete ccnp demo-host-policy');
    expect(cleaned.stdout).toBe(
      'ciliumclusterwidenetworkpolicy.cilium.io "demo-host-policy" deleted\nnode/kind-worker unlabeled\n',
    );

    // Emergency recovery: into the agent with kubectl, or from a console on the node with crictl.
    const main = page.window('main');
    expect(await page.next('-- bash', 'main', ours)).toMatchObject({ exitCode: 0 });
    expect(main.prompt).toMatch(/^root@\S+:\S*# $/);
    await main.run('exit');
    const node = page.window('node');
    await node.run('docker exec -it kind-worker bash');
    expect(node.prompt).toBe('root@kind-worker:/# ');
    expect(await page.next('crictl exec -ti $CONTAINERID bash', 'node')).toMatchObject({ exitCode: 0 });
    // The agent shares the node's UTS namespace; its image starts in /home/cilium.
    expect(node.prompt).toBe('root@kind-worker:/home/cilium# ');
    expect((await page.next('PolicyAuditMode=Enabled', 'node')).stdout).toMatch(
      /^Endpoint \d+ configuration updated successfully\n$/,
    );
    expect(
      (
        await node.run(
          "cilium-dbg endpoint config $(cilium-dbg endpoint get -l reserved:host -o 'jsonpath={$[0].id}') | grep PolicyAuditMode",
        )
      ).stdout,
    ).toMatch(/: Enabled\n$/);
    expect((await page.next('PolicyAuditMode=Disabled', 'node')).stdout).toMatch(
      /^Endpoint \d+ configuration updated successfully\n$/,
    );
    // `exit` leaves the agent's shell for the node's, then the node's for the reader's own.
    await node.run('exit');
    expect(node.prompt).toBe('root@kind-worker:/# ');
    await node.run('exit');
    expect(node.prompt).toBeUndefined();
    page.finish();
  }, 120_000);
});
