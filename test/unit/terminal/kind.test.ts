// Goal: `kind` answers as kind v0.30.0 does (its commands, flags, wording and exit status), for
// the commands a reader types, the mistakes they make, and several clusters side by side.
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../simulator/simulation';
import { chooseSetup, startOfDay, type LabSetup } from '../../../simulator/setup';
import { TerminalSession } from '../../../simulator/terminal/session';
import { allClusters } from '../../../simulator/k8s/clusters';

/** A terminal on a fresh machine, set up on a day (the default: the Cilium 1.18 documentation's). */
const terminal = (setup?: LabSetup): TerminalSession =>
  new TerminalSession(new Simulation(7, setup === undefined ? {} : { setup }));

/** The 2022 experiment's machine: kind v0.14.0, Kubernetes 1.24. */
const experimentSetup = chooseSetup({ cilium: ['1.12.0'], date: '2022-07-29' });

const noCniConfig = `kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
- role: control-plane
- role: worker
- role: worker
networking:
  disableDefaultCNI: true
`;

const createLog = (name: string, image: string, extra: string[] = []): string =>
  [
    `Creating cluster "${name}" ...`,
    ` ✓ Ensuring node image (${image}) 🖼`,
    ' ✓ Preparing nodes 📦',
    ' ✓ Writing configuration 📜',
    ' ✓ Starting control-plane 🕹️',
    ' ✓ Installing CNI 🔌',
    ' ✓ Installing StorageClass 💾',
    ...extra,
    `Set kubectl context to "kind-${name}"`,
    'You can now use your cluster with:',
    '',
    `kubectl cluster-info --context kind-${name}`,
    '',
    'Have a nice day! 👋',
    '',
  ].join('\n');

interface KindCase {
  readonly name: string;
  /** Command lines run first, whose output is not checked. */
  readonly before?: readonly string[];
  readonly line: string;
  readonly setup?: LabSetup;
  readonly exitCode: number;
  readonly stdout?: string | RegExp;
  readonly stderr?: string | RegExp;
  /** Checked after the line: a command and what it prints on standard output. */
  readonly then?: { line: string; stdout: string | RegExp };
}

function checkCases(title: string, cases: readonly KindCase[]): void {
  describe(title, () => {
    it.each(cases)(`${title}: $name`, async ({ before, line, setup, exitCode, stdout, stderr, then }) => {
      const session = terminal(setup);
      for (const command of before ?? []) await session.run(command);
      const result = await session.run(line);
      expect(result.exitCode).toBe(exitCode);
      if (stdout !== undefined) expect(result.stdout).toMatch(stdout);
      if (stderr !== undefined) expect(result.stderr).toMatch(stderr);
      if (then !== undefined) expect((await session.run(then.line)).stdout).toMatch(then.stdout);
    });
  });
}

/** An exact match, for the table's string expectations. */
const exactly = (text: string): RegExp => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

checkCases('kind: version and help', [
  {
    name: 'the release of the default setup',
    line: 'kind version',
    exitCode: 0,
    stdout: exactly('kind v0.29.0 go1.24.2 linux/amd64\n'),
  },
  {
    name: 'the release of the 2022 experiment',
    setup: experimentSetup,
    line: 'kind version',
    exitCode: 0,
    stdout: exactly('kind v0.14.0 go1.18.2 linux/amd64\n'),
  },
  {
    name: 'v0.32.0, built with Go 1.26.3, boots kindest/node:v1.36.1 by default',
    setup: { startMs: startOfDay('2026-07-01'), kindRelease: 'v0.32.0' },
    line: 'kind version',
    exitCode: 0,
    stdout: exactly('kind v0.32.0 go1.26.3 linux/amd64\n'),
    then: {
      line: 'kind create cluster 2>/dev/null; kubectl get nodes -o wide --no-headers',
      stdout:
        /^kind-control-plane +Ready +control-plane +\d+s +v1\.36\.1 +172\.18\.0\.\d+ +<none> +Debian GNU\/Linux 13 \(trixie\) +\S+ +containerd:\/\/2\.3\.1\n$/,
    },
  },
  {
    name: '--version as cobra prints it',
    line: 'kind --version',
    exitCode: 0,
    stdout: exactly('kind version 0.29.0\n'),
  },
  {
    name: 'no command prints the help',
    line: 'kind',
    exitCode: 0,
    stdout: /^kind creates and manages local Kubernetes clusters/,
  },
  {
    name: 'a group without its subcommand',
    line: 'kind create',
    exitCode: 1,
    stdout: /^Creates one of \[cluster\]\n\nUsage:\n {2}kind create \[flags\]/,
    stderr: exactly('ERROR: Subcommand is required\n'),
  },
  {
    name: 'a mistyped command with cobra’s suggestion',
    line: 'kind creat cluster',
    exitCode: 1,
    stderr: exactly('ERROR: unknown command "creat" for "kind"\n\nDid you mean this?\n\tcreate\n'),
  },
]);

