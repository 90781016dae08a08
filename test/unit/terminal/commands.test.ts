import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScenarioPlayer, scenarios } from '../../../simulator/index';
import { TerminalSession } from '../../../simulator/terminal/session';
import { tabwrite } from '../../../simulator/terminal/tabwriter';
import { smartLabelFor } from '../../../simulator/terminal/kubectl-describe';
import { kindShell } from './kubectl-support';
import { withSiteRepositories } from './kubectl-support';

// The commands a reader types after the seed 001 setup (kind, Cilium, the apps and the two
// policies), checked against the real tools' output shapes and against the model's reactions.
const scenario = scenarios['mistaken-identity'];
if (scenario === undefined) throw new Error('scenario missing');
const script = readFileSync(new URL('./seed-001.sh', import.meta.url), 'utf8');
const setup = script.slice(0, script.indexOf('NODEV1='));

async function cluster(version = '1.12.0'): Promise<{ session: TerminalSession; player: ScenarioPlayer }> {
  const player = new ScenarioPlayer(scenario!, scenario!.defaultSeed);
  const session = new TerminalSession(player.simulation, scenario!.files, withSiteRepositories);
  const result = await session.run(setup.replaceAll('1.12.0', version));
  expect(result.exitCode).toBe(0);
  return { session, player };
}

/** The column at which a `Key:  value` line's value starts. */
const valueColumn = (text: string, key: string): number => {
  const line = text.split('\n').find((candidate) => candidate.startsWith(key)) ?? '';
  return line.length - line.slice(key.length).trimStart().length;
};

describe("Go's tabwriter, as kubectl and cilium print through it", () => {
  it('aligns a block of lines and lets a line without tabs end it', () => {
    expect(tabwrite('a:\tx\nlonger:\ty\nbreak\nb:\tz\n', { minWidth: 0, padding: 2 })).toBe(
      'a:       x\nlonger:  y\nbreak\nb:  z\n',
    );
  });

  it('pads tab-terminated cells, including a trailing one', () => {
    expect(tabwrite('ID\tX\t\n1\tlonger\t\n', { minWidth: 5, padding: 3 })).toBe(
      'ID   X        \n1    longer   \n',
    );
  });

  it('turns field names into kubectl describe labels', () => {
    expect(smartLabelFor('apiVersion')).toBe('API Version');
    expect(smartLabelFor('creationTimestamp')).toBe('Creation Timestamp');
    expect(smartLabelFor('security-labels')).toBe('Security - Labels');
    expect(smartLabelFor('k8s:app')).toBe('k8s:app');
  });
});

