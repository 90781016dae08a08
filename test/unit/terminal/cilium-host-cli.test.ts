// Goal: `cilium` on the reader's machine is cilium-cli as a kind walkthrough uses it: `version`,
// `install` through the chart's Helm release, `status` reading the cluster's real state (the agent
// DaemonSet not ready yet, then OK after `--wait`), its JSON, its colours, `uninstall`, and errors
// with cilium-cli's words and exit status.
import { describe, expect, it } from 'vitest';
import { TerminalSession } from '../../../simulator/terminal/session';
import { kindCluster, kindShell, withSiteRepositories } from './kubectl-support';

/** The text without ANSI colour codes, as a reader sees it on a terminal. */
const plain = (text: string): string =>
  text.replace(new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, 'g'), '');

/** The summary beside a component's name in the status box (`Cilium:  OK`). */
const summaryOf = (status: string, component: string): string | undefined =>
  new RegExp(`${component}:\\s+(.*)$`, 'm').exec(plain(status))?.[1];

describe('cilium-cli on the reader machine', () => {
  it('cilium version: client, default and running versions', async () => {
    const session = kindShell();
    const before = await session.run('cilium version');
    expect(before.stdout.split('\n')).toEqual([
      'cilium-cli: v0.18.9 compiled with go1.25.5 on linux/amd64',
      'cilium image (default): v1.18.3',
      'cilium image (stable): unknown',
      'cilium image (running): unknown. Unable to obtain cilium version. Reason: release: not found',
      '',
    ]);
    await session.run('cilium install --version 1.18.5');
    expect((await session.run('cilium version')).stdout).toContain('cilium image (running): 1.18.5\n');
  });

  it('cilium status without Cilium: the errors, then status check failed, exit 1', async () => {
    const session = kindShell();
    const result = await session.run('cilium status');
    expect(result.exitCode).toBe(1);
    expect(summaryOf(result.stdout, 'Cilium')).toBe('1 errors');
    expect(summaryOf(result.stdout, 'Operator')).toBe('disabled');
    expect(summaryOf(result.stdout, 'Envoy DaemonSet')).toBe('disabled (using embedded mode)');
    expect(plain(result.stdout)).toMatch(
      /^Errors:\s+cilium\s+cilium\s+daemonsets\.apps "cilium" not found$/m,
    );
    expect(result.stderr).toBe(
      'status check failed: [daemonsets.apps "cilium" not found, unable to retrieve ConfigMap "cilium-config": configmaps "cilium-config" not found]\n',
    );
  });

  it('cilium install: the kind auto-detection lines and a Helm release of the chart', async () => {
    const session = kindShell();
    const result = await session.run('cilium install --version 1.18.5');
    expect(result).toEqual({
      stdout:
        '🔮 Auto-detected Kubernetes kind: kind\nℹ️  Using Cilium version 1.18.5\n🔮 Auto-detected cluster name: kind-kind\n🔮 Auto-detected kube-proxy has been installed\n',
      stderr: '',
      exitCode: 0,
    });
    const releases = await session.run('helm list -n kube-system');
    expect(releases.stdout).toMatch(/^cilium\s+kube-system\s+1\s.*\sdeployed\s+cilium-1\.18\.5\s/m);
    const again = await session.run('cilium install --version 1.18.5');
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toBe(
      '\nError: Unable to install Cilium: cannot re-use a name that is still in use\n',
    );
  });

  it('cilium status right after install reports the agent not ready; --wait waits until OK', async () => {
    const session = kindShell();
    await session.run('cilium install --version 1.18.5');
    const early = await session.run('cilium status');
    expect(summaryOf(early.stdout, 'Cilium')).toBe('1 errors');
    expect(plain(early.stdout)).toMatch(
      /^Errors:\s+cilium\s+cilium\s+2 pods of DaemonSet cilium are not ready$/m,
    );
    const waited = await session.run('cilium status --wait');
    expect(waited.exitCode).toBe(0);
    for (const component of ['Cilium', 'Operator', 'Envoy DaemonSet'])
      expect(summaryOf(waited.stdout, component)).toBe('OK');
    expect(summaryOf(waited.stdout, 'Hubble Relay')).toBe('disabled');
    const lines = plain(waited.stdout).split('\n');
    expect(lines).toContain(
      'DaemonSet              cilium                   Desired: 2, Ready: 2/2, Available: 2/2',
    );
    // cilium-cli sets one operator replica on kind (the chart's default is two).
    expect(lines).toContain(
      'Deployment             cilium-operator          Desired: 1, Ready: 1/1, Available: 1/1',
    );
    expect(lines).toContain('Helm chart version:    1.18.5');
    // The box's columns line up once the colour codes are drawn, not printed.
    const boxColumns = lines.slice(1, 6).map((line) => line.search(/[A-Z]/));
    expect(new Set(boxColumns)).toEqual(new Set([15]));
  });

  it('cilium status warns twice of a pending operator pod, as its collector lists the operator pods twice', async () => {
    // k8s.go at v1.18.5 runs podStatus for the operator with `name=cilium-operator` and again with
    // the operator pod selector; the chart's two replicas cannot share kind's single node.
    const session = new TerminalSession(kindCluster(5, 0), {}, withSiteRepositories);
    await session.run('helm install cilium cilium/cilium --version 1.18.5 --namespace kube-system; sleep 90');
    const pending = (
      await session.run(
        'kubectl -n kube-system get pods -l name=cilium-operator --field-selector=status.phase=Pending -o name',
      )
    ).stdout.trim();
    expect(pending).toMatch(/^pod\/cilium-operator-/);
    const warnings = plain((await session.run('cilium status')).stdout)
      .split('\n')
      .filter((line) => line.endsWith('pod is pending'));
    const pod = pending.replace('pod/', '');
    expect(warnings).toEqual([
      `Warnings:              cilium-operator    ${pod}    pod is pending`,
      `                       cilium-operator    ${pod}    pod is pending`,
    ]);
  });

  it('colours OK in green even through a pipe, as cilium-cli always writes them', async () => {
    const session = kindShell();
    await session.run('cilium install --version 1.18.5');
    const piped = await session.run('cilium status --wait | grep Operator');
    expect(piped.stdout).toContain('\x1b[32mOK\x1b[0m');
  });

  it('cilium status -o json: pod states and the Helm chart version', async () => {
    const session = kindShell();
    await session.run('cilium install --version 1.18.5');
    const result = await session.run('cilium status --wait -o json');
    const document = JSON.parse(result.stdout) as {
      pod_state: Record<string, { Type: string; Desired: number; Ready: number }>;
      helm_chart_version: string;
    };
    expect(document.pod_state.cilium).toMatchObject({ Type: 'DaemonSet', Desired: 2, Ready: 2 });
    expect(document.helm_chart_version).toBe('1.18.5');
  });

  it('cilium uninstall removes the release', async () => {
    const session = kindShell();
    await session.run('cilium install --version 1.18.5');
    const result = await session.run('cilium uninstall');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('⌛ Uninstalling Cilium\n');
    expect((await session.run('helm list -n kube-system')).stdout).not.toContain('cilium');
    const again = await session.run('cilium uninstall');
    expect(again.stderr).toBe(
      '\nError: Unable to uninstall Cilium:  uninstall: Release not loaded: cilium: release: not found\n',
    );
  });

  it('cilium install without kube-proxy: kube-proxy replacement with the control plane as API server', async () => {
    const session = kindShell({
      'kind.yaml':
        'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  disableDefaultCNI: true\n  kubeProxyMode: none\n',
    });
    await session.run('kind delete cluster; kind create cluster --config kind.yaml');
    const result = await session.run('cilium install --version 1.18.5');
    expect(result.stdout).toContain(
      'ℹ️  Detecting real Kubernetes API server addr and port on Kind\n🔮 Auto-detected kube-proxy has not been installed\nℹ️  Cilium will fully replace all functionalities of kube-proxy\n',
    );
    const values = await session.run('helm get values cilium -n kube-system -o json');
    expect(JSON.parse(values.stdout)).toMatchObject({
      kubeProxyReplacement: true,
      k8sServicePort: 6443,
      operator: { replicas: 1 },
      ipam: { mode: 'kubernetes' },
    });
    expect((await session.run('cilium status --wait')).exitCode).toBe(0);
  });

  it('tab completion offers cilium-cli subcommands on the machine', async () => {
    const session = kindShell();
    expect((await session.complete('cilium st')).candidates).toEqual(['status']);
    expect((await session.complete('cilium status --wa')).candidates).toEqual(['--wait', '--wait-duration']);
  });
});