checkCases('kind: create cluster', [
  {
    name: 'the default cluster with the default image of kind v0.29.0',
    line: 'kind create cluster',
    exitCode: 0,
    stdout: exactly(''),
    stderr: exactly(createLog('kind', 'kindest/node:v1.33.1')),
    then: { line: 'kind get clusters', stdout: exactly('kind\n') },
  },
  {
    name: 'the 2022 experiment’s image, Kubernetes 1.24.0',
    setup: experimentSetup,
    line: 'kind create cluster',
    exitCode: 0,
    stderr: exactly(createLog('kind', 'kindest/node:v1.24.0')),
    then: {
      line: 'kubectl get nodes',
      stdout: /kind-control-plane {3}Ready {4}control-plane {3}45s {3}v1\.24\.0\n$/,
    },
  },
  {
    name: '--name and a second cluster beside the first',
    before: ['kind create cluster'],
    line: 'kind create cluster --name two',
    exitCode: 0,
    stderr: exactly(createLog('two', 'kindest/node:v1.33.1')),
    then: { line: 'kind get clusters', stdout: exactly('kind\ntwo\n') },
  },
  {
    name: '-n as --name',
    line: 'kind create cluster -n blue',
    exitCode: 0,
    then: { line: 'kind get nodes --name blue', stdout: exactly('blue-control-plane\n') },
  },
  {
    name: 'KIND_CLUSTER_NAME in place of the default name',
    line: 'KIND_CLUSTER_NAME=green kind create cluster',
    exitCode: 0,
    then: { line: 'kind get clusters', stdout: exactly('green\n') },
  },
  {
    name: 'a cluster of that name exists',
    before: ['kind create cluster'],
    line: 'kind create cluster',
    exitCode: 1,
    stderr: exactly(
      'ERROR: failed to create cluster: node(s) already exist for a cluster with the name "kind"\n',
    ),
  },
  {
    name: '--config=FILE written in the shell',
    before: [`cat > kind-config.yaml <<'EOF'\n${noCniConfig}EOF`],
    line: 'kind create cluster --config=kind-config.yaml',
    exitCode: 0,
    stderr:
      /Preparing nodes 📦 📦 📦\n ✓ Writing configuration 📜\n ✓ Starting control-plane 🕹️\n ✓ Installing StorageClass 💾\n ✓ Joining worker nodes 🚜\n/,
    then: { line: 'kind get nodes', stdout: exactly('kind-control-plane\nkind-worker\nkind-worker2\n') },
  },
  {
    name: '--config FILE as a separate argument',
    before: [`cat > kind-config.yaml <<'EOF'\n${noCniConfig}EOF`],
    line: 'kind create cluster --config kind-config.yaml',
    exitCode: 0,
    then: { line: 'kind get nodes', stdout: exactly('kind-control-plane\nkind-worker\nkind-worker2\n') },
  },
  {
    name: '--config=- from standard input',
    line: `kind create cluster --config=- <<'EOF'\n${noCniConfig}EOF`,
    exitCode: 0,
    then: { line: 'kind get nodes', stdout: exactly('kind-control-plane\nkind-worker\nkind-worker2\n') },
  },
  {
    name: 'a config file that does not exist',
    line: 'kind create cluster --config=kind-config.yaml',
    exitCode: 1,
    stderr: exactly(
      'ERROR: failed to create cluster: error reading file: open kind-config.yaml: no such file or directory\n',
    ),
  },
  {
    name: 'a field kind’s strict decoder does not know',
    line: "kind create cluster --config=- <<'EOF'\nkind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nworkers: 3\nnodes:\n- role: control-plane\n  imge: x\nEOF",
    exitCode: 1,
    stderr: exactly(
      'ERROR: failed to create cluster: unable to decode config: yaml: unmarshal errors:\n  line 3: field workers not found in type v1alpha4.Cluster\n  line 6: field imge not found in type v1alpha4.Node\n',
    ),
  },
  {
    name: 'an apiVersion kind does not read',
    line: "kind create cluster --config=- <<'EOF'\nkind: Cluster\napiVersion: kind.x-k8s.io/v1alpha3\nEOF",
    exitCode: 1,
    stderr: exactly('ERROR: failed to create cluster: unknown apiVersion: kind.x-k8s.io/v1alpha3\n'),
  },
  {
    name: 'an empty config',
    line: 'kind create cluster --config=- </dev/null',
    exitCode: 1,
    stderr: exactly('ERROR: failed to create cluster: unknown apiVersion: \n'),
  },
  {
    name: 'a node role that does not exist',
    line: "kind create cluster --config=- <<'EOF'\nkind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n- role: master\nEOF",
    exitCode: 1,
    stderr: exactly(
      'ERROR: failed to create cluster: invalid configuration for node 1: "master" is not a valid node role\n',
    ),
  },
  {
    name: 'a pod subnet that is no CIDR',
    line: "kind create cluster --config=- <<'EOF'\nkind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  podSubnet: 10.244.0.0\nEOF",
    exitCode: 1,
    stderr: exactly(
      'ERROR: failed to create cluster: invalid pod subnet failed to parse cidr value:"10.244.0.0" with error: invalid CIDR address: 10.244.0.0\n',
    ),
  },
  {
    name: 'a name kind refuses',
    line: 'kind create cluster --name Bad_Name',
    exitCode: 1,
    stderr: exactly(
      "ERROR: failed to create cluster: 'Bad_Name' is not a valid cluster name, cluster names must match `^[a-z0-9.-]+$`\n",
    ),
  },
  {
    name: '--image with an image published by then',
    line: 'kind create cluster --image kindest/node:v1.32.5',
    exitCode: 0,
    stderr: /Ensuring node image \(kindest\/node:v1\.32\.5\) 🖼/,
    then: { line: 'kubectl get nodes', stdout: /v1\.32\.5\n$/ },
  },
  {
    name: '--image=… with a digest, printed without it',
    line: 'kind create cluster --image=kindest/node:v1.33.4@sha256:25a6018e48dfcaee478f4a59af81157a437f15e6e140bf103f85a2e7cd0cbbf2',
    setup: chooseSetup({ date: '2025-09-01' }),
    exitCode: 0,
    stderr: /Ensuring node image \(kindest\/node:v1\.33\.4\) 🖼/,
  },
  {
    name: '--image with a tag no release has published',
    line: 'kind create cluster --image kindest/node:v1.99.0',
    exitCode: 1,
    stderr: exactly(
      'Creating cluster "kind" ...\n ✗ Ensuring node image (kindest/node:v1.99.0) 🖼\nERROR: failed to create cluster: failed to pull image "kindest/node:v1.99.0": command "docker pull kindest/node:v1.99.0" failed with error: exit status 1\nCommand Output: Error response from daemon: manifest for kindest/node:v1.99.0 not found: manifest unknown: manifest unknown\n',
    ),
    then: { line: 'kind get clusters 2>&1', stdout: exactly('No kind clusters found.\n') },
  },
  {
    name: '--image of a release that comes after the world’s day',
    setup: experimentSetup,
    line: 'kind create cluster --image kindest/node:v1.33.1',
    exitCode: 1,
    stderr:
      /✗ Ensuring node image \(kindest\/node:v1\.33\.1\) 🖼\nERROR: failed to create cluster: failed to pull image/,
  },
  {
    name: '--wait on a cluster whose CNI is left to the reader',
    line: `kind create cluster --wait 30s --config=- <<'EOF'\n${noCniConfig}EOF`,
    exitCode: 0,
    stderr:
      / ✓ Joining worker nodes 🚜\n ✗ Waiting ≤ 30s for control-plane = Ready ⏳\n • WARNING: Timed out waiting for Ready ⚠️\nSet kubectl context/,
  },
  {
    name: '--wait on a cluster with kind’s own CNI',
    line: 'kind create cluster --wait=5m',
    exitCode: 0,
    stderr:
      / ✓ Installing StorageClass 💾\n ✓ Waiting ≤ 5m0s for control-plane = Ready ⏳\n • Ready after 0s 💚\n/,
  },
  {
    name: '--wait without a unit',
    line: 'kind create cluster --wait 5',
    exitCode: 1,
    stderr: exactly('ERROR: invalid argument "5" for "--wait" flag: time: missing unit in duration "5"\n'),
  },
  {
    name: 'an unknown flag',
    line: 'kind create cluster --nme x',
    exitCode: 1,
    stderr: exactly('ERROR: unknown flag: --nme\n'),
  },
  {
    name: 'a flag without its value',
    line: 'kind create cluster --name',
    exitCode: 1,
    stderr: exactly('ERROR: flag needs an argument: --name\n'),
  },
  {
    name: 'an argument the command does not take',
    line: 'kind create cluster two',
    exitCode: 1,
    stderr: exactly('ERROR: unknown command "two" for "kind create cluster"\n'),
  },
  { name: '-q silences the log', line: 'kind create cluster -q', exitCode: 0, stderr: exactly('') },
]);

