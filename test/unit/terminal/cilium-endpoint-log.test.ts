import { describe, expect, it } from 'vitest';
import { TerminalSession } from '../../../simulator/terminal/session';
import type { LineResult } from '../../../simulator/terminal/session';
import { clusterWithCilium } from '../simulator/support';

// Goal: `cilium-dbg endpoint log <id>` shows what a reader checks in an endpoint's status log: the
// states it went through, newest first, with the agent's reasons (cilium-dbg/cmd/endpoint_log.go and
// pkg/endpoint at v1.18), and the CLI's own errors for a missing, malformed or unknown id. Every
// case builds its own one-node cluster with Cilium 1.18.5 and a pod.

const podYaml = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: web
    image: nginx
`;

async function clusterWithPod(): Promise<{ session: TerminalSession; id: string }> {
  const simulation = clusterWithCilium(5, 1, '1.18.5');
  const session = new TerminalSession(simulation);
  await session.run(`kubectl apply -f - <<'EOF'\n${podYaml}EOF`);
  simulation.advance(30_000);
  const id = (await session.run("kubectl get cep web -o jsonpath='{.status.id}'")).stdout.trim();
  return { session, id };
}

const agent = (command: string): string => `kubectl -n kube-system exec ds/cilium -- cilium-dbg ${command}`;

/** The State and Message columns of the log, oldest first. */
function statesAndMessages(stdout: string): string[] {
  return stdout
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((line) => line.split(/ {3,}/).slice(2).join(' | '))
    .reverse();
}

/** The log of an endpoint created anew, oldest first: creation, identity, one regeneration. */
const newEndpointLog = [
  'waiting-for-identity | Endpoint creation',
  'ready | Set identity for this endpoint',
  'waiting-to-regenerate | Triggering endpoint regeneration due to updated security labels',
  'regenerating | Regenerating endpoint: updated security labels',
  'ready | Completed endpoint regeneration with no pending regeneration requests',
  'ready | Successfully regenerated endpoint program (Reason: updated security labels)',
];

interface OwnEndpoint {
  id: string;
  identity: string;
  state: string;
}

/** `cilium-dbg <command>` in the agent pod that runs on the web pod's node now (a restart replaces the pod). */
async function onWebNode(session: TerminalSession, command: string): Promise<LineResult> {
  const node = (await session.run("kubectl get pod web -o jsonpath='{.spec.nodeName}'")).stdout;
  const pods = await session.run(
    `kubectl -n kube-system get pods -l k8s-app=cilium -o jsonpath='{range .items[*]}{.metadata.name} {.spec.nodeName}{"\\n"}{end}'`,
  );
  const pod = pods.stdout
    .split('\n')
    .find((line) => line.endsWith(` ${node}`))
    ?.split(' ')[0];
  return session.run(`kubectl -n kube-system exec ${pod ?? 'missing'} -- cilium-dbg ${command}`);
}

/** The host and health endpoints as `endpoint list -o jsonpath` gives them (absent when not listed). */
async function ownEndpoints(
  session: TerminalSession,
): Promise<{ host: OwnEndpoint; health: OwnEndpoint | undefined }> {
  const rows = (
    await onWebNode(
      session,
      `endpoint list -o jsonpath='{range [*]}{.id} {.status.identity.id} {.status.state} {.status.labels.security-relevant[*]}{"\\n"}{end}'`,
    )
  ).stdout
    .trimEnd()
    .split('\n')
    .map((line) => line.split(' '));
  const find = (label: string): OwnEndpoint | undefined => {
    const row = rows.find((fields) => fields.slice(3).includes(label));
    return row === undefined ? undefined : { id: row[0] ?? '', identity: row[1] ?? '', state: row[2] ?? '' };
  };
  const host = find('reserved:host');
  if (host === undefined) throw new Error(`no host endpoint in ${JSON.stringify(rows)}`);
  return { host, health: find('reserved:health') };
}

/** Both of the agent's own endpoints, once the health endpoint is listed. */
async function listedOwnEndpoints(
  session: TerminalSession,
): Promise<{ host: OwnEndpoint; health: OwnEndpoint }> {
  const { host, health } = await ownEndpoints(session);
  if (health === undefined) throw new Error('no health endpoint listed');
  return { host, health };
}

describe('cilium-dbg endpoint log', () => {
  it("lists a new pod's creation, identity and first regeneration, newest first", async () => {
    const { session, id } = await clusterWithPod();
    const result = await session.run(agent(`endpoint log ${id}`));
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Timestamp {14}Status {3}State {19}Message\n/);
    expect(result.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {3}OK {7}ready/m);
    expect(statesAndMessages(result.stdout)).toEqual([
      'waiting-for-identity | Endpoint creation',
      'ready | Set identity for this endpoint',
      'waiting-to-regenerate | Triggering endpoint regeneration due to updated security labels',
      'regenerating | Regenerating endpoint: updated security labels',
      'ready | Completed endpoint regeneration with no pending regeneration requests',
      'ready | Successfully regenerated endpoint program (Reason: updated security labels)',
    ]);
  }, 60_000);

  it('logs a label change as identity resolution and a new regeneration', async () => {
    const { session, id } = await clusterWithPod();
    await session.run('kubectl label pod web app=api --overwrite');
    await session.run('sleep 5');
    const log = statesAndMessages((await session.run(agent(`endpoint log ${id}`))).stdout);
    expect(log.slice(6, 8)).toEqual([
      'waiting-for-identity | Triggering identity resolution due to updated identity labels',
      'ready | Set identity for this endpoint',
    ]);
    expect(log.at(-1)).toBe(
      'ready | Successfully regenerated endpoint program (Reason: updated security labels)',
    );
  }, 60_000);

  it('gives the entries as the API models with -o json', async () => {
    const { session, id } = await clusterWithPod();
    const result = await session.run(agent(`endpoint log ${id} -o json`));
    const entries = JSON.parse(result.stdout) as {
      code: string;
      state: string;
      message: string;
      timestamp: string;
    }[];
    expect(entries).toHaveLength(6);
    expect(entries[0]).toMatchObject({ code: 'OK', state: 'ready' });
    expect(entries[5]).toMatchObject({
      code: 'OK',
      state: 'waiting-for-identity',
      message: 'Endpoint creation',
    });
    expect(entries[0]?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  }, 60_000);

  it("lists the agent's host and health endpoints with their reserved identities and states", async () => {
    const { session } = await clusterWithPod();
    const { host, health } = await listedOwnEndpoints(session);
    expect(host).toEqual({ id: host.id, identity: '1', state: 'ready' });
    expect(health).toEqual({ id: health.id, identity: '4', state: 'ready' });
    const got = await onWebNode(
      session,
      `endpoint get ${health.id} -o jsonpath='{[0].status.identity.labels}'`,
    );
    expect(got.stdout).toBe('["reserved:health"]\n');
  }, 60_000);

  it('logs the host and health endpoints created at the first start, as a new endpoint', async () => {
    const { session } = await clusterWithPod();
    const { host, health } = await listedOwnEndpoints(session);
    for (const id of [host.id, health.id])
      expect(statesAndMessages((await onWebNode(session, `endpoint log ${id}`)).stdout)).toEqual(
        newEndpointLog,
      );
  }, 60_000);

  it('after an agent restart: the host endpoint is restored, the health endpoint launched anew', async () => {
    const { session, id } = await clusterWithPod();
    const before = await listedOwnEndpoints(session);
    await session.run('kubectl -n kube-system rollout restart ds/cilium');
    await session.run('kubectl -n kube-system rollout status ds/cilium');
    // Ready before the restore: the host endpoint restoring, no health endpoint yet (old or new).
    const early = await ownEndpoints(session);
    expect(early.host).toEqual({ ...before.host, state: 'restoring' });
    expect(early.health).toBeUndefined();
    expect((await onWebNode(session, `endpoint log ${before.health.id}`)).stderr).toContain(
      `Error: Cannot get endpoint log ${before.health.id}: [GET /endpoint/{id}/log][404]`,
    );
    await session.run('sleep 20');
    const after = await ownEndpoints(session);
    expect(after.host).toEqual(before.host);
    expect(after.health?.state).toBe('ready');
    expect(after.health?.id).not.toBe(before.health.id);
    // The new health endpoint's log holds its own life only, its states in order.
    const healthLog = (await onWebNode(session, `endpoint log ${after.health?.id}`)).stdout;
    expect(statesAndMessages(healthLog)).toEqual(newEndpointLog);
    // A status log is the agent's memory: the restored endpoints' logs begin at the restore.
    const restoredLog = [
      'restoring | Endpoint restoring',
      'restoring | Restoring endpoint from previous cilium instance',
      'restoring | Synchronizing endpoint labels with KVStore',
      'regenerating | Regenerating endpoint: syncing state to host',
      'ready | Completed endpoint regeneration with no pending regeneration requests',
      'ready | Successfully regenerated endpoint program (Reason: syncing state to host)',
    ];
    for (const restored of [before.host.id, id])
      expect(statesAndMessages((await onWebNode(session, `endpoint log ${restored}`)).stdout)).toEqual(
        restoredLog,
      );
    // The health endpoint was created after the restore began, and the host endpoint restored at the start.
    const times = (text: string): string[] =>
      text
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((line) => line.slice(0, 20));
    const hostTimes = times((await onWebNode(session, `endpoint log ${before.host.id}`)).stdout);
    expect(times(healthLog).at(-1)! > hostTimes.at(-1)!).toBe(true);
  }, 60_000);

  it('logs a regeneration of the host endpoint for each host policy change that selects its node', async () => {
    const { session } = await clusterWithPod();
    const node = (await session.run("kubectl get pod web -o jsonpath='{.spec.nodeName}'")).stdout;
    await session.run(`kubectl label node ${node} node-access=ssh`);
    const hostPolicy = (name: string, selector: string): string =>
      `kubectl apply -f - <<'EOF'\napiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n  nodeSelector:\n    matchLabels:\n      ${selector}\n  ingress:\n  - fromEntities:\n    - cluster\nEOF`;
    const { host } = await listedOwnEndpoints(session);
    const logOfHost = async (): Promise<string[]> =>
      statesAndMessages((await onWebNode(session, `endpoint log ${host.id}`)).stdout);
    const before = await logOfHost();
    // kubernetes.io/os is not an identity label, so this nodeSelector selects no host endpoint.
    await session.run(hostPolicy('elsewhere', 'kubernetes.io/os: linux'));
    await session.run('sleep 2');
    expect(await logOfHost()).toEqual(before);
    await session.run(hostPolicy('ssh-only', 'node-access: ssh'));
    await session.run('sleep 2');
    const after = await logOfHost();
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length)).toEqual([
      'waiting-to-regenerate | Triggering endpoint regeneration due to policy rules updated',
      'regenerating | Regenerating endpoint: policy rules updated',
      'ready | Completed endpoint regeneration with no pending regeneration requests',
      'ready | Successfully regenerated endpoint program (Reason: policy rules updated)',
    ]);
    // Its deletion changes the host endpoint's policy again.
    await session.run('kubectl delete ciliumclusterwidenetworkpolicy ssh-only');
    await session.run('sleep 2');
    expect((await logOfHost()).slice(after.length)).toHaveLength(4);
  }, 60_000);

  const mistakes = [
    {
      name: 'no id',
      args: 'endpoint log',
      stderr: 'Error: Missing endpoint id argument\n\n',
      stdout: /^View endpoint status log\n/,
    },
    {
      name: 'an id that is not a number',
      args: 'endpoint log web',
      stderr: 'Error: Cannot parse endpoint id "web": strconv.ParseUint: parsing "web": invalid syntax\n',
      stdout: /^$/,
    },
    {
      name: 'an id the agent does not have',
      args: 'endpoint log 4095',
      stderr:
        'Error: Cannot get endpoint log 4095: [GET /endpoint/{id}/log][404] getEndpointIdLogNotFound \n',
      stdout: /^$/,
    },
    {
      name: 'an unknown flag',
      args: 'endpoint log 1 --since 5m',
      stderr: 'Error: unknown flag: --since\n',
      stdout: /^Usage:/,
    },
  ];
  it.each(mistakes)(
    'refuses $name with the CLI error',
    async ({ args, stderr, stdout }) => {
      const { session, id } = await clusterWithPod();
      const result = await session.run(agent(args.replace('4095', id === '4095' ? '4094' : '4095')));
      expect(result.exitCode).toBe(1);
      // kubectl exec adds its own line for a command that fails in the container.
      expect(result.stderr).toBe(
        `${stderr.replace('4095', id === '4095' ? '4094' : '4095')}command terminated with exit code 1\n`,
      );
      expect(result.stdout).toMatch(stdout);
    },
    60_000,
  );
});
