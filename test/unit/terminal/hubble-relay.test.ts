// Goal: Hubble off the guides' path, as Cilium's "Setting up Hubble Observability" page runs it on
// kind: `cilium hubble enable` deploys Hubble Relay through a Helm upgrade, `cilium hubble
// port-forward &` opens 127.0.0.1:4245 for as long as the job lives, and the hubble CLI on the
// reader's machine reads status, nodes and flows of the whole cluster through the relay; without
// a forward it fails as gRPC does.
import { describe, expect, it } from 'vitest';
import { TerminalSession } from '../../../simulator/terminal/session';
import { kindCluster, starWarsDemo, withSiteRepositories } from './kubectl-support';

/** A three-node kind cluster without a CNI, as the Cilium guides create it, with Cilium 1.18.5. */
async function ciliumOnKind(): Promise<TerminalSession> {
  const simulation = kindCluster(11, 2, { disableDefaultCNI: true });
  const session = new TerminalSession(simulation, { 'http-sw-app.yaml': starWarsDemo }, withSiteRepositories);
  for (const line of ['cilium install --version 1.18.5', 'cilium status --wait'])
    expect((await session.run(line)).exitCode).toBe(0);
  return session;
}

const refused =
  'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp [::1]:4245: connect: connection refused"';

/** Enables Relay, deploys the Star Wars demo and waits for both. */
async function withRelayAndDemo(session: TerminalSession): Promise<void> {
  for (const line of [
    'cilium hubble enable',
    'cilium status --wait',
    'kubectl create -f http-sw-app.yaml',
    'kubectl wait --for=condition=Ready pod --all --timeout=120s',
  ])
    expect((await session.run(line)).exitCode, line).toBe(0);
}