describe('kubectl describe', () => {
  it('describes a pod with kubectl’s fields, aligned, ending in its events', async () => {
    const { session } = await cluster();
    const result = await session.run('kubectl describe pod -l app=helloworld,version=v1');
    expect(result.exitCode).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^Name: {13}helloworld-v1-\S+\nNamespace: {8}default\nPriority: {9}0\n/);
    expect(out).toMatch(/\nNode: {13}kind-worker\d?\/172\.18\.0\.\d+\n/);
    expect(out).toMatch(/\nControlled By: {2}ReplicaSet\/helloworld-v1-\S+\n/);
    expect(out).toMatch(/\n {4}Port: +5000\/TCP\n {4}Host Port: +0\/TCP\n/);
    expect(out).toMatch(/\nConditions:\n {2}Type {14}Status\n {2}Initialized {7}True \n/);
    // One object: events are shown, aligned with the block they close.
    expect(out).toMatch(/\nEvents: +<none>\n$/);
    expect(valueColumn(out, 'Events:')).toBe(valueColumn(out, 'QoS Class:'));
  }, 60_000);

  it('shows a CiliumNetworkPolicy’s spec through the generic describer', async () => {
    const { session } = await cluster();
    const result = await session.run('kubectl describe cnp v1');
    expect(result.stdout).toContain('Kind:         CiliumNetworkPolicy\n');
    expect(result.stdout).toMatch(
      /Spec:\n {2}Endpoint Selector:\n {4}Match Labels:\n {6}io\.cilium\.k8s\.policy\.serviceaccount: {2}helloworld-v1\n {2}Ingress:\n {4}From Endpoints:\n/,
    );
    expect(result.stdout).toMatch(/ {8}Port: {6}5000\n {8}Protocol: {2}TCP\n/);
  }, 60_000);

  it('describes a CiliumIdentity with its security labels, and several objects without events', async () => {
    const { session } = await cluster();
    const id = (
      await session.run(
        "kubectl get cep -l app=sleep,version=v1 -o jsonpath='{.items[0].status.identity.id}'",
      )
    ).stdout;
    const identity = await session.run(`kubectl describe ciliumidentities ${id}`);
    expect(identity.stdout).toMatch(/Security - Labels:\n {2}k8s:app: +sleep\n/);
    expect(identity.stdout).toMatch(/k8s:io\.cilium\.k8s\.policy\.serviceaccount: +sleep-v1\n/);
    const many = await session.run('kubectl describe svc');
    expect(many.stdout.match(/^Name:/gm)?.length).toBeGreaterThan(1);
    expect(many.stdout).not.toContain('Events:');
    expect(many.stdout).toContain('\n\n\nName:');
  }, 60_000);

  it('matches a name prefix, and answers mistakes in kubectl’s words', async () => {
    const { session } = await cluster();
    const prefix = await session.run('kubectl describe deploy sleep');
    expect(prefix.stdout.match(/^Name: +sleep-v\d$/gm)).toHaveLength(2);
    expect(prefix.stdout).toMatch(
      /Replicas: +15 desired \| 15 updated \| 15 total \| 15 available \| 0 unavailable/,
    );
    const missing = await session.run('kubectl describe pod nosuch');
    expect(missing).toMatchObject({
      exitCode: 1,
      stderr: 'Error from server (NotFound): pods "nosuch" not found\n',
    });
    const flag = await session.run('kubectl describe pods --foo');
    expect(flag).toMatchObject({
      exitCode: 1,
      stderr: "error: unknown flag: --foo\nSee 'kubectl describe --help' for usage.\n",
    });
    const type = await session.run('kubectl describe widgets');
    expect(type.stderr).toBe('error: the server doesn\'t have a resource type "widgets"\n');
  }, 60_000);
});

describe('kubectl get --show-labels', () => {
  it('adds the LABELS column', async () => {
    const { session } = await cluster();
    const result = await session.run('kubectl get pods -l app=helloworld,version=v1 --show-labels');
    expect(result.stdout).toMatch(/^NAME +READY +STATUS +RESTARTS +AGE +LABELS\n/);
    expect(result.stdout).toMatch(/ app=helloworld,pod-template-hash=\w+,version=v1\n$/);
  }, 60_000);
});

