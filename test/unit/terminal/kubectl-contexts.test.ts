// Goal: kubectl follows the kubeconfig kind writes — a context per cluster, the newest cluster made
// current, `--context` aiming one command at another cluster, and no current context once its
// cluster is deleted — with kubectl's own wording for config, cluster-info and version.
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../simulator/simulation';
import { chooseSetup, type LabSetup } from '../../../simulator/setup';
import { TerminalSession } from '../../../simulator/terminal/session';

const experimentSetup = chooseSetup({ cilium: ['1.12.0'], date: '2022-07-29' });
const twoClusters = ['kind create cluster', 'kind create cluster --name two'];

interface ContextCase {
  readonly name: string;
  readonly before?: readonly string[];
  readonly line: string;
  readonly setup?: LabSetup;
  readonly exitCode: number;
  readonly stdout?: string | RegExp;
  readonly stderr?: string | RegExp;
}

const exactly = (text: string): RegExp => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

function checkCases(title: string, cases: readonly ContextCase[]): void {
  describe(title, () => {
    it.each(cases)(`${title}: $name`, async ({ before, line, setup, exitCode, stdout, stderr }) => {
      const session = new TerminalSession(new Simulation(5, setup === undefined ? {} : { setup }));
      for (const command of before ?? []) await session.run(command);
      const result = await session.run(line);
      expect(result.exitCode).toBe(exitCode);
      if (stdout !== undefined) expect(result.stdout).toMatch(stdout);
      if (stderr !== undefined) expect(result.stderr).toMatch(stderr);
    });
  });
}

checkCases('kubectl config', [
  {
    name: 'get-contexts marks the newest cluster current',
    before: twoClusters,
    line: 'kubectl config get-contexts',
    exitCode: 0,
    stdout: exactly(
      'CURRENT   NAME        CLUSTER     AUTHINFO    NAMESPACE\n          kind-kind   kind-kind   kind-kind   \n*         kind-two    kind-two    kind-two    \n',
    ),
  },
  {
    name: 'get-contexts -o name',
    before: twoClusters,
    line: 'kubectl config get-contexts -o name',
    exitCode: 0,
    stdout: exactly('kind-kind\nkind-two\n'),
  },
  {
    name: 'get-contexts of a context that does not exist',
    before: twoClusters,
    line: 'kubectl config get-contexts kind-nope',
    exitCode: 1,
    stderr: exactly('error: context kind-nope not found\n'),
  },
  {
    name: 'current-context',
    before: twoClusters,
    line: 'kubectl config current-context',
    exitCode: 0,
    stdout: exactly('kind-two\n'),
  },
  {
    name: 'current-context before any cluster',
    line: 'kubectl config current-context',
    exitCode: 1,
    stderr: exactly('error: current-context is not set\n'),
  },
  {
    name: 'current-context once its cluster is deleted',
    before: [...twoClusters, 'kind delete cluster --name two'],
    line: 'kubectl config current-context',
    exitCode: 1,
    stderr: exactly('error: current-context is not set\n'),
  },
  {
    name: 'use-context',
    before: twoClusters,
    line: 'kubectl config use-context kind-kind && kubectl get nodes -o name',
    exitCode: 0,
    stdout: exactly('Switched to context "kind-kind".\nnode/kind-control-plane\n'),
  },
  {
    name: 'use-context of a context that does not exist',
    before: twoClusters,
    line: 'kubectl config use-context kind-nope',
    exitCode: 1,
    stderr: exactly('error: no context exists with the name: "kind-nope"\n'),
  },
  {
    name: 'get-clusters',
    before: twoClusters,
    line: 'kubectl config get-clusters',
    exitCode: 0,
    stdout: exactly('NAME\nkind-kind\nkind-two\n'),
  },
  {
    name: 'view --minify shows the current context only, without key material',
    before: twoClusters,
    line: 'kubectl config view --minify',
    exitCode: 0,
    stdout:
      /^apiVersion: v1\nclusters:\n- cluster:\n {4}certificate-authority-data: DATA\+OMITTED\n {4}server: https:\/\/127\.0\.0\.1:\d+\n {2}name: kind-two\ncontexts:\n- context:\n {4}cluster: kind-two\n {4}user: kind-two\n {2}name: kind-two\ncurrent-context: kind-two\n/,
  },
]);

checkCases('kubectl --context', [
  {
    name: 'reads the named cluster',
    before: twoClusters,
    line: 'kubectl --context kind-kind get nodes -o name',
    exitCode: 0,
    stdout: exactly('node/kind-control-plane\n'),
  },
  {
    name: '--context=NAME after the subcommand',
    before: twoClusters,
    line: 'kubectl get nodes -o name --context=kind-kind',
    exitCode: 0,
    stdout: exactly('node/kind-control-plane\n'),
  },
  {
    name: 'without it, the current context’s cluster',
    before: twoClusters,
    line: 'kubectl get nodes -o name',
    exitCode: 0,
    stdout: exactly('node/two-control-plane\n'),
  },
  {
    name: 'writes to the named cluster only',
    before: [...twoClusters, 'kubectl --context kind-kind create namespace only-in-kind'],
    line: 'kubectl --context kind-kind get namespace only-in-kind -o name; kubectl get namespace only-in-kind',
    exitCode: 1,
    stdout: exactly('namespace/only-in-kind\n'),
    stderr: /namespaces "only-in-kind" not found/,
  },
  {
    name: 'a context that does not exist',
    before: twoClusters,
    line: 'kubectl --context kind-nope get pods',
    exitCode: 1,
    stderr: exactly('error: context was not found for specified context: kind-nope\n'),
  },
  {
    name: 'no current context after deleting its cluster',
    before: [...twoClusters, 'kind delete cluster --name two'],
    line: 'kubectl get pods',
    exitCode: 1,
    stderr: exactly(
      'The connection to the server localhost:8080 was refused - did you specify the right host or port?\n',
    ),
  },
  {
    name: 'the other cluster is still reachable by name',
    before: [...twoClusters, 'kind delete cluster --name two'],
    line: 'kubectl --context kind-kind get nodes -o name',
    exitCode: 0,
    stdout: exactly('node/kind-control-plane\n'),
  },
]);

