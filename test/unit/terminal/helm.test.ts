// Goal: `helm` behaves as Helm 3 does for the cilium chart — install, upgrade with and without
// --reuse-values, list, history, get values, status and uninstall, with Helm's output and errors —
// and a changed value reaches the agents the way it does on a real cluster: through cilium-config,
// at the agents' next restart (or at once with rollOutCiliumPods); a value the agent cannot run
// with (Cilium 1.12, WireGuard and the L7 proxy) leaves the agents in CrashLoopBackOff.
// Sources: helm/helm v3.16.0 pkg/cmd (list.go, history.go, get_values.go, upgrade.go: the output
// and errors), pkg/action/upgrade.go (reuseValues), pkg/kube/client.go (createPatch, the three-way
// merge); cilium/cilium install/kubernetes/cilium at each release tag (templates/cilium-configmap.yaml,
// cilium-agent/daemonset.yaml and its rollOutCiliumPods checksum annotation, cilium-envoy/).
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../simulator/simulation';
import { TerminalSession } from '../../../simulator/terminal/session';
import { chooseSetup, type LabSetup } from '../../../simulator/setup';
import { withSiteRepositories } from './kubectl-support';

const kindConfig = `kind create cluster --config=- <<<"kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
- role: control-plane
- role: worker
- role: worker
networking:
  disableDefaultCNI: true
"`;

/** Seed 001's day: kind v0.14.0 with Kubernetes 1.24, Cilium 1.12.0 out for ten days. */
const experimentSetup = chooseSetup({ cilium: ['1.12.0'], date: '2022-07-29' });
/** The Cilium 1.18 documentation's day (kind v0.29.0, Kubernetes 1.33). */
const recentSetup = chooseSetup({ cilium: ['1.18.5'] });

/** Seed 001's install: Cilium 1.12.0 with WireGuard and the L7 proxy off. */
const seedInstall =
  'helm install cilium cilium/cilium --version 1.12.0 --namespace kube-system --set ipam.mode=kubernetes --set l7Proxy=false --set encryption.enabled=true --set encryption.type=wireguard';

async function installed(
  seed: number,
  install = seedInstall,
  setup: LabSetup = experimentSetup,
): Promise<{ session: TerminalSession; simulation: Simulation }> {
  const simulation = new Simulation(seed, { setup });
  const session = new TerminalSession(
    simulation,
    {
      'values.yaml': 'policyAuditMode: true\nhubble:\n  relay:\n    enabled: true\n',
    },
    withSiteRepositories,
  );
  expect((await session.run(kindConfig)).exitCode).toBe(0);
  const result = await session.run(install);
  expect(result.exitCode).toBe(0);
  expect((await session.run('kubectl -n kube-system rollout status ds/cilium --timeout=2m')).exitCode).toBe(
    0,
  );
  return { session, simulation };
}