describe('kubectl label', () => {
  it('gives a relabelled pod a new Cilium identity that the other nodes learn', async () => {
    const { session, player } = await cluster();
    const pod = (
      await session.run("kubectl get pod -l app=sleep,version=v1 -o jsonpath='{.items[0].metadata.name}'")
    ).stdout;
    const before = (await session.run(`kubectl get cep ${pod} -o jsonpath='{.status.identity.id}'`)).stdout;
    const refused = await session.run(`kubectl label pod ${pod} version=v3`);
    expect(refused).toMatchObject({
      exitCode: 1,
      stderr: "error: 'version' already has a value (v1), and --overwrite is false\n",
    });
    const labelled = await session.run(`kubectl label pod ${pod} version=v3 --overwrite`);
    expect(labelled.stdout).toBe(`pod/${pod} labeled\n`);
    await session.run('sleep 2');
    const after = (await session.run(`kubectl get cep ${pod} -o jsonpath='{.status.identity.id}'`)).stdout;
    expect(after).not.toBe(before);
    const labels = (await session.run(`kubectl get ciliumidentities ${after} -o yaml`)).stdout;
    expect(labels).toContain('k8s:version: v3');
    // Another node's agent maps the pod's address to the new identity.
    const ip = (await session.run(`kubectl get pod ${pod} -o jsonpath='{.status.podIP}'`)).stdout;
    const node = (await session.run(`kubectl get pod ${pod} -o jsonpath='{.spec.nodeName}'`)).stdout;
    const other = Object.values(player.simulation.state.cluster?.cilium?.agents ?? {}).find(
      (agent) => agent.node !== node,
    );
    const ipcache = await session.run(
      `kubectl -n kube-system exec ${other?.podName ?? ''} -- cilium bpf ipcache list | grep '^${ip}/32'`,
    );
    expect(ipcache.stdout).toContain(`identity=${after} `);
    // Removing a label that is not there says so; nothing changes.
    const missing = await session.run(`kubectl label pod ${pod} nothere-`);
    expect(missing.stdout).toBe(`label "nothere" not found.\npod/${pod} not labeled\n`);
  }, 60_000);

  it('leaves a cut-off agent on the old identity until it re-lists the relabelled pod', async () => {
    const { session } = await cluster();
    const get = async (command: string): Promise<string> => (await session.run(command)).stdout;
    const pod = await get("kubectl get pod -l app=sleep,version=v1 -o jsonpath='{.items[0].metadata.name}'");
    const node = await get(`kubectl get pod ${pod} -o jsonpath='{.spec.nodeName}'`);
    const apiServer = await get(
      "kubectl get endpoints -n default kubernetes -o jsonpath='{.subsets[0].addresses[0].ip}'",
    );
    const identity = `kubectl get cep ${pod} -o jsonpath='{.status.identity.id}'`;
    const before = await get(identity);
    await session.run(`docker exec ${node} iptables -t mangle -I INPUT -p tcp -s ${apiServer} -j DROP`);
    await session.run(`kubectl label pod ${pod} version=v9 --overwrite; sleep 5`);
    expect(await get(identity)).toBe(before);
    await session.run(
      `docker exec ${node} iptables -t mangle -D INPUT -p tcp -s ${apiServer} -j DROP; sleep 60`,
    );
    const after = await get(identity);
    expect(after).not.toBe(before);
    expect(await get(`kubectl get ciliumidentities ${after} -o yaml`)).toContain('k8s:version: v9');
  }, 60_000);

  it('flushes a table’s chain with iptables -F, one table at a time', async () => {
    const { session } = await cluster();
    const get = async (command: string): Promise<string> => (await session.run(command)).stdout;
    const node = await get("kubectl get pod -l app=sleep,version=v1 -o jsonpath='{.items[0].spec.nodeName}'");
    const service = await get("kubectl get service kubernetes -o jsonpath='{.spec.clusterIP}'");
    const endpoint = await get(
      "kubectl get endpoints kubernetes -o jsonpath='{.subsets[0].addresses[0].ip}'",
    );
    for (const source of [service, endpoint])
      await session.run(`docker exec ${node} iptables -t mangle -I INPUT -p tcp -s ${source} -j DROP`);
    const listed = await get(`docker exec ${node} iptables -t mangle -L INPUT -n`);
    expect(listed.trim().split('\n')).toHaveLength(4);
    // A flush of another table leaves mangle alone; a flush of mangle empties it.
    expect((await session.run(`docker exec ${node} iptables -F`)).exitCode).toBe(0);
    expect(await get(`docker exec ${node} iptables -t mangle -L INPUT -n`)).toBe(listed);
    expect((await session.run(`docker exec ${node} iptables -t mangle -F INPUT`)).exitCode).toBe(0);
    expect((await get(`docker exec ${node} iptables -t mangle -L INPUT -n`)).trim().split('\n')).toHaveLength(
      2,
    );
  }, 60_000);

  it('labels a Deployment without touching its pods’ identities, and namespaces and nodes too', async () => {
    const { session } = await cluster();
    const ids = "kubectl get cep -l app=sleep,version=v2 -o jsonpath='{.items[*].status.identity.id}'";
    const before = (await session.run(ids)).stdout;
    expect((await session.run('kubectl label deploy sleep-v2 team=blue')).stdout).toBe(
      'deployment.apps/sleep-v2 labeled\n',
    );
    await session.run('sleep 2');
    expect((await session.run(ids)).stdout).toBe(before);
    expect((await session.run('kubectl get pods -l team=blue -o name')).stdout).toBe('');
    expect((await session.run('kubectl label node kind-worker zone=a')).stdout).toBe(
      'node/kind-worker labeled\n',
    );
    expect((await session.run('kubectl label node kind-worker zone-')).stdout).toBe(
      'node/kind-worker unlabeled\n',
    );
    expect((await session.run('kubectl label pods')).stderr).toBe(
      'error: at least one label update is required\n',
    );
  }, 60_000);
});