describe('Hubble on the reader machine', () => {
  it('without Relay: hubble cannot connect and cilium-cli finds no service to forward to', async () => {
    const session = await ciliumOnKind();
    expect(await session.run('hubble status')).toEqual({
      stdout: '',
      stderr: `failed getting status: ${refused}\n`,
      exitCode: 1,
    });
    expect(await session.run('hubble observe')).toMatchObject({ stderr: `${refused}\n`, exitCode: 1 });
    expect(await session.run('cilium hubble port-forward')).toMatchObject({
      stderr:
        'Error: failed to port forward: failed to get service "hubble-relay": services "hubble-relay" not found\n',
      exitCode: 1,
    });
  });

  it('cilium hubble enable: a Helm upgrade that reuses the values and deploys Relay beside an agent', async () => {
    const session = await ciliumOnKind();
    expect(await session.run('cilium hubble enable')).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    const values = await session.run('helm get values cilium -n kube-system -o json');
    const parsed = JSON.parse(values.stdout) as {
      hubble?: { relay?: { enabled?: boolean } };
      ipam?: unknown;
    };
    expect(parsed.hubble?.relay?.enabled).toBe(true);
    // --reuse-values: what cilium install set stays.
    expect(parsed.ipam).toEqual({ mode: 'kubernetes' });
    expect((await session.run('helm history cilium -n kube-system')).stdout).toMatch(/\n2\s.*deployed/);
    await session.run('cilium status --wait');
    const pods = await session.run('kubectl -n kube-system get pods -l k8s-app=hubble-relay -o wide');
    expect(pods.stdout).toMatch(/^hubble-relay-\S+\s+1\/1\s+Running\s/m);
    const service = await session.run('kubectl -n kube-system get svc hubble-relay');
    expect(service.stdout).toMatch(/^hubble-relay\s+ClusterIP\s+10\.96\.\S+\s+<none>\s+80\/TCP\s/m);
    expect((await session.run('cilium status')).stdout).toMatch(/Hubble Relay:\s+\S*OK/);
  });

  it('port-forward in the background: status and nodes of the whole cluster until the job is killed', async () => {
    const session = await ciliumOnKind();
    await withRelayAndDemo(session);
    const started = await session.run('cilium hubble port-forward &');
    expect(started.stdout + started.stderr + session.poll().stdout).toContain(
      'ℹ️  Hubble Relay is available at 127.0.0.1:4245\n',
    );
    const status = await session.run('hubble status');
    expect(status.exitCode).toBe(0);
    const lines = status.stdout.split('\n');
    expect(lines[0]).toBe('Healthcheck (via localhost:4245): Ok');
    // Three agents, 4,095 flows each at most.
    expect(lines[1]).toMatch(/^Current\/Max Flows: [\d,]+\/12,285 \(\d+\.\d\d%\)$/);
    expect(lines[2]).toMatch(/^Flows\/s: \d+\.\d\d$/);
    expect(lines[3]).toBe('Connected Nodes: 3/3');
    const nodes = await session.run('hubble list nodes');
    expect(nodes.stdout.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+AGE\s+FLOWS\/S\s+CURRENT\/MAX-FLOWS$/);
    for (const node of ['kind-control-plane', 'kind-worker', 'kind-worker2'])
      expect(nodes.stdout).toMatch(
        new RegExp(
          `^${node}\\s+Connected\\s+(\\d+m)?\\d+s\\s+\\d+\\.\\d\\d\\s+\\d+/4095 \\(\\s*\\d+\\.\\d\\d%\\)$`,
          'm',
        ),
      );
    expect((await session.run('kill %1')).stderr).toContain('Terminated');
    expect((await session.run('hubble status')).stderr).toBe(`failed getting status: ${refused}\n`);
  });

  it('hubble observe through Relay sees the flows of every node, an agent only its own', async () => {
    const session = await ciliumOnKind();
    await withRelayAndDemo(session);
    await session.run('cilium hubble port-forward &');
    expect(
      (
        await session.run(
          'kubectl exec xwing -- curl -s -XPOST deathstar.default.svc.cluster.local/v1/request-landing',
        )
      ).stdout,
    ).toBe('Ship landed\n');
    const relay = await session.run('hubble observe --from-pod default/xwing --to-port 80 --all');
    const xwingNode = (await session.run("kubectl get pod xwing -o jsonpath='{.spec.nodeName}'")).stdout;
    const deathstarNode = (
      await session.run("kubectl get pod -l class=deathstar -o jsonpath='{.items[0].spec.nodeName}'")
    ).stdout;
    const agentOn = async (node: string): Promise<string> =>
      (
        await session.run(
          `kubectl -n kube-system get pod -l k8s-app=cilium --field-selector spec.nodeName=${node} -o jsonpath='{.items[0].metadata.name}'`,
        )
      ).stdout;
    const fromAgent = async (node: string): Promise<string> =>
      (
        await session.run(
          `kubectl -n kube-system exec ${await agentOn(node)} -- hubble observe --from-pod default/xwing --to-port 80 --all`,
        )
      ).stdout;
    const seenBySource = await fromAgent(xwingNode);
    expect(seenBySource).toMatch(/xwing:\d+ .* -> default\/deathstar-\S+:80 .* FORWARDED/);
    if (xwingNode !== deathstarNode) {
      const seenByDestination = await fromAgent(deathstarNode);
      expect(seenByDestination).not.toBe('');
      // Relay merges both nodes' rings, in time order.
      expect(relay.stdout.split('\n').length).toBe(
        seenBySource.split('\n').length + seenByDestination.split('\n').length - 1,
      );
    } else expect(relay.stdout).toBe(seenBySource);
  });

  it('hubble -P forwards for its own call only; a second forward on a taken port is refused', async () => {
    const session = await ciliumOnKind();
    await withRelayAndDemo(session);
    const once = await session.run('hubble status -P');
    expect(once.stdout.split('\n')[0]).toBe('Healthcheck (via 127.0.0.1:4245): Ok');
    expect((await session.run('hubble status')).exitCode).toBe(1);
    await session.run('cilium hubble port-forward &');
    session.poll();
    const second = await session.run('cilium hubble port-forward --port-forward 4245');
    expect(second).toMatchObject({
      stderr:
        'Error: failed to port forward: failed to port forward: unable to listen on any of the requested ports: [{4245 4245}]\n',
      exitCode: 1,
    });
    const other = await session.run('cilium hubble port-forward --port-forward 4300 &');
    expect(other.exitCode).toBe(0);
    expect((await session.run('hubble --server 127.0.0.1:4300 status')).stdout).toMatch(
      /^Healthcheck \(via 127\.0\.0\.1:4300\): Ok\n/,
    );
  });

  it("a forward belongs to the reader's machine: another tab uses it, and it ends with its tab", async () => {
    const first = await ciliumOnKind();
    await withRelayAndDemo(first);
    const second = new TerminalSession(first.simulation, {}, { machinePorts: first.machinePorts });
    await second.run('cilium hubble port-forward &');
    expect((await first.run('hubble status')).exitCode).toBe(0);
    second.hangUp();
    expect((await first.run('hubble status')).stderr).toBe(`failed getting status: ${refused}\n`);
  });

  it('a forward whose relay pod is replaced fails each call until it is opened again', async () => {
    const session = await ciliumOnKind();
    await withRelayAndDemo(session);
    await session.run('cilium hubble port-forward &');
    await session.run('kubectl -n kube-system delete pod -l k8s-app=hubble-relay');
    await session.run('kubectl -n kube-system rollout status deploy/hubble-relay');
    expect((await session.run('hubble status')).stderr).toBe(
      'failed getting status: rpc error: code = Unavailable desc = connection error: desc = "error reading server preface: EOF"\n',
    );
    await session.run('kill %1');
    await session.run('cilium hubble port-forward &');
    expect((await session.run('hubble status')).exitCode).toBe(0);
  });

  it("hubble status inside an agent pod: that node's own server, over its Unix socket", async () => {
    const session = await ciliumOnKind();
    const status = await session.run('kubectl -n kube-system exec ds/cilium -- hubble status');
    expect(status.exitCode).toBe(0);
    const lines = status.stdout.split('\n');
    expect(lines[0]).toBe('Healthcheck (via unix:///var/run/cilium/hubble.sock): Ok');
    expect(lines[1]).toMatch(/^Current\/Max Flows: [\d,]+\/4,095 \(\d+\.\d\d%\)$/);
    expect(lines[2]).toMatch(/^Flows\/s: (\d+\.\d\d|N\/A)$/);
    expect(lines).toHaveLength(4);
  });

  it('kubectl port-forward to the relay Service works as well; a forward to another pod does not speak gRPC', async () => {
    const session = await ciliumOnKind();
    await withRelayAndDemo(session);
    await session.run('kubectl -n kube-system port-forward service/hubble-relay 4245:80 &');
    expect((await session.run('hubble status')).stdout).toMatch(/^Healthcheck \(via localhost:4245\): Ok\n/);
    await session.run('kill %1');
    await session.run('kubectl port-forward svc/deathstar 4245:80 &');
    expect((await session.run('hubble status')).stderr).toBe(
      'failed getting status: rpc error: code = Unavailable desc = connection error: desc = "error reading server preface: http2: frame too large"\n',
    );
  });

  it('cilium hubble disable removes Relay again', async () => {
    const session = await ciliumOnKind();
    await session.run('cilium hubble enable');
    expect(await session.run('cilium hubble disable')).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    await session.run('sleep 5');
    expect((await session.run('kubectl -n kube-system get deploy hubble-relay')).stderr).toBe(
      'Error from server (NotFound): deployments.apps "hubble-relay" not found\n',
    );
  });
});
