// Goal: a cluster with Cilium shows the custom resources a real one shows — the CRDs its operator
// registers at each release, and a CiliumNode per node written by that node's agent — so a reader
// who runs `kubectl get crd` or `kubectl get ciliumnodes -o yaml` sees what their cluster shows.
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../simulator/simulation';
import { chooseSetup } from '../../../simulator/setup';
import { TerminalSession } from '../../../simulator/terminal/session';
import { withSiteRepositories } from './kubectl-support';

const kindConfig = `cat > kind-config.yaml <<'EOF2'
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
- role: control-plane
- role: worker
networking:
  disableDefaultCNI: true
EOF2`;

/** A two-node kind cluster with Cilium installed by Helm with the given flags. */
async function clusterWith(version: string, flags = ''): Promise<TerminalSession> {
  const session = new TerminalSession(
    new Simulation(5, { setup: chooseSetup({ cilium: [version] }) }),
    {},
    withSiteRepositories,
  );
  await session.run(kindConfig);
  await session.run('kind create cluster --config kind-config.yaml > /dev/null 2>&1');
  const install = await session.run(
    `helm install cilium cilium/cilium --version ${version} --namespace kube-system ${flags} > /dev/null && sleep 60`,
  );
  expect(install.exitCode).toBe(0);
  return session;
}

/** The NAME column of `kubectl get crd`. */
async function crdNames(session: TerminalSession): Promise<string[]> {
  const result = await session.run('kubectl get crd');
  expect(result.exitCode).toBe(0);
  return result.stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(/\s+/)[0] ?? '');
}

const core = [
  'ciliumclusterwidenetworkpolicies',
  'ciliumendpoints',
  'ciliumidentities',
  'ciliumnetworkpolicies',
  'ciliumnodes',
];

describe('kubectl get crd: the CRDs Cilium’s operator registers (pkg/k8s/synced/crd.go)', () => {
  it.each([
    {
      name: '1.12 with the chart’s defaults',
      version: '1.12.0',
      flags: '',
      extra: ['ciliumexternalworkloads'],
    },
    {
      name: '1.14 adds CIDR groups, pod IP pools, L2 announcements, node configs and LB IP pools',
      version: '1.14.5',
      flags: '',
      extra: [
        'ciliumcidrgroups',
        'ciliumexternalworkloads',
        'ciliuml2announcementpolicies',
        'ciliumloadbalancerippools',
        'ciliumnodeconfigs',
        'ciliumpodippools',
      ],
    },
    {
      name: '1.18 no longer has external workloads',
      version: '1.18.5',
      flags: '',
      extra: [
        'ciliumcidrgroups',
        'ciliuml2announcementpolicies',
        'ciliumloadbalancerippools',
        'ciliumnodeconfigs',
        'ciliumpodippools',
      ],
    },
    {
      // The operator reads its flags from cilium-config, where the chart renders enable-envoy-config.
      name: 'envoyConfig.enabled adds the Envoy config kinds (1.14 chart)',
      version: '1.14.5',
      flags: '--set envoyConfig.enabled=true',
      extra: [
        'ciliumcidrgroups',
        'ciliumclusterwideenvoyconfigs',
        'ciliumenvoyconfigs',
        'ciliumexternalworkloads',
        'ciliuml2announcementpolicies',
        'ciliumloadbalancerippools',
        'ciliumnodeconfigs',
        'ciliumpodippools',
      ],
    },
    {
      name: 'the 1.12 chart has no envoyConfig value; enable-envoy-config through extraConfig adds them',
      version: '1.12.0',
      flags: '--set envoyConfig.enabled=true --set extraConfig.enable-envoy-config=true',
      extra: ['ciliumclusterwideenvoyconfigs', 'ciliumenvoyconfigs', 'ciliumexternalworkloads'],
    },
  ])('$name', async ({ version, flags, extra }) => {
    const session = await clusterWith(version, flags);
    expect(await crdNames(session)).toEqual(
      [...core, ...extra].map((plural) => `${plural}.cilium.io`).sort(),
    );
  });

  it('answers NotFound for a CRD the cluster does not have, and nothing before Cilium is installed', async () => {
    const session = new TerminalSession(new Simulation(5), {}, withSiteRepositories);
    await session.run(kindConfig);
    await session.run('kind create cluster --config kind-config.yaml > /dev/null 2>&1');
    const before = await session.run('kubectl get crd');
    expect(before).toMatchObject({ exitCode: 0, stdout: '', stderr: 'No resources found\n' });
    const missing = await session.run('kubectl get crd ciliumnodes.cilium.io');
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toBe(
      'Error from server (NotFound): customresourcedefinitions.apiextensions.k8s.io "ciliumnodes.cilium.io" not found\n',
    );
  });
});

