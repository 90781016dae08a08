// Goal: Helm's chart repositories are the reader's own, as in Helm 3 (cmd/helm/repo_*.go and
// pkg/downloader/chart_downloader.go at v3.17.0): a chart `REPO/CHART` installs only once the reader
// has added REPO, `helm repo add|list|update|remove` print Helm's lines and keep the repositories
// in ~/.config/helm/repositories.yaml, and a lab opens with the repositories its page assumes.
import { describe, expect, it } from 'vitest';
import { TerminalSession } from '../../../simulator/terminal/session';
import { LabSession } from '../../../simulator/scenarios/lab-session';
import { scenarios } from '../../../simulator/scenarios/catalog';
import { decodeLabPermalink, encodeLabPermalink } from '../../../simulator/permalink';
import { kindCluster, withSiteRepositories } from './kubectl-support';

interface RepoCase {
  readonly name: string;
  readonly lines: readonly string[];
  readonly stdout?: string;
  readonly stderr?: string;
  readonly exitCode?: number;
  /** Whether the reader starts with the site's repositories (a lab) or none (a bare machine). */
  readonly withRepositories?: boolean;
}

const install = 'helm install cilium cilium/cilium --version 1.18.5 --namespace kube-system';

const cases: readonly RepoCase[] = [
  {
    name: 'installing from a repository never added fails as Helm does',
    lines: [install],
    stderr: 'Error: INSTALLATION FAILED: repo cilium not found\n',
    exitCode: 1,
  },
  {
    name: 'upgrading from a repository never added: LocateChart’s error as it is',
    lines: [`helm upgrade --install cilium cilium/cilium --version 1.18.5 --namespace kube-system`],
    stderr: 'Error: repo cilium not found\n',
    exitCode: 1,
  },
  {
    name: 'repo add, then the install finds the chart',
    lines: ['helm repo add cilium https://helm.cilium.io/', `${install} > /dev/null && echo installed`],
    stdout: 'installed\n',
  },
  {
    name: 'repo add prints Helm’s line',
    lines: ['helm repo add cilium https://helm.cilium.io/'],
    stdout: '"cilium" has been added to your repositories\n',
  },
  {
    name: 'adding the same repository again is skipped',
    lines: ['helm repo add cilium https://helm.cilium.io/', 'helm repo add cilium https://helm.cilium.io/'],
    stdout: '"cilium" already exists with the same configuration, skipping\n',
  },
  {
    name: 'the same name for another URL is refused',
    lines: [
      'helm repo add cilium https://helm.cilium.io/',
      'helm repo add cilium https://istio-release.storage.googleapis.com/charts',
    ],
    stderr: 'Error: repository name (cilium) already exists, please specify a different name\n',
    exitCode: 1,
  },
  {
    name: 'repo list with none',
    lines: ['helm repo list'],
    stderr: 'Error: no repositories to show\n',
    exitCode: 1,
  },
  {
    name: 'repo list: uitable’s NAME and URL columns',
    lines: [
      'helm repo add cilium https://helm.cilium.io/',
      'helm repo add istio https://istio-release.storage.googleapis.com/charts',
      'helm repo list',
    ],
    stdout:
      'NAME  \tURL                                                \ncilium\thttps://helm.cilium.io/                            \nistio \thttps://istio-release.storage.googleapis.com/charts\n',
  },
  {
    name: 'repo update with none',
    lines: ['helm repo update'],
    stderr: 'Error: no repositories found. You must add one before updating\n',
    exitCode: 1,
  },
  {
    name: 'repo update: one line per repository',
    lines: ['helm repo add cilium https://helm.cilium.io/', 'helm repo update'],
    stdout:
      'Hang tight while we grab the latest from your chart repositories...\n...Successfully got an update from the "cilium" chart repository\nUpdate Complete. ⎈Happy Helming!⎈\n',
  },
  {
    name: 'repo remove, then the chart is gone again',
    lines: [
      'helm repo add cilium https://helm.cilium.io/',
      'helm repo remove cilium',
      `${install} 2>&1 | head -1`,
    ],
    stdout: 'Error: INSTALLATION FAILED: repo cilium not found\n',
  },
  {
    name: 'removing a repository that is not there',
    lines: ['helm repo remove cilium'],
    stderr: 'Error: no repo named "cilium" found\n',
    exitCode: 1,
  },
  {
    name: 'the repositories live in Helm’s file in the reader’s home',
    lines: [
      'helm repo add cilium https://helm.cilium.io/ > /dev/null',
      'grep -c "url: https://helm.cilium.io/" ~/.config/helm/repositories.yaml',
    ],
    stdout: '1\n',
  },
  {
    name: 'a lab’s reader has the site’s repositories already',
    withRepositories: true,
    lines: ['helm repo list | cut -f1'],
    stdout: 'NAME  \ncilium\nistio \n',
  },
];

describe('helm repo', () => {
  describe.each(cases)('$name', (testCase) => {
    it('prints what Helm prints', async () => {
      const session = new TerminalSession(
        kindCluster(),
        {},
        testCase.withRepositories === true ? withSiteRepositories : {},
      );
      let last = { stdout: '', stderr: '', exitCode: 0 };
      for (const line of testCase.lines) last = await session.run(line);
      if (testCase.stdout !== undefined) expect(last.stdout).toBe(testCase.stdout);
      expect(last.stderr).toBe(testCase.stderr ?? '');
      expect(last.exitCode).toBe(testCase.exitCode ?? 0);
    });
  });

  it('a lab opens with what its page assumes, and a permalink restores what its reader added', async () => {
    const loadTerminal = () => import('../../../simulator/terminal/session');
    const verdicts = new LabSession(scenarios['reference-verdicts']!, 1, loadTerminal);
    expect((await verdicts.run('helm repo list | cut -f1')).stdout).toBe('NAME  \ncilium\nistio \n');
    const firewall = scenarios['reference-host-firewall']!;
    const original = new LabSession(firewall, 1, loadTerminal);
    expect((await original.run('helm repo list')).stderr).toBe('Error: no repositories to show\n');
    await original.run('helm repo add cilium https://helm.cilium.io/');
    const decoded = await decodeLabPermalink(await encodeLabPermalink(original.record()));
    if (!decoded.ok) throw new Error(decoded.error);
    const { session: restored } = await LabSession.restore(firewall, decoded.record, loadTerminal);
    expect((await restored.run('helm repo list')).stdout).toContain('cilium\thttps://helm.cilium.io/');
  });
});
