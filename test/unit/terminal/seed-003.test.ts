import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScenarioPlayer, scenarios } from '../../../simulator/index';
import { TerminalSession } from '../../../simulator/terminal/session';

// The Cilium command blocks of the seed 003 article, typed verbatim into the simulated terminal
// after the scenario built the cluster, the workloads and the article's policy (the article shows
// no setup commands). `k` is the reader's usual alias for kubectl, which the article uses without
// defining. The pod name and identity number of the article's last two commands are the reader's
// own, so those two lines take them from the simulated cluster.
const scenario = scenarios['l7-cilium'];
if (scenario === undefined) throw new Error('scenario missing');
const script = readFileSync(new URL('./seed-003.sh', import.meta.url), 'utf8');

async function articleSession(): Promise<{ session: TerminalSession; stdout: string; exitCode: number }> {
  const player = new ScenarioPlayer(scenario as NonNullable<typeof scenario>);
  player.next();
  player.next();
  const session = new TerminalSession(player.simulation, scenario?.files ?? {});
  const result = await session.run(script);
  return { session, stdout: result.stdout, exitCode: result.exitCode };
}

describe('terminal: the seed 003 Cilium commands, verbatim', () => {
  it('curls /hello and /hello3, dumps the Envoy config of kind-worker and lists the endpoints', async () => {
    const { stdout, exitCode } = await articleSession();
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^Hello version: v1, instance: helloworld-v1-cross-node-\S+\nAccess denied\r?\n/);
    const dump = JSON.parse(stdout.slice(stdout.indexOf('{'), stdout.lastIndexOf('}') + 1)) as {
      configs: {
        '@type': string;
        dynamic_listeners?: { name: string; active_state: { listener: unknown } }[];
      }[];
    };
    const listeners = dump.configs.find((config) =>
      config['@type'].endsWith('ListenersConfigDump'),
    )?.dynamic_listeners;
    expect(listeners?.map((listener) => listener.name)).toEqual([
      expect.stringMatching(/^cilium-http-ingress:\d+$/),
    ]);
    const text = JSON.stringify(listeners);
    expect(text).toContain('"name":"cilium.bpf_metadata"');
    expect(text).toContain('"name":"cilium.network"');
    expect(text).toMatch(
      /"http_filters":\[\{"name":"cilium.l7policy","typed_config":\{"@type":"type.googleapis.com\/cilium.L7Policy","access_log_path":"\/var\/run\/cilium\/access_log.sock"\}\},\{"name":"envoy.filters.http.router"\}\]/,
    );
    // Envoy's admin output is indented by one space, as in the article's excerpt.
    expect(stdout).toMatch(/\n( +)"http_filters": \[\n\1 \{\n\1 {2}"name": "cilium.l7policy",\n/);
    expect(stdout).toMatch(
      /NAME\s+ENDPOINT ID\s+IDENTITY ID\s+INGRESS ENFORCEMENT\s+EGRESS ENFORCEMENT\s+VISIBILITY POLICY\s+ENDPOINT STATE\s+IPV4\s+IPV6\nhelloworld-v1-cross-node-\S+\s+\d+\s+\d+\s+ready\s+10\.244\./,
    );
  }, 60_000);

  it('prints the CiliumEndpoint and the CiliumIdentity as the article does', async () => {
    const { session } = await articleSession();
    const name = (await session.run("kubectl get po -lapp=helloworld -ojsonpath='{.items[0].metadata.name}'"))
      .stdout;
    const endpoint = (await session.run(`kubectl get ciliumendpoint ${name} -o yaml`)).stdout;
    expect(endpoint).toMatch(
      /^apiVersion: cilium.io\/v2\nkind: CiliumEndpoint\nmetadata:\n {2}creationTimestamp: "[^"]+"\n/,
    );
    // The metadata block as in the article: generation 1, the pod's labels, an owner reference
    // with neither controller nor blockOwnerDeletion.
    expect(endpoint).toMatch(
      /\nmetadata:\n {2}creationTimestamp: "[^"]+"\n {2}generation: 1\n {2}labels:\n {4}app: helloworld\n {4}pod-template-hash: [a-z0-9]+\n {4}version: v1\n {2}name: (\S+)\n {2}namespace: default\n {2}ownerReferences:\n {2}- apiVersion: v1\n {4}kind: Pod\n {4}name: \1\n {4}uid: [0-9a-f-]{36}\n {2}resourceVersion: "\d+"\n {2}uid: [0-9a-f-]{36}\nstatus:\n/,
    );
    expect(endpoint).toMatch(
      /status:\n {2}encryption: \{\}\n {2}external-identifiers:\n {4}container-id: [0-9a-f]{64}\n {4}k8s-namespace: default\n {4}k8s-pod-name: helloworld-v1-cross-node-\S+\n {4}pod-name: default\/helloworld-v1-cross-node-\S+\n {2}id: \d+\n {2}identity:\n {4}id: \d+\n {4}labels:\n {4}- k8s:app=helloworld\n/,
    );
    expect(endpoint).toMatch(
      / {2}networking:\n {4}addressing:\n {4}- ipv4: 10\.244\.\S+\n {4}node: 172\.18\.0\.\d+\n {2}state: ready\n$/,
    );
    const id = /identity:\n {4}id: (\d+)/.exec(endpoint)?.[1] ?? '?';
    const identity = (await session.run(`kubectl get ciliumidentity ${id} -o yaml`)).stdout;
    expect(identity).toMatch(
      new RegExp(
        `^apiVersion: cilium.io/v2\\nkind: CiliumIdentity\\nmetadata:\\n {2}creationTimestamp: "[^"]+"\\n {2}generation: 1\\n {2}labels:\\n {4}app: helloworld\\n {4}io.cilium.k8s.policy.cluster: default\\n {4}io.cilium.k8s.policy.serviceaccount: helloworld\\n {4}io.kubernetes.pod.namespace: default\\n {4}version: v1\\n {2}name: "${id}"\\n {2}resourceVersion: "\\d+"\\n {2}uid: [0-9a-f-]{36}\\nsecurity-labels:\\n`,
      ),
    );
    expect(identity).toMatch(
      /security-labels:\n {2}k8s:app: helloworld\n {2}k8s:io.cilium.k8s.namespace.labels.kubernetes.io\/metadata.name: default\n {2}k8s:io.cilium.k8s.policy.cluster: default\n {2}k8s:io.cilium.k8s.policy.serviceaccount: helloworld\n {2}k8s:io.kubernetes.pod.namespace: default\n {2}k8s:version: v1\n$/,
    );
  }, 60_000);

  it('has no Envoy admin socket on a node without L7 endpoints, and rejects a wrong socket', async () => {
    const { session } = await articleSession();
    const result = await session.run(
      'node=kind-worker2\npod=$(kubectl -n kube-system get pods -l k8s-app=cilium -o json | jq -r ".items[] | select(.spec.nodeName==\\"${node}\\") | .metadata.name" | tail -1)\nk exec -n kube-system $pod -- curl --unix-socket /var/run/cilium/envoy-admin.sock http://localhost/config_dump',
    );
    expect(result.exitCode).toBe(7);
    expect(result.stderr).toContain("Couldn't connect to server");
  }, 60_000);
});