checkCases('kind: delete', [
  {
    name: 'the default cluster and its nodes',
    before: [`kind create cluster --config=- <<'EOF'\n${noCniConfig}EOF`],
    line: 'kind delete cluster',
    exitCode: 0,
    stderr: exactly(
      'Deleting cluster "kind" ...\nDeleted nodes: ["kind-control-plane" "kind-worker" "kind-worker2"]\n',
    ),
    then: { line: 'kind get clusters 2>&1', stdout: exactly('No kind clusters found.\n') },
  },
  {
    name: 'a cluster that does not exist, which is no error',
    line: 'kind delete cluster --name nope',
    exitCode: 0,
    stderr: exactly('Deleting cluster "nope" ...\n'),
  },
  {
    name: 'one of two clusters, leaving the other',
    before: ['kind create cluster', 'kind create cluster --name two'],
    line: 'kind delete cluster --name two',
    exitCode: 0,
    stderr: exactly('Deleting cluster "two" ...\nDeleted nodes: ["two-control-plane"]\n'),
    then: { line: 'kind get clusters', stdout: exactly('kind\n') },
  },
  {
    name: 'several clusters by name',
    before: ['kind create cluster', 'kind create cluster --name two'],
    line: 'kind delete clusters kind two nope',
    exitCode: 0,
    stderr: exactly(
      'Deleted nodes: ["kind-control-plane"]\nDeleted nodes: ["two-control-plane"]\nDeleted clusters: ["kind" "two" "nope"]\n',
    ),
  },
  {
    name: 'every cluster',
    before: ['kind create cluster', 'kind create cluster --name two'],
    line: 'kind delete clusters --all',
    exitCode: 0,
    stderr: /Deleted clusters: \["kind" "two"\]\n$/,
    then: { line: 'kind get clusters 2>&1', stdout: exactly('No kind clusters found.\n') },
  },
  {
    name: 'clusters without names',
    line: 'kind delete clusters',
    exitCode: 1,
    stderr: exactly('ERROR: no cluster names provided\n'),
  },
]);