describe('kubectl wait and get --watch', () => {
  it('waits for pods to become Ready, taking simulated time', async () => {
    const { session, player } = await cluster();
    await session.run('kubectl scale deploy sleep-v2 --replicas=17');
    const start = player.simulation.nowMs;
    const result = await session.run(
      'kubectl wait --for=condition=Ready pods -l app=sleep,version=v2 --timeout=60s',
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout.match(/^pod\/sleep-v2-\S+ condition met$/gm)).toHaveLength(17);
    expect(player.simulation.nowMs).toBeGreaterThan(start);
    const phase = await session.run(
      "kubectl wait --for=jsonpath='{.status.phase}'=Running pod -l app=helloworld,version=v1",
    );
    expect(phase.stdout).toMatch(/^pod\/helloworld-v1-\S+ condition met\n$/);
    expect((await session.run('kubectl wait pod -l app=helloworld')).stderr).toBe(
      'error: unrecognized condition: []\n',
    );
  }, 60_000);

  it('times out with kubectl’s message and status 1', async () => {
    const { session, player } = await cluster();
    const pod = (
      await session.run(
        "kubectl get pod -l app=helloworld,version=v1 -o jsonpath='{.items[0].metadata.name}'",
      )
    ).stdout;
    const start = player.simulation.nowMs;
    const result = await session.run(`kubectl wait --for=delete pod/${pod} --timeout=5s`);
    expect(result).toMatchObject({
      exitCode: 1,
      stderr: `error: timed out waiting for the condition on pods/${pod}\n`,
    });
    expect(player.simulation.nowMs - start).toBeGreaterThanOrEqual(5000);
    const bad = await session.run('kubectl wait pod/x --for=condition=Ready --timeout=soon');
    expect(bad.stderr).toContain('invalid argument "soon" for "--timeout" flag');
  }, 60_000);

  it('has nothing to wait for once kubectl delete has removed the pod', async () => {
    const { session } = await cluster();
    const pod = (
      await session.run("kubectl get pod -l app=sleep,version=v2 -o jsonpath='{.items[0].metadata.name}'")
    ).stdout;
    const result = await session.run(`kubectl delete pod ${pod} && kubectl wait --for=delete pod/${pod}`);
    expect(result).toMatchObject({ stdout: `pod "${pod}" deleted\n`, exitCode: 0 });
  }, 60_000);

  it('prints the table, then rows as they change, and stops by itself', async () => {
    const { session, player } = await cluster();
    const start = player.simulation.nowMs;
    const result = await session.run(
      'kubectl scale deploy helloworld-v2 --replicas=2 >/dev/null; kubectl get deploy helloworld-v2 -w',
    );
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME +READY +UP-TO-DATE +AVAILABLE +AGE$/);
    expect(lines.at(-1)).toMatch(/^helloworld-v2 +2\/2 +2 +2 +\d+s$/);
    expect(lines.length).toBeGreaterThan(2);
    // Rows line up with the header, as kubectl's tabwriter remembers widths.
    expect(lines.at(-1)?.indexOf('2/2')).toBe(lines[0]?.indexOf('READY'));
    expect(result.stderr).toContain('watch stopped after 60 simulated seconds');
    expect(result.exitCode).toBe(0);
    expect(player.simulation.nowMs - start).toBeLessThan(120_000);
    const bounded = await session.run('kubectl get pods -w --request-timeout=5s');
    expect(bounded.stderr).toBe('');
  }, 60_000);
});

