// Goal: a container on the host network shares its node's UTS namespace, so its host name — the
// bash prompt, $HOSTNAME, /etc/hostname — is the node's (kubelet generatePodSandboxConfig names
// only pods with their own network; containerd gives a host-network sandbox no UTS namespace),
// while a pod with its own network is named after the pod.
import { describe, expect, it } from 'vitest';
import { TerminalSession } from '../../../simulator/terminal/session';
import { apply, clusterWithCilium, settle } from '../simulator/support';
import { listObjects } from '../../../simulator/k8s/api-store';

const hostNetworkPod = `apiVersion: v1
kind: Pod
metadata:
  name: on-host
spec:
  hostNetwork: true
  containers:
  - name: main
    image: docker.io/library/ubuntu:22.04
    command: ["sleep", "infinity"]
`;

const ownNetworkPod = hostNetworkPod.replace('on-host', 'own-net').replace('  hostNetwork: true\n', '');

interface HostnameCase {
  readonly name: string;
  /** The `kubectl exec` target (after `exec`). */
  readonly target: string;
  /** The host name expected, from the pod's node or its name. */
  readonly expected: (nodeOf: (pod: string) => string) => string;
  readonly workdir: string;
}

const cases: readonly HostnameCase[] = [
  {
    name: 'the Cilium agent (hostNetwork DaemonSet) shows its node, in the image WORKDIR',
    target: '-n kube-system ds/cilium',
    expected: (nodeOf) => nodeOf('cilium'),
    workdir: '/home/cilium',
  },
  {
    name: 'a host-network pod shows its node',
    target: 'on-host',
    expected: (nodeOf) => nodeOf('on-host'),
    workdir: '/',
  },
  {
    name: 'a pod with its own network shows its name',
    target: 'own-net',
    expected: () => 'own-net',
    workdir: '/',
  },
];

describe('container host names', () => {
  it.each(cases)('$name', async ({ target, expected, workdir }) => {
    const simulation = clusterWithCilium(3, 1, '1.18.5', { 'encryption.enabled': 'false' });
    apply(simulation, hostNetworkPod);
    apply(simulation, ownNetworkPod);
    settle(simulation);
    const session = new TerminalSession(simulation);
    const api = simulation.state.cluster?.api;
    const nodeOf = (prefix: string): string =>
      (api === undefined ? [] : listObjects(api, 'Pod')).find((pod) => pod.metadata.name.startsWith(prefix))
        ?.spec.nodeName ?? '';
    await session.run('kubectl wait --for=condition=Ready pod --all --timeout=3m');
    const host = expected(nodeOf);
    const shown = await session.run(`kubectl exec ${target} -- bash -c 'cat /etc/hostname; echo $HOSTNAME'`);
    expect(shown.stdout).toBe(`${host}\n${host}\n`);
    expect((await session.run(`kubectl exec -it ${target} -- bash`)).exitCode).toBe(0);
    expect(session.prompt).toBe(`root@${host}:${workdir}# `);
  });
});