checkCases('kind: get and export', [
  {
    name: 'no clusters',
    line: 'kind get clusters',
    exitCode: 0,
    stdout: exactly(''),
    stderr: exactly('No kind clusters found.\n'),
  },
  {
    name: 'the nodes of a cluster that does not exist',
    line: 'kind get nodes --name nope',
    exitCode: 0,
    stderr: exactly('No kind nodes found for cluster "nope".\n'),
  },
  {
    name: 'the nodes of every cluster',
    before: ['kind create cluster', 'kind create cluster --name two'],
    line: 'kind get nodes -A',
    exitCode: 0,
    stdout: exactly('kind-control-plane\ntwo-control-plane\n'),
  },
  {
    name: 'the kubeconfig of a cluster',
    before: ['kind create cluster'],
    line: 'kind get kubeconfig',
    exitCode: 0,
    stdout:
      /^apiVersion: v1\nclusters:\n- cluster:\n {4}certificate-authority-data: [A-Za-z0-9+/=]+\n {4}server: https:\/\/127\.0\.0\.1:\d{5}\n {2}name: kind-kind\ncontexts:\n- context:\n {4}cluster: kind-kind\n {4}user: kind-kind\n {2}name: kind-kind\ncurrent-context: kind-kind\nkind: Config\n/,
  },
  {
    name: 'the internal kubeconfig',
    before: ['kind create cluster'],
    line: 'kind get kubeconfig --internal',
    exitCode: 0,
    stdout: /server: https:\/\/kind-control-plane:6443\n/,
  },
  {
    name: 'the kubeconfig of a cluster that does not exist',
    line: 'kind get kubeconfig --name nope',
    exitCode: 1,
    stderr: exactly(
      "ERROR: could not locate any control plane nodes for cluster named 'nope'. Use the --name option to select a different cluster\n",
    ),
  },
  {
    name: 'export kubeconfig brings a context back',
    before: ['kind create cluster', 'kind create cluster --name two', 'kind delete cluster --name two'],
    line: 'kind export kubeconfig',
    exitCode: 0,
    stderr: exactly('Set kubectl context to "kind-kind"\n'),
    then: { line: 'kubectl config current-context', stdout: exactly('kind-kind\n') },
  },
]);