checkCases('kubectl cluster-info', [
  {
    name: 'where the current cluster’s API server and CoreDNS are',
    before: ['kind create cluster'],
    line: 'kubectl cluster-info',
    exitCode: 0,
    stdout:
      /^Kubernetes control plane is running at https:\/\/127\.0\.0\.1:(\d+)\nCoreDNS is running at https:\/\/127\.0\.0\.1:\1\/api\/v1\/namespaces\/kube-system\/services\/kube-dns:dns\/proxy\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'\.\n$/,
  },
  {
    name: '--context, as kind suggests',
    before: twoClusters,
    line: 'kubectl cluster-info --context kind-kind | head -1; kind get kubeconfig --name kind | grep server',
    exitCode: 0,
    stdout: /^Kubernetes control plane is running at (https:\/\/127\.0\.0\.1:\d+)\n {4}server: \1\n$/,
  },
  {
    name: 'without a cluster',
    line: 'kubectl cluster-info',
    exitCode: 1,
    stdout: exactly("\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n"),
    stderr: exactly(
      'The connection to the server localhost:8080 was refused - did you specify the right host or port?\n',
    ),
  },
]);

checkCases('kubectl version', [
  {
    name: 'kubectl 1.33 against the default image',
    before: ['kind create cluster'],
    line: 'kubectl version',
    exitCode: 0,
    stdout: exactly('Client Version: v1.33.1\nKustomize Version: v5.6.0\nServer Version: v1.33.1\n'),
    stderr: exactly(''),
  },
  {
    name: 'the node image chosen with --image',
    before: ['kind create cluster --image kindest/node:v1.32.5'],
    line: 'kubectl version',
    exitCode: 0,
    stdout: /Server Version: v1\.32\.5\n$/,
  },
  {
    name: 'a server beyond the supported skew',
    before: ['kind create cluster --image kindest/node:v1.30.13'],
    line: 'kubectl version',
    exitCode: 0,
    stderr: exactly(
      'WARNING: version difference between client (1.33) and server (1.30) exceeds the supported minor version skew of +/-1\n',
    ),
  },
  {
    name: 'kubectl 1.24’s long form in 2022',
    setup: experimentSetup,
    before: ['kind create cluster'],
    line: 'kubectl version',
    exitCode: 0,
    stdout: exactly(
      'Client Version: version.Info{Major:"1", Minor:"24", GitVersion:"v1.24.0", GitCommit:"4ce5a8954017644c5420bae81d72b09b735c21f0", GitTreeState:"clean", BuildDate:"2022-05-03T13:46:05Z", GoVersion:"go1.18.1", Compiler:"gc", Platform:"linux/amd64"}\nKustomize Version: v4.5.4\nServer Version: version.Info{Major:"1", Minor:"24", GitVersion:"v1.24.0", GitCommit:"4ce5a8954017644c5420bae81d72b09b735c21f0", GitTreeState:"clean", BuildDate:"2022-05-03T13:46:05Z", GoVersion:"go1.18.1", Compiler:"gc", Platform:"linux/amd64"}\n',
    ),
    stderr:
      /^WARNING: This version information is deprecated and will be replaced with the output from kubectl version --short\./,
  },
  {
    name: '--short in 2022',
    setup: experimentSetup,
    before: ['kind create cluster'],
    line: 'kubectl version --short',
    exitCode: 0,
    stdout: exactly('Client Version: v1.24.0\nKustomize Version: v4.5.4\nServer Version: v1.24.0\n'),
  },
  {
    name: '--short after kubectl 1.28 dropped it',
    before: ['kind create cluster'],
    line: 'kubectl version --short',
    exitCode: 1,
    stderr: exactly('error: unknown flag: --short\n'),
  },
  {
    name: '--client without a cluster',
    line: 'kubectl version --client',
    exitCode: 0,
    stdout: exactly('Client Version: v1.33.1\nKustomize Version: v5.6.0\n'),
  },
  {
    name: 'without a cluster',
    line: 'kubectl version',
    exitCode: 1,
    stdout: exactly('Client Version: v1.33.1\nKustomize Version: v5.6.0\n'),
    stderr: exactly(
      'The connection to the server localhost:8080 was refused - did you specify the right host or port?\n',
    ),
  },
]);

describe('kubectl inside a node container', () => {
  it('uses the kubeconfig of the node’s own cluster, whatever the current context', async () => {
    const session = new TerminalSession(new Simulation(5));
    for (const line of twoClusters) await session.run(line);
    const inside = await session.run("docker exec kind-control-plane bash -c 'kubectl get nodes -o name'");
    expect(inside).toMatchObject({ stdout: 'node/kind-control-plane\n', exitCode: 0 });
  });
});