describe('the cilium CLI in an agent pod', () => {
  it('lists endpoints, identities and the policy map of the seed’s 1.12 agent', async () => {
    const { session } = await cluster();
    const node = (
      await session.run(
        "kubectl get pod -l app=helloworld,version=v1 -o jsonpath='{.items[0].spec.nodeName}'",
      )
    ).stdout;
    const agent = (
      await session.run(
        `kubectl get pods -n kube-system --field-selector spec.nodeName=${node} -l k8s-app=cilium -o custom-columns=:.metadata.name --no-headers`,
      )
    ).stdout.trim();
    const exec = (command: string): Promise<{ stdout: string; stderr: string; exitCode: number }> =>
      session.run(`kubectl -n kube-system exec ${agent} -- cilium ${command}`);
    const list = await exec('endpoint list');
    expect(list.stdout).toMatch(
      /^ENDPOINT +POLICY \(ingress\) +POLICY \(egress\) +IDENTITY +LABELS \(source:key\[=value\]\) +IPv6 +IPv4 +STATUS +\n +ENFORCEMENT +ENFORCEMENT +\n/,
    );
    expect(list.stdout).toMatch(
      /\n\d+ +Enabled +Disabled +\d+ +k8s:app=helloworld +10\.244\.\d+\.\d+ +ready/,
    );
    expect(list.stdout).toMatch(/ reserved:host /);
    const id = (
      await session.run("kubectl get cep -l app=helloworld,version=v1 -o jsonpath='{.items[0].status.id}'")
    ).stdout;
    const map = await exec(`bpf policy get ${id}`);
    expect(map.stdout).toMatch(
      /^POLICY +DIRECTION +LABELS \(source:key\[=value\]\) +PORT\/PROTO +PROXY PORT +BYTES +PACKETS +\n/,
    );
    expect(map.stdout).toMatch(/\nAllow +Ingress +k8s:app=sleep +5000\/TCP +NONE +\d+ +\d+ +\n/);
    expect(map.stdout).toMatch(/\n +k8s:io\.cilium\.k8s\.policy\.serviceaccount=sleep-v1 +\n/);
    const numeric = await exec(`bpf policy get -n ${id}`);
    expect(numeric.stdout).toMatch(/^POLICY +DIRECTION +IDENTITY +PORT\/PROTO/);
    const endpoint = JSON.parse((await exec(`endpoint get ${id}`)).stdout) as {
      id: number;
      status: { identity: { id: number }; state: string; policy: { realized: { 'policy-enabled': string } } };
    }[];
    expect(endpoint[0]?.id).toBe(Number(id));
    expect(endpoint[0]?.status.state).toBe('ready');
    expect(endpoint[0]?.status.policy.realized['policy-enabled']).toBe('ingress');
    const policy = await exec('policy get');
    expect(policy.stdout).toContain('"any:io.cilium.k8s.policy.serviceaccount": "helloworld-v1"');
    expect(policy.stdout).toMatch(/\]\nRevision: \d+\n$/);
    const identity = await exec('identity get 2');
    expect(identity.stdout).toBe('ID   LABELS\n2    reserved:world\n');
    expect((await exec('endpoint get 99999')).exitCode).toBe(1);
  }, 60_000);

  it('uses cilium-dbg (cilium stays its alias) and the LPM map columns on 1.18', async () => {
    const { session } = await cluster('1.18.5');
    const alias = await session.run('kubectl -n kube-system exec ds/cilium -- cilium endpoint list');
    expect(alias.exitCode).toBe(0);
    const map = await session.run('kubectl -n kube-system exec ds/cilium -- cilium-dbg bpf policy get --all');
    expect(map.stdout).toMatch(
      /Endpoint ID: \d+\nPath: \/sys\/fs\/bpf\/tc\/globals\/cilium_policy_\d{5}\n\nPOLICY +DIRECTION +LABELS \(source:key\[=value\]\) +PORT\/PROTO +PROXY PORT +AUTH TYPE +BYTES +PACKETS +PREFIX\n/,
    );
  }, 60_000);
});