describe('CiliumNode: one per node, as its agent writes it (pkg/nodediscovery)', () => {
  it('1.14 prints the CRD’s columns: the router address, the node address and the age', async () => {
    const session = await clusterWith('1.14.5');
    const result = await session.run('kubectl get cn');
    expect(result.exitCode).toBe(0);
    const [header, ...rows] = result.stdout.trim().split('\n');
    expect(header?.split(/\s{2,}/)).toEqual(['NAME', 'CILIUMINTERNALIP', 'INTERNALIP', 'AGE']);
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual(['kind-control-plane', 'kind-worker']);
    for (const row of rows) expect(row).toMatch(/^\S+\s+10\.244\.\d+\.\d+\s+172\.18\.0\.\d+\s+\d+[sm]$/);
  });

  it('1.12’s CRD has no printer columns: NAME and AGE', async () => {
    const session = await clusterWith('1.12.0', '--set l7Proxy=false');
    const header = (await session.run('kubectl get ciliumnodes')).stdout.split('\n')[0];
    expect(header?.split(/\s+/)).toEqual(['NAME', 'AGE']);
  });

  it('carries the Node as owner, its labels, its pod CIDR and, with WireGuard, the public key', async () => {
    const session = await clusterWith(
      '1.14.5',
      '--set encryption.enabled=true --set encryption.type=wireguard',
    );
    const node = JSON.parse((await session.run('kubectl get node kind-worker -o json')).stdout) as {
      metadata: { uid: string; labels: Record<string, string> };
      spec: { podCIDR: string };
    };
    const ciliumNode = JSON.parse(
      (await session.run('kubectl get ciliumnode kind-worker -o json')).stdout,
    ) as {
      metadata: {
        annotations?: Record<string, string>;
        labels: Record<string, string>;
        ownerReferences: unknown[];
      };
      spec: { addresses: { type: string }[]; ipam: { podCIDRs: string[] } };
    };
    expect(ciliumNode.metadata.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'Node', name: 'kind-worker', uid: node.metadata.uid },
    ]);
    expect(ciliumNode.metadata.labels).toEqual(node.metadata.labels);
    expect(ciliumNode.spec.ipam.podCIDRs).toEqual([node.spec.podCIDR]);
    expect(ciliumNode.spec.addresses.map((address) => address.type)).toEqual([
      'InternalIP',
      'CiliumInternalIP',
    ]);
    const key = ciliumNode.metadata.annotations?.['network.cilium.io/wg-pub-key'];
    expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    // The same key `cilium status` reports for the node's WireGuard device.
    const status = await session.run(
      'kubectl -n kube-system exec $(kubectl -n kube-system get pod -l k8s-app=cilium --field-selector spec.nodeName=kind-worker -o name) -- cilium status',
    );
    expect(status.stdout).toContain(`Pubkey: ${key}`);
  });

  it('has no WireGuard annotation without WireGuard', async () => {
    const session = await clusterWith('1.14.5');
    const yaml = (await session.run('kubectl get ciliumnode kind-worker -o yaml')).stdout;
    expect(yaml).not.toContain('wg-pub-key');
    expect(yaml).toContain('type: CiliumInternalIP');
  });
});