checkCases('kind: load docker-image', [
  {
    name: 'into every node of the named cluster',
    before: ['kind create cluster', `kind create cluster --name two --config=- <<'EOF'\n${noCniConfig}EOF`],
    line: 'kind load docker-image quay.io/cilium/cilium:v1.18.5 --name two',
    exitCode: 0,
    stderr:
      /^Image: "quay\.io\/cilium\/cilium:v1\.18\.5" with ID "sha256:[0-9a-f]{64}" not yet present on node "two-control-plane", loading\.\.\.\nImage: .* on node "two-worker", loading\.\.\.\nImage: .* on node "two-worker2", loading\.\.\.\n$/,
  },
  {
    name: 'into the listed nodes only',
    before: [`kind create cluster --config=- <<'EOF'\n${noCniConfig}EOF`],
    line: 'kind load docker-image busybox --nodes kind-worker',
    exitCode: 0,
    stderr:
      /^Image: "busybox" with ID "sha256:[0-9a-f]{64}" not yet present on node "kind-worker", loading\.\.\.\n$/,
  },
  {
    name: 'a node the cluster does not have',
    before: ['kind create cluster'],
    line: 'kind load docker-image busybox --nodes kind-worker9',
    exitCode: 1,
    stderr: exactly('ERROR: unknown node: "kind-worker9"\n'),
  },
  {
    name: 'a cluster that does not exist',
    line: 'kind load docker-image busybox --name nope',
    exitCode: 1,
    stderr: exactly('ERROR: no nodes found for cluster "nope"\n'),
  },
  {
    name: 'no image',
    line: 'kind load docker-image',
    exitCode: 1,
    stderr: exactly('ERROR: a list of image names is required\n'),
  },
]);