describe('ping and nslookup in a pod', () => {
  it('answers from cluster DNS and reports NXDOMAIN', async () => {
    const { session } = await cluster();
    const found = await session.run('kubectl exec deploy/sleep-v1 -- nslookup helloworld-v1');
    const ip = (await session.run("kubectl get svc helloworld-v1 -o jsonpath='{.spec.clusterIP}'")).stdout;
    expect(found.stdout).toBe(
      `Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\thelloworld-v1.default.svc.cluster.local\nAddress: ${ip}\n\n`,
    );
    const missing = await session.run('kubectl exec deploy/sleep-v1 -- nslookup nosuch');
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toContain("** server can't find nosuch: NXDOMAIN");
  }, 60_000);

  it('gets echo replies where policy allows ICMP and none where an L4 policy selects the target', async () => {
    const { session } = await cluster();
    const sleep = (
      await session.run("kubectl get pod -l app=sleep,version=v2 -o jsonpath='{.items[0].status.podIP}'")
    ).stdout;
    const open = await session.run(`kubectl exec deploy/sleep-v1 -- ping -c 2 ${sleep}`);
    expect(open.stdout).toMatch(
      new RegExp(
        `^PING ${sleep} \\(${sleep}\\): 56 data bytes\\n64 bytes from ${sleep}: seq=0 ttl=6\\d time=\\d+\\.\\d{3} ms\\n`,
      ),
    );
    expect(open.stdout).toContain('2 packets transmitted, 2 packets received, 0% packet loss');
    expect(open.exitCode).toBe(0);
    const server = (
      await session.run("kubectl get pod -l app=helloworld,version=v1 -o jsonpath='{.items[0].status.podIP}'")
    ).stdout;
    const closed = await session.run(`kubectl exec deploy/sleep-v1 -- ping -c 3 ${server}`);
    expect(closed.stdout).toContain('3 packets transmitted, 0 packets received, 100% packet loss');
    expect(closed.exitCode).toBe(1);
    expect((await session.run('kubectl exec deploy/sleep-v1 -- ping -c 1 nosuch')).stderr).toBe(
      "ping: bad address 'nosuch'\ncommand terminated with exit code 1\n",
    );
  }, 60_000);
});

describe('the session stays responsive', () => {
  it('lets the page interrupt a long command line, which ends like ^C', async () => {
    const { session } = await cluster();
    const running = session.run('while true; do kubectl get pods > /dev/null; done');
    setTimeout(() => session.cancel(), 20);
    const result = await running;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toMatch(/\^C\n$/);
    expect(result.stderr).not.toContain('execution aborted');
    // The session still works afterwards.
    expect((await session.run('echo ok')).stdout).toBe('ok\n');
  }, 60_000);

  it('stops a first line interrupted while its shell starts, printing only ^C as bash does', async () => {
    const { player } = await cluster();
    const fresh = new TerminalSession(player.simulation, scenario.files, withSiteRepositories);
    const running = fresh.run('while true; do kubectl get pods > /dev/null; done');
    fresh.cancel();
    expect(await running).toMatchObject({ stdout: '', stderr: '^C\n', exitCode: 130, interruptedAt: 1 });
    expect((await fresh.run('echo ok')).stdout).toBe('ok\n');
  }, 60_000);

  it('interrupts a watch in the middle, keeping what it printed', async () => {
    const { session } = await cluster();
    const running = session.run('kubectl get pods -w --request-timeout=30m');
    setTimeout(() => session.cancel(), 20);
    const result = await running;
    expect(result.exitCode).toBe(130);
    expect(result.stdout).toMatch(/^NAME +READY +STATUS/);
  }, 60_000);
});