describe('helm: install, list, get values, history', () => {
  it('prints the release as Helm does after install and in helm list', async () => {
    const { session } = await installed(1);
    const list = await session.run('helm list -A');
    const [header, row] = list.stdout.split('\n');
    expect(header?.split('\t').map((cell) => cell.trim())).toEqual([
      'NAME',
      'NAMESPACE',
      'REVISION',
      'UPDATED',
      'STATUS',
      'CHART',
      'APP VERSION',
    ]);
    expect(row?.split('\t').map((cell) => cell.trim())).toEqual([
      'cilium',
      'kube-system',
      '1',
      expect.stringMatching(/^2022-07-29 09:\d\d:\d\d(\.\d+)? \+0000 UTC$/),
      'deployed',
      'cilium-1.12.0',
      '1.12.0',
    ]);
    // In the default namespace there is no release: only the header, without padding.
    expect((await session.run('helm list')).stdout).toBe(
      'NAME\tNAMESPACE\tREVISION\tUPDATED\tSTATUS\tCHART\tAPP VERSION\n',
    );
    expect((await session.run('helm get values cilium -n kube-system')).stdout).toBe(
      'USER-SUPPLIED VALUES:\nencryption:\n  enabled: true\n  type: wireguard\nipam:\n  mode: kubernetes\nl7Proxy: false\n',
    );
    expect(
      (
        await session.run(
          'kubectl -n kube-system get secret sh.helm.release.v1.cilium.v1 -o jsonpath="{.type}"',
        )
      ).stdout,
    ).toBe('helm.sh/release.v1');
  });

  interface UpgradeCase {
    readonly name: string;
    readonly command: string;
    readonly values: string;
  }

  const upgrades: readonly UpgradeCase[] = [
    {
      name: 'without --reuse-values, new values replace the old ones',
      command: 'helm upgrade cilium cilium/cilium --version 1.12.0 -n kube-system --set policyAuditMode=true',
      values: 'USER-SUPPLIED VALUES:\npolicyAuditMode: true\n',
    },
    {
      name: 'with --reuse-values, new values merge over the old ones',
      command:
        'helm upgrade cilium cilium/cilium --version 1.12.0 -n kube-system --reuse-values --set policyAuditMode=true',
      values:
        'USER-SUPPLIED VALUES:\nencryption:\n  enabled: true\n  type: wireguard\nipam:\n  mode: kubernetes\nl7Proxy: false\npolicyAuditMode: true\n',
    },
    {
      name: 'without any value, the last release’s values stay',
      command: 'helm upgrade cilium cilium/cilium --version 1.12.0 -n kube-system',
      values:
        'USER-SUPPLIED VALUES:\nencryption:\n  enabled: true\n  type: wireguard\nipam:\n  mode: kubernetes\nl7Proxy: false\n',
    },
    {
      name: '-f merges a values file, typed as YAML',
      command:
        'helm upgrade cilium cilium/cilium --version 1.12.0 -n kube-system --reuse-values -f values.yaml',
      values:
        'USER-SUPPLIED VALUES:\nencryption:\n  enabled: true\n  type: wireguard\nhubble:\n  relay:\n    enabled: true\nipam:\n  mode: kubernetes\nl7Proxy: false\npolicyAuditMode: true\n',
    },
  ];

  it.each(upgrades)('helm upgrade: $name', async ({ command, values }) => {
    const { session } = await installed(2);
    const result = await session.run(command);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Release "cilium" has been upgraded\. Happy Helming!\nNAME: cilium\n/);
    expect(result.stdout).toContain('\nREVISION: 2\n');
    expect((await session.run('helm get values cilium -n kube-system')).stdout).toBe(values);
    const history = (await session.run('helm history cilium -n kube-system')).stdout.split('\n');
    expect(history[1]?.split('\t').map((cell) => cell.trim())).toEqual([
      '1',
      expect.stringMatching(/^Fri Jul 29 09:\d\d:\d\d 2022$/),
      'superseded',
      'cilium-1.12.0',
      '1.12.0',
      'Install complete',
    ]);
    expect(
      history[2]
        ?.split('\t')
        .map((cell) => cell.trim())
        .slice(2),
    ).toEqual(['deployed', 'cilium-1.12.0', '1.12.0', 'Upgrade complete']);
  });

  interface MistakeCase {
    readonly name: string;
    readonly command: string;
    readonly stderr: string;
  }

  const mistakes: readonly MistakeCase[] = [
    {
      name: 'upgrading a release that does not exist',
      command: 'helm upgrade foo cilium/cilium -n kube-system',
      stderr: 'Error: UPGRADE FAILED: "foo" has no deployed releases\n',
    },
    {
      name: 'upgrading in the default namespace, where cilium is not',
      command: 'helm upgrade cilium cilium/cilium --reuse-values --set l7Proxy=true',
      stderr: 'Error: UPGRADE FAILED: "cilium" has no deployed releases\n',
    },
    {
      name: 'the history of an unknown release',
      command: 'helm history nope -n kube-system',
      stderr: 'Error: release: not found\n',
    },
    {
      name: 'the values of a release in another namespace',
      command: 'helm get values cilium',
      stderr: 'Error: release: not found\n',
    },
    {
      name: 'uninstalling an unknown release',
      command: 'helm uninstall nope -n kube-system',
      stderr: 'Error: uninstall: Release not loaded: nope: release: not found\n',
    },
    {
      name: 'an unknown flag',
      command: 'helm upgrade cilium cilium/cilium --reuse-value',
      stderr: 'Error: unknown flag: --reuse-value\n',
    },
    {
      name: 'a --set pair without a value',
      command: 'helm upgrade cilium cilium/cilium -n kube-system --set l7Proxy',
      stderr: 'Error: failed parsing --set data: key "l7Proxy" has no value\n',
    },
    {
      name: 'one argument',
      command: 'helm upgrade cilium',
      stderr:
        'Error: "helm upgrade" requires 2 arguments\n\nUsage:  helm upgrade [RELEASE] [CHART] [flags]\n',
    },
    {
      name: 'installing a name that is in use',
      command: 'helm install cilium cilium/cilium --version 1.12.0 -n kube-system',
      stderr: 'Error: INSTALLATION FAILED: cannot re-use a name that is still in use\n',
    },
  ];

  it.each(mistakes)('helm mistakes: $name', async ({ command, stderr }) => {
    const { session } = await installed(3);
    const result = await session.run(command);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(stderr);
  });
});

