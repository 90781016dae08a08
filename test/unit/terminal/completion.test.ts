import { describe, expect, it } from 'vitest';
import { TerminalSession } from '../../../simulator/terminal/session';
import { lastCommandWords } from '../../../simulator/terminal/completion';
import { clusterWithCilium, replayedCopies } from '../simulator/support';

// Tab completion offers what bash with the tools' completion scripts would: commands, subcommands,
// flags and their values, the API server's objects, and the files the reader wrote.
const ciliumCluster = replayedCopies(() => clusterWithCilium(1));

/** A terminal on a kind cluster with Cilium, with a file and a directory the reader wrote. */
async function terminal(): Promise<TerminalSession> {
  const session = new TerminalSession(ciliumCluster());
  await session.run('mkdir manifests; echo a > policy.yaml; echo b > manifests/pod.yaml');
  return session;
}

/** The candidates for a line, each as the whole word it would become. */
async function candidates(session: TerminalSession, line: string): Promise<string[]> {
  return (await session.complete(line)).candidates;
}

describe('tab completion', () => {
  describe('offers exactly these candidates', () => {
    it.each([
      ['a command', 'kub', ['kubectl']],
      ['a kubectl subcommand', 'kubectl desc', ['describe']],
      ['a resource type by its plural name', 'kubectl get po', ['pods']],
      // kubectl completes `api-resources -o name --verbs=get` lines (apiresources.go CompGetResourceList).
      ['a resource type outside the core group, with its group', 'kubectl get dep', ['deployments.apps']],
      [
        "an installed CRD's resource type",
        'kubectl describe ciliumn',
        ['ciliumnetworkpolicies.cilium.io', 'ciliumnodes.cilium.io'],
      ],
      ['the kubectl subcommands for discovery', 'kubectl api-', ['api-resources', 'api-versions']],
      ['a namespace after -n', 'kubectl -n kube-', ['kube-node-lease', 'kube-public', 'kube-system']],
      ['an output format', 'kubectl get pods -o j', ['json', 'jsonpath=']],
      ['a long flag of the subcommand', 'kubectl get pods --all-n', ['--all-namespaces']],
      ['a rollout subcommand', 'kubectl rollout st', ['status']],
      [
        'a cilium-dbg subcommand in an agent pod',
        'kubectl -n kube-system exec ds/cilium -- cilium-dbg mon',
        ['monitor'],
      ],
      [
        'a cilium-dbg endpoint subcommand',
        'kubectl -n kube-system exec ds/cilium -- cilium-dbg endpoint lo',
        ['log'],
      ],
      [
        'a cilium-dbg policy subcommand',
        'kubectl -n kube-system exec ds/cilium -- cilium-dbg policy sel',
        ['selectors'],
      ],
      [
        'a cilium-dbg monitor type',
        'kubectl -n kube-system exec ds/cilium -- cilium-dbg monitor --type l',
        ['l7'],
      ],
      ['a hubble subcommand', 'hubble obs', ['observe']],
      ['a cilium hubble subcommand on the reader machine', 'cilium hubble p', ['port-forward']],
      ['the hubble CLI on the reader machine', 'hubble l', ['list']],
      ['kubectl port-forward', 'kubectl port-', ['port-forward']],
      ['a hubble verdict', 'hubble observe --verdict DR', ['DROPPED']],
      ['a command inside a pod after --', 'kubectl exec tiefighter -- cur', ['curl']],
      ['a kind subcommand', 'kind create c', ['cluster']],
      ['a helm subcommand', 'helm upg', ['upgrade']],
      ['a kind node for docker exec', 'docker exec kind-w', ['kind-worker', 'kind-worker2']],
      ['a file the reader wrote', 'cat pol', ['policy.yaml']],
      ['a directory, with its slash', 'kubectl apply -f man', ['manifests/']],
      ['a file inside a directory', 'kubectl apply -f manifests/', ['manifests/pod.yaml']],
      ['the command after a pipe', 'kubectl get pods | gr', ['grep']],
      ['nothing for an unknown resource type', 'kubectl get frobs x', []],
    ])('%s: %j', async (_name, line, expected) => {
      expect(await candidates(await terminal(), line)).toEqual(expected);
    });
  });

  describe('names from the simulated API server', () => {
    it.each([
      ['pods in the -n namespace', 'kubectl -n kube-system get pods cil'],
      ['pods for exec, with -n after the subcommand', 'kubectl exec -n kube-system cil'],
      ['TYPE/NAME words', 'kubectl -n kube-system logs pod/cil'],
    ])('%s', async (_name, line) => {
      const session = await terminal();
      const expected = (await session.run('kubectl -n kube-system get pods -o name')).stdout
        .split('\n')
        .map((name) => name.replace(/^pod\//, ''))
        .filter((name) => name.startsWith('cilium'));
      const prefix = line.endsWith('pod/cil') ? 'pod/' : '';
      expect(await candidates(session, line)).toEqual(expected.map((name) => `${prefix}${name}`).sort());
      expect(expected.length).toBeGreaterThan(0);
    });

    it('lists no pod of another namespace', async () => {
      expect(await candidates(await terminal(), 'kubectl get pods cil')).toEqual([]);
    });
  });

  describe('replaces the word under the cursor', () => {
    it.each([
      ['after a space, an empty word at the end', 'kubectl get ', 12, ''],
      ['a word in the middle of a pipeline', 'kubectl get pods | gr', 19, 'gr'],
      ['a quoted word, without its quotes', 'cat "pol', 4, 'pol'],
      ['the command of a $( )', 'echo $(kubectl get po', 19, 'po'],
    ])('%s', (_name, line, start, text) => {
      expect(lastCommandWords(line).current).toEqual({ start, text });
    });
  });
});