describe('kubectl create, multi-type get and delete', () => {
  it('creates a namespace the way the API server stores it, once', async () => {
    const { session } = await cluster();
    expect(await session.run('kubectl create namespace demo')).toMatchObject({
      stdout: 'namespace/demo created\n',
      exitCode: 0,
    });
    const shown = await session.run('kubectl get ns demo --show-labels --no-headers');
    expect(shown.stdout).toMatch(/^demo\s+Active\s+\S+\s+kubernetes\.io\/metadata\.name=demo\n$/);
    const again = await session.run('kubectl create ns demo');
    expect(again).toMatchObject({ exitCode: 1 });
    expect(again.stderr).toContain('Error from server (AlreadyExists): namespaces "demo" already exists');
    expect((await session.run('kubectl create namespace Not_Valid')).stderr).toContain('RFC 1123');
  });

  it('prints one table per type with type-prefixed names for get po,svc', async () => {
    const { session } = await cluster();
    const result = await session.run('kubectl get deploy,svc --no-headers');
    const lines = result.stdout.split('\n').filter((line) => line !== '');
    expect(lines.some((line) => line.startsWith('deployment.apps/sleep-v1 '))).toBe(true);
    expect(lines.some((line) => line.startsWith('service/helloworld-v1 '))).toBe(true);
    expect(result.stdout).toContain('\n\n');
    // Across namespaces the prefix goes on NAME, not NAMESPACE, and the header row keeps its columns aligned.
    const wide = await session.run('kubectl get po,svc -A');
    const [header, first] = wide.stdout.split('\n');
    expect(header).toMatch(/^NAMESPACE +NAME +READY +STATUS/);
    expect(first).toMatch(/^\S+ +pod\/\S+ +\d+\/\d+ +\w+/);
    expect(first?.indexOf('pod/')).toBe(header?.indexOf('NAME ', 1));
    expect(wide.stdout).toMatch(/\n\nNAMESPACE +NAME +TYPE +CLUSTER-IP/);
    expect(wide.stdout).toMatch(/\ndefault +service\/helloworld-v1 +ClusterIP +10\.96\./);
  });

  it('aligns custom columns like kubectl', async () => {
    const { session } = await cluster();
    const result = await session.run(
      'kubectl get svc -o custom-columns=NAME:.metadata.name,IP:.spec.clusterIP',
    );
    const [header, ...rows] = result.stdout.trimEnd().split('\n');
    const column = header?.indexOf('IP') ?? -1;
    expect(column).toBeGreaterThan(0);
    for (const row of rows) expect(row.slice(column)).toMatch(/^10\.96\.\d+\.\d+$/);
  });

  it('deletes what a file names, with the group in the resource, and everything with --all', async () => {
    const { session } = await cluster();
    const result = await session.run('kubectl delete -f yamls/sleep.yaml');
    expect(result.stdout).toContain('deployment.apps "sleep-v1" deleted\n');
    expect(result.stdout).toContain('serviceaccount "sleep-v2" deleted\n');
    expect((await session.run('kubectl get deploy sleep-v1')).stderr).toContain('NotFound');
    const all = await session.run('kubectl delete cnp --all');
    expect(all.stdout).toBe(
      'ciliumnetworkpolicy.cilium.io "v1" deleted\nciliumnetworkpolicy.cilium.io "v2" deleted\n',
    );
  });
});

describe('kubectl scale: replica counts', () => {
  const cases = [
    {
      // A shrunk counterexample of the robustness properties: it used to ask for a burst of pods
      // without end (see test/unit/simulator/replicaset-bursts.test.ts for the largest int32).
      name: 'more than an int32 holds',
      replicas: '99999999999',
      stderr:
        'error: invalid argument "99999999999" for "--replicas" flag: strconv.ParseInt: parsing "99999999999": value out of range\n',
    },
    {
      name: 'a negative count',
      replicas: '-1',
      stderr: 'error: --replicas=COUNT is required, and COUNT must be greater than or equal to 0\n',
    },
  ];
  it.each(cases)('kubectl scale: refuses $name', async ({ replicas, stderr }) => {
    const session = kindShell();
    await session.run('kubectl create deployment web --image=nginx');
    expect(await session.run(`kubectl scale deploy web --replicas=${replicas}`)).toEqual({
      stdout: '',
      stderr,
      exitCode: 1,
    });
  });
});