describe('helm: a changed value reaches the agents', () => {
  it('takes effect at the next agent restart: cilium-config changes at once, the agents after rollout restart', async () => {
    const { session, simulation } = await installed(4);
    const upgrade = await session.run(
      'helm upgrade cilium cilium/cilium --version 1.12.0 -n kube-system --reuse-values --set policyAuditMode=true',
    );
    expect(upgrade.exitCode).toBe(0);
    expect(
      (
        await session.run(
          "kubectl -n kube-system get cm cilium-config -o jsonpath='{.data.policy-audit-mode}'",
        )
      ).stdout,
    ).toBe('true');
    await session.run('sleep 30');
    const cilium = simulation.state.cluster?.cilium;
    expect(cilium?.config.policyAuditMode).toBe(false);
    expect((await session.run('kubectl -n kube-system rollout restart ds/cilium')).stdout).toBe(
      'daemonset.apps/cilium restarted\n',
    );
    const status = await session.run('kubectl -n kube-system rollout status ds/cilium');
    expect(status.stdout).toMatch(
      /^Waiting for daemon set "cilium" rollout to finish: 0 out of 3 new pods have been updated\.\.\.\n/,
    );
    expect(status.stdout).toMatch(/\ndaemon set "cilium" successfully rolled out\n$/);
    // The last agent is Ready before it regenerated the endpoints it restored; then the datapath
    // runs the new configuration.
    await session.run('sleep 15');
    expect(simulation.state.cluster?.cilium?.config.policyAuditMode).toBe(true);
    expect(
      Object.values(simulation.state.cluster?.cilium?.agents ?? {}).every(
        (agent) => agent.config?.policyAuditMode,
      ),
    ).toBe(true);
  });

  it('the docs’ route: kubectl patch cilium-config, then rollout restart and rollout status of ds/cilium', async () => {
    const { session, simulation } = await installed(
      9,
      'helm install cilium cilium/cilium --version 1.18.5 --namespace kube-system',
      recentSetup,
    );
    const patched = await session.run(
      `kubectl -n kube-system patch configmap cilium-config --type merge -p '{"data":{"enable-policy":"always","debug-verbose":"flow"}}'`,
    );
    expect(patched.stdout).toBe('configmap/cilium-config patched\n');
    await session.run('sleep 30');
    // The agents read cilium-config when they start: nothing changes until they restart.
    expect(simulation.state.cluster?.cilium?.config.policyEnforcementMode).toBe('default');
    expect((await session.run('kubectl -n kube-system rollout restart ds/cilium')).stdout).toBe(
      'daemonset.apps/cilium restarted\n',
    );
    const status = await session.run('kubectl -n kube-system rollout status ds/cilium');
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toMatch(/\ndaemon set "cilium" successfully rolled out\n$/);
    expect(simulation.state.cluster?.cilium?.config.policyEnforcementMode).toBe('always');
  });

  it('helm upgrade merges three ways: chart keys win, a patched-in key and the restartedAt annotation stay', async () => {
    const { session, simulation } = await installed(10);
    await session.run(
      `kubectl -n kube-system patch configmap cilium-config --type merge -p '{"data":{"enable-policy":"always","debug-verbose":"flow"}}'`,
    );
    await session.run('kubectl -n kube-system rollout restart ds/cilium');
    await session.run('kubectl -n kube-system rollout status ds/cilium');
    const agentPods = async (): Promise<string> =>
      (await session.run('kubectl -n kube-system get pods -l k8s-app=cilium -o name')).stdout;
    const before = await agentPods();
    const upgrade = await session.run(
      'helm upgrade cilium cilium/cilium --version 1.12.0 -n kube-system --reuse-values --set policyAuditMode=true',
    );
    expect(upgrade.exitCode).toBe(0);
    const data = (
      await session.run(
        "kubectl -n kube-system get cm cilium-config -o jsonpath='{.data.enable-policy} {.data.debug-verbose} {.data.policy-audit-mode}'",
      )
    ).stdout;
    expect(data).toBe('default flow true');
    await session.run('sleep 30');
    // The pod template did not change, so the agents were not restarted.
    expect(await agentPods()).toBe(before);
    const template = (
      await session.run(
        "kubectl -n kube-system get ds cilium -o jsonpath='{.spec.template.metadata.annotations}'",
      )
    ).stdout;
    expect(template).toContain('kubectl.kubernetes.io/restartedAt');
    expect(simulation.state.cluster?.cilium?.config.policyEnforcementMode).toBe('always');
  });

  it('deletes what the new revision no longer renders: cilium-envoy goes with the L7 proxy', async () => {
    const { session } = await installed(
      11,
      'helm install cilium cilium/cilium --version 1.18.5 --namespace kube-system',
      recentSetup,
    );
    const names = async (): Promise<string[]> =>
      (await session.run('kubectl -n kube-system get ds -o name')).stdout.trimEnd().split('\n');
    expect(await names()).toEqual([
      'daemonset.apps/cilium',
      'daemonset.apps/cilium-envoy',
      'daemonset.apps/kube-proxy',
    ]);
    await session.run(
      'helm upgrade cilium cilium/cilium --version 1.18.5 -n kube-system --reuse-values --set l7Proxy=false',
    );
    expect(await names()).toEqual(['daemonset.apps/cilium', 'daemonset.apps/kube-proxy']);
  });

  it('rolls the agents itself when rollOutCiliumPods puts the config checksum on the pod template', async () => {
    const { session, simulation } = await installed(5, `${seedInstall} --set rollOutCiliumPods=true`);
    await session.run(
      'helm upgrade cilium cilium/cilium --version 1.12.0 -n kube-system --reuse-values --set policyAuditMode=true',
    );
    expect((await session.run('kubectl -n kube-system rollout status ds/cilium')).exitCode).toBe(0);
    expect(simulation.state.cluster?.cilium?.config.policyAuditMode).toBe(true);
  });

  it('also takes an edited cilium-config applied with kubectl, at the next restart', async () => {
    const { session, simulation } = await installed(6);
    const current = await session.run('kubectl -n kube-system get cm cilium-config -o yaml');
    const edited = current.stdout
      .replace("policy-audit-mode: 'false'", "policy-audit-mode: 'true'")
      .replace('policy-audit-mode: "false"', 'policy-audit-mode: "true"');
    expect(edited).not.toBe(current.stdout);
    const session2 = new TerminalSession(simulation, { 'cm.yaml': edited }, withSiteRepositories);
    expect((await session2.run('kubectl apply -f cm.yaml')).stdout).toBe(
      'configmap/cilium-config configured\n',
    );
    await session2.run('kubectl -n kube-system rollout restart ds/cilium');
    await session2.run('kubectl -n kube-system rollout status ds/cilium');
    expect(simulation.state.cluster?.cilium?.config.policyAuditMode).toBe(true);
  });

  it('leaves 1.12 agents in CrashLoopBackOff with WireGuard and the L7 proxy, logging the fatal line', async () => {
    const { session } = await installed(7);
    await session.run(
      'helm upgrade cilium cilium/cilium --version 1.12.0 -n kube-system --reuse-values --set l7Proxy=true',
    );
    await session.run('kubectl -n kube-system rollout restart ds/cilium');
    const status = await session.run('kubectl -n kube-system rollout status ds/cilium --timeout=90s');
    expect(status.exitCode).toBe(1);
    expect(status.stderr).toBe('error: timed out waiting for the condition\n');
    const pods = (await session.run('kubectl -n kube-system get pods -l k8s-app=cilium')).stdout
      .split('\n')
      .slice(1, -1);
    const crashing = pods.filter((line) => line.includes('CrashLoopBackOff'));
    // maxUnavailable 2: two nodes got the new agent, which cannot start; the third keeps its old one.
    expect(crashing).toHaveLength(2);
    expect(crashing[0]).toMatch(/^cilium-\w{5} +0\/1 +CrashLoopBackOff +\d+ \(\d+s ago\) +\d+s$/);
    const name = crashing[0]?.split(' ')[0] ?? '';
    const logs = await session.run(`kubectl -n kube-system logs ${name}`);
    expect(logs.stdout.trimEnd().split('\n').pop()).toBe(
      'level=fatal msg="Wireguard (--enable-wireguard) is not compatible with L7 proxy (--enable-l7-proxy)" subsys=daemon',
    );
    expect(logs.stdout).toContain('level=info msg="  --enable-l7-proxy=\'true\'" subsys=daemon');
    const previous = await session.run(`kubectl -n kube-system logs ${name} --previous`);
    expect(previous.stdout.trimEnd().split('\n').pop()).toMatch(/^level=fatal msg="Wireguard/);
  });

  it('uninstalls the release: its DaemonSet, Deployment and ConfigMap go, and the agents stop', async () => {
    const { session, simulation } = await installed(8);
    expect((await session.run('helm uninstall cilium -n kube-system')).stdout).toBe(
      'release "cilium" uninstalled\n',
    );
    await session.run('sleep 10');
    expect((await session.run('kubectl -n kube-system get ds,cm')).stdout).not.toMatch(/cilium/);
    expect(Object.values(simulation.state.cluster?.cilium?.agents ?? {}).some((agent) => agent.running)).toBe(
      false,
    );
    expect((await session.run('helm list -A')).stdout.split('\n')).toHaveLength(2);
  });
});
