import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Simulation, scenarios } from '../../../simulator/index';
import { scenarioSetup } from '../../../simulator/scenarios/run';
import { TerminalSession } from '../../../simulator/terminal/session';
import { wireguardPublicKeyAnnotation, wireguardRekeyAfterMs } from '../../../simulator/cilium/wireguard';
import { experimentHelmValues } from '../../../simulator/scenarios/mistaken-identity/experiment-steps';
import { defaultClusterTimings } from '../../../simulator/world';
import { withSiteRepositories } from './kubectl-support';

// The guides' own command blocks, copied from the MDX pages and run in a fresh terminal set up as
// the page's lab is (its day and kind release): what a reader pastes must work as the page says.
function codeBlocks(page: string, language: string): string[] {
  const text = readFileSync(new URL(`../../../content/guides/${page}.mdx`, import.meta.url), 'utf8');
  const blocks: string[] = [];
  const fence = new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g');
  for (const match of text.matchAll(fence)) blocks.push(match[1] ?? '');
  return blocks;
}

const kindCluster = `kind create cluster --config=- <<EOF
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
- role: control-plane
- role: worker
- role: worker
- role: worker
networking:
  disableDefaultCNI: true
EOF`;

describe('guide commands, verbatim', () => {
  it('mutual-auth: the Helm install and the policy with authentication required', async () => {
    const [helmInstall] = codeBlocks('mutual-auth', 'bash');
    const [policy] = codeBlocks('mutual-auth', 'yaml');
    expect(helmInstall).toContain('authentication.mutual.spire.enabled=true');
    const scenario = scenarios['mutual-auth'];
    if (scenario === undefined) throw new Error('no mutual-auth scenario');
    const terminal = new TerminalSession(
      new Simulation(1, { setup: scenarioSetup(scenario) }),
      scenario.files,
      withSiteRepositories,
    );
    expect((await terminal.run(kindCluster)).exitCode).toBe(0);
    const installed = await terminal.run(helmInstall ?? '');
    expect(installed.exitCode).toBe(0);
    expect(installed.stdout).toContain('Your release version is 1.14.5.');
    await terminal.run('sleep 60');
    expect((await terminal.run('kubectl apply -f yamls/helloworld.yaml -f yamls/sleep.yaml')).exitCode).toBe(
      0,
    );
    const applied = await terminal.run(`kubectl apply -f - <<'EOF'\n${policy ?? ''}EOF`);
    expect(applied).toMatchObject({ stdout: 'ciliumnetworkpolicy.cilium.io/v1 created\n', exitCode: 0 });
    await terminal.run(
      'kubectl rollout status deploy/helloworld-v1 && kubectl rollout status deploy/sleep-v1 && sleep 15',
    );
    const curl = await terminal.run(
      'kubectl exec deploy/sleep-v1 -- curl -s -w " %{http_code}" --max-time 5 http://helloworld-v1:5000/hello',
    );
    expect(curl.stdout).toMatch(/^Hello version: v1, instance: helloworld-v1-\S+\n? 200$/);
    const auth = await terminal.run(
      'for p in $(kubectl -n kube-system get pods -l k8s-app=cilium -o name); do kubectl -n kube-system exec $p -- cilium bpf auth list 2>/dev/null; done',
    );
    expect(auth.stdout).toMatch(
      /SRC IDENTITY\s+DST IDENTITY\s+REMOTE NODE ID\s+AUTH TYPE\s+EXPIRATION\n\d+\s+\d+\s+\d+\s+spire\s+2023-12-14 /,
    );
  }, 60_000);

  it('mutual-auth: every agent command the page names runs in its Cilium 1.14 lab', async () => {
    const page = readFileSync(new URL('../../../content/guides/mutual-auth.mdx', import.meta.url), 'utf8');
    const commands = [...page.matchAll(/`((?:cilium|cilium-dbg) [a-z][^`]*)`/g)].map(
      (match) => match[1] ?? '',
    );
    expect(commands).toContain('cilium bpf auth list');
    const [helmInstall] = codeBlocks('mutual-auth', 'bash');
    const terminal = new TerminalSession(
      new Simulation(1),
      scenarios['mutual-auth']?.files ?? {},
      withSiteRepositories,
    );
    await terminal.run(kindCluster);
    expect((await terminal.run(helmInstall ?? '')).exitCode).toBe(0);
    await terminal.run('sleep 60');
    const agent = (
      await terminal.run('kubectl -n kube-system get pods -l k8s-app=cilium -o name')
    ).stdout.split('\n')[0];
    for (const command of commands) {
      const result = await terminal.run(`kubectl -n kube-system exec ${agent ?? ''} -- ${command}`);
      expect(result.exitCode, `${command}: ${result.stderr}`).toBe(0);
    }
  }, 60_000);

  it('mutual-auth: describes WireGuard keys as the model keeps them', () => {
    const page = readFileSync(
      new URL('../../../content/guides/mutual-auth.mdx', import.meta.url),
      'utf8',
    ).replace(/\s+/g, ' ');
    expect(page).toContain(`annotation \`${wireguardPublicKeyAnnotation}\``);
    expect(page).toContain('single static WireGuard key pair');
    expect(page).toContain(`replaces about every ${wireguardRekeyAfterMs === 120_000 ? 'two' : '?'} minutes`);
    expect(page).not.toMatch(/key pair per pair of nodes/);
  });

  it('l7: installs Istio from its Helm charts and accepts the AuthorizationPolicy of the page', async () => {
    const policy = codeBlocks('l7-cilium-vs-istio', 'yaml').find((block) =>
      block.includes('AuthorizationPolicy'),
    );
    const lab = scenarios['istio-mistaken-identity'];
    if (lab === undefined) throw new Error('no istio-mistaken-identity scenario');
    const terminal = new TerminalSession(
      new Simulation(2, { setup: scenarioSetup(lab) }),
      {},
      withSiteRepositories,
    );
    await terminal.run(kindCluster);
    await terminal.run(
      'helm install cilium cilium/cilium --version 1.12.0 --namespace kube-system && sleep 60',
    );
    for (const chart of ['base', 'istiod']) {
      const installed = await terminal.run(
        `helm install istio-${chart} istio/${chart} -n istio-system --create-namespace --wait`,
      );
      expect(installed.stdout).toMatch(
        /^NAME: istio-\w+\nLAST DEPLOYED: \w{3} Nov [ \d]\d [\d:]{8} 2024\nNAMESPACE: istio-system\nSTATUS: deployed\n/,
      );
    }
    const applied = await terminal.run(`kubectl apply -f - <<'EOF'\n${policy ?? ''}EOF`);
    expect(applied).toMatchObject({
      stdout:
        'peerauthentication.security.istio.io/default created\nauthorizationpolicy.security.istio.io/helloworld-v1 created\n',
      exitCode: 0,
    });
  }, 60_000);
});