describe('kind: the Docker network shared by every cluster', () => {
  it('gives a second cluster’s nodes addresses the first does not use, and docker sees them all', async () => {
    const session = terminal();
    await session.run(`kind create cluster --config=- <<'EOF'\n${noCniConfig}EOF`);
    await session.run('kind create cluster --name two');
    const addresses = (await session.run("docker ps --format '{{.Names}} {{.Ports}}'")).stdout;
    expect(
      addresses
        .split('\n')
        .filter((line) => line !== '')
        .sort(),
    ).toEqual([
      expect.stringMatching(/^kind-control-plane 127\.0\.0\.1:\d+->6443\/tcp$/),
      'kind-worker ',
      'kind-worker2 ',
      expect.stringMatching(/^two-control-plane 127\.0\.0\.1:\d+->6443\/tcp$/),
    ]);
    const world = session.simulation.state;
    const ips = allClusters(world).flatMap((cluster) =>
      Object.values(cluster.nodes).map((node) => node.internalIP),
    );
    expect(ips.sort()).toEqual(['172.18.0.2', '172.18.0.3', '172.18.0.4', '172.18.0.5']);
    // docker exec reaches a node of the cluster that is not the current context's.
    expect(await session.run('kubectl config use-context kind-kind')).toMatchObject({ exitCode: 0 });
    const crictl = await session.run('docker exec two-control-plane crictl ps');
    expect(crictl).toMatchObject({ exitCode: 0 });
    expect(crictl.stdout).toMatch(/^CONTAINER\s+IMAGE\s+CREATED\s+STATE\s+NAME/);
  });

  it('reaches a node of the cluster that is not the current context’s from the reader’s machine', async () => {
    const session = terminal();
    await session.run('kind create cluster --name two');
    await session.run('kind create cluster');
    const address = session.simulation.state.otherClusters?.two?.nodes['two-control-plane']?.internalIP ?? '';
    const ping = await session.run(`ping -c 1 ${address}`);
    expect(ping.exitCode).toBe(0);
    expect(ping.stdout).toContain('1 packets transmitted, 1 received, 0% packet loss');
  });

  it('lists the node containers in docker’s table, newest first', async () => {
    const session = terminal();
    await session.run('kind create cluster');
    await session.run('sleep 60');
    await session.run('kind create cluster --name two');
    const table = (await session.run('docker ps')).stdout.split('\n');
    expect(table[0]).toMatch(
      /^CONTAINER ID {3}IMAGE {2,}COMMAND {18}CREATED {2,}STATUS {2,}PORTS {2,}NAMES$/,
    );
    expect(table[1]).toMatch(
      /^[0-9a-f]{12} {3}kindest\/node:v1\.33\.1@sha256:[0-9a-f]{64} {3}"\/usr\/local\/bin\/entr…" {3}45 seconds ago {3}Up 45 seconds {3}127\.0\.0\.1:\d+->6443\/tcp {3}two-control-plane$/,
    );
    expect(table[2]).toMatch(
      / 2 minutes ago {4}Up 2 minutes {4}127\.0\.0\.1:\d+->6443\/tcp {3}kind-control-plane$/,
    );
    expect(await session.run('docker ps extra')).toMatchObject({ exitCode: 1 });
  });
});

const twoNodeConfig = `kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
- role: control-plane
- role: worker
`;
const taintsOf =
  "kubectl get node kind-control-plane -o jsonpath='{range .spec.taints[*]}{.key}:{.effect} {end}'";

checkCases('kind: the control plane taints', [
  {
    name: 'a single-node cluster has none, so its pods can run (kind removes them)',
    before: ['kind create cluster'],
    line: taintsOf,
    exitCode: 0,
    stdout: exactly(''),
  },
  {
    name: 'a single-node cluster runs a plain Deployment',
    before: ['kind create cluster', 'kubectl create deployment web --image=nginx', 'sleep 20'],
    line: "kubectl get pods -l app=web -o jsonpath='{.items[0].status.phase}'",
    exitCode: 0,
    stdout: exactly('Running'),
  },
  {
    name: 'Kubernetes 1.24 with workers: kubeadm 1.24 sets both the master and the control-plane taint',
    setup: experimentSetup,
    before: [`cat > two.yaml <<'EOF'\n${twoNodeConfig}EOF`, 'kind create cluster --config two.yaml'],
    line: taintsOf,
    exitCode: 0,
    stdout: exactly(
      'node-role.kubernetes.io/master:NoSchedule node-role.kubernetes.io/control-plane:NoSchedule ',
    ),
  },
  {
    name: 'Kubernetes 1.33 with workers: only the control-plane taint',
    before: [`cat > two.yaml <<'EOF'\n${twoNodeConfig}EOF`, 'kind create cluster --config two.yaml'],
    line: taintsOf,
    exitCode: 0,
    stdout: exactly('node-role.kubernetes.io/control-plane:NoSchedule '),
  },
]);