// Facts a page states about its own lab, checked against the lab's data: what the page shows is what
// the scenario runs.
describe('guide pages agree with their labs', () => {
  const documents = (text: string): unknown[] =>
    parseAllDocuments(text).map((document): unknown => document.toJS() as unknown);

  it('mistaken-identity: the Helm install shows every value of the scenario, and only those', () => {
    const helm = codeBlocks('mistaken-identity', 'bash').find((block) => block.startsWith('helm install'));
    const values: Record<string, string> = {};
    for (const match of (helm ?? '').matchAll(/--set (\S+?)=(\S+)/g)) values[match[1] ?? ''] = match[2] ?? '';
    expect(values).toEqual(experimentHelmValues);
    const install = scenarios['mistaken-identity']?.steps
      .flatMap((step) => step.actions)
      .find((action) => action.do === 'install-cilium');
    expect(helm).toContain(`--version ${install?.do === 'install-cilium' ? install.version : '?'} `);
  });

  it("mistaken-identity: the timings the page quotes are the model's", () => {
    const page = readFileSync(
      new URL('../../../content/guides/mistaken-identity.mdx', import.meta.url),
      'utf8',
    );
    expect(page).toContain(`every watch event ${defaultClusterTimings.watchLatencyMs} ms after`);
    expect(page).toContain(`(${defaultClusterTimings.nodeMonitorGracePeriodMs / 1000} seconds in Kubernetes`);
  });

  it('l7: the Istio policies shown are documents of the lab file, with the same content', () => {
    const shown = codeBlocks('l7-cilium-vs-istio', 'yaml').find((block) =>
      block.includes('AuthorizationPolicy'),
    );
    const file = scenarios['istio-mistaken-identity']?.files['yamls/istio-policies.yaml'] ?? '';
    const labDocuments = documents(file);
    const shownDocuments = documents(shown ?? '');
    expect(shownDocuments.length).toBeGreaterThan(0);
    for (const document of shownDocuments) expect(labDocuments).toContainEqual(document);
  });

  it('l7: the blast-radius lab runs the Cilium version the page names', () => {
    const page = readFileSync(
      new URL('../../../content/guides/l7-cilium-vs-istio.mdx', import.meta.url),
      'utf8',
    );
    const install = scenarios['l7-envoy-blast-radius']?.steps
      .flatMap((step) => step.actions)
      .find((action) => action.do === 'install-cilium');
    const minor = install?.do === 'install-cilium' ? install.version.split('.').slice(0, 2).join('.') : '?';
    expect(page).toContain(`The lab below runs Cilium ${minor}`);
  });
});
