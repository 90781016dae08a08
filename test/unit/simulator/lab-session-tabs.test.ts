import { describe, expect, it } from 'vitest';
import {
  compactActions,
  decodeLabPermalink,
  encodeLabPermalink,
  parseActions,
} from '../../../simulator/permalink';
import { LabSession } from '../../../simulator/scenarios/lab-session';
import { scenarios } from '../../../simulator/scenarios/catalog';
import { listObjects } from '../../../simulator/k8s/api-store';

// The lab's terminal tabs: one tab watches (`hubble observe -f` holds it) while another acts, and a
// link rebuilds both tabs' output exactly, and the same set of tabs (opening and closing one is
// recorded), while links made before tabs still replay.
const scenario = scenarios['mistaken-identity']!;
const loadTerminal = () => import('../../../simulator/terminal/session');

/** A lab with tabs after the scenario's first two steps (the workloads run). */
function labWithWorkloads(): LabSession {
  const session = new LabSession(scenario, 1, loadTerminal, {}, { tabs: true });
  session.next();
  session.next();
  return session;
}

/** The Cilium agent on the node of a pod whose name starts with a prefix. */
function agentBeside(session: LabSession, podPrefix: string): string {
  const cluster = session.simulation.state.cluster;
  const pods = cluster === undefined ? [] : listObjects(cluster.api, 'Pod');
  const node = pods.find((pod) => pod.metadata.name.startsWith(podPrefix))?.spec.nodeName;
  const agent = pods.find(
    (pod) => pod.metadata.name.match(/^cilium-[a-z0-9]{5}$/) !== null && pod.spec.nodeName === node,
  );
  return agent?.metadata.name ?? '';
}

const watchLine = (agent: string) =>
  `kubectl -n kube-system exec ${agent} -- hubble observe -f --pod default/sleep-v2`;
const curlLine = 'kubectl exec deploy/sleep-v2 -- curl -s helloworld-v2:5000/hello';

/** The output shown in a tab after its command line, as one text. */
const tabOutput = (session: LabSession, tab: number): string =>
  session.terminalLog
    .filter((entry) => (entry.tab ?? 0) === tab && entry.continued === true)
    .map((entry) => entry.stdout + entry.stderr)
    .join('');

describe('lab terminal tabs', () => {
  it('shows in the watching tab the request another tab makes', async () => {
    const session = labWithWorkloads();
    await session.run(watchLine(agentBeside(session, 'sleep-v2')), undefined, 1);
    expect(session.heldCommands.map((held) => held.tab)).toEqual([1]);
    const curl = await session.run(curlLine);
    expect(curl.exitCode, curl.stderr).toBe(0);
    expect(tabOutput(session, 1)).toMatch(
      /default\/sleep-v2-\S+ \(ID:\d+\) (?:->|<-) default\/helloworld-v2-\S+:5000/,
    );
    expect(tabOutput(session, 0)).toBe('');
  }, 30_000);

  it('stops the held command at Ctrl-C, after which the tab runs lines again', async () => {
    const session = labWithWorkloads();
    await session.run(watchLine(agentBeside(session, 'sleep-v2')), undefined, 1);
    expect(session.stop(1)).toBe(true);
    expect(session.heldCommands).toEqual([]);
    const last = session.terminalLog.at(-1);
    expect(last).toMatchObject({ tab: 1, continued: true });
    expect(last?.stderr).toMatch(/\^C\n$/);
    const echoed = await session.run('echo free', undefined, 1);
    expect(echoed.stdout).toBe('free\n');
    expect(session.stop(1)).toBe(false);
  }, 30_000);

  it('rebuilds both tabs from a link', async () => {
    const original = labWithWorkloads();
    await original.run(watchLine(agentBeside(original, 'sleep-v2')), undefined, 1);
    await original.run(curlLine);
    original.next();
    original.stop(1);
    const decoded = await decodeLabPermalink(await encodeLabPermalink(original.record()));
    if (!decoded.ok) throw new Error(decoded.error);
    const { session } = await LabSession.restore(
      scenario,
      decoded.record,
      loadTerminal,
      undefined,
      {},
      { tabs: true },
    );
    expect(session.terminalLog).toEqual(original.terminalLog);
    expect(session.simulation.hash()).toBe(original.simulation.hash());
  }, 60_000);

  it('replays a link made before tabs, whose watch was an interrupted line, leaving the tab free', async () => {
    const before = labWithWorkloads();
    const line = watchLine(agentBeside(before, 'sleep-v2'));
    const record = {
      ...before.record(),
      actions: [...before.record().actions, { kind: 'command' as const, line, stopAt: 3 }],
    };
    const { session } = await LabSession.restore(
      scenario,
      record,
      loadTerminal,
      undefined,
      {},
      { tabs: true },
    );
    expect(session.heldCommands).toEqual([]);
    expect((await session.run('echo free')).stdout).toBe('free\n');
  }, 30_000);

  it('records opening and closing tabs, so a link shows the same tabs, and closing ends a watch', async () => {
    const original = labWithWorkloads();
    expect(original.openTab(1)).toBe(true);
    expect(original.openTab(2)).toBe(true);
    await original.run(watchLine(agentBeside(original, 'sleep-v2')), undefined, 2);
    expect(original.closeTab(0)).toBe(true);
    expect(original.closeTab(2)).toBe(true);
    expect(original.closeTab(2)).toBe(false);
    expect(original.tabs).toEqual([1]);
    // The watch ended with its tab: the next request shows nowhere.
    expect(original.heldCommands).toEqual([]);
    await original.run(curlLine, undefined, 1);
    const decoded = await decodeLabPermalink(await encodeLabPermalink(original.record()));
    if (!decoded.ok) throw new Error(decoded.error);
    const { session } = await LabSession.restore(
      scenario,
      decoded.record,
      loadTerminal,
      undefined,
      {},
      { tabs: true },
    );
    expect(session.tabs).toEqual([1]);
    expect(session.terminalLog).toEqual(original.terminalLog);
  }, 60_000);

  it("shares the reader's files between tabs, as windows on one machine, but not their shells", async () => {
    const session = labWithWorkloads();
    await session.run('cd /tmp && export WHO=first && echo hello > /home/user/note.txt', undefined, 0);
    await session.run('helm repo add cilium-mirror https://helm.cilium.io/', undefined, 0);
    const note = await session.run('cat note.txt; pwd; echo "who=$WHO"', undefined, 1);
    expect(note.stdout).toBe('hello\n/home/user\nwho=\n');
    expect((await session.run('helm repo list', undefined, 1)).stdout).toContain('cilium-mirror');
    // Files outlive a closed tab; a tab opened afterwards finds them.
    expect(session.closeTab(1)).toBe(true);
    await session.run('echo again >> ~/note.txt', undefined, 0);
    expect((await session.run('cat note.txt', undefined, 2)).stdout).toBe('hello\nagain\n');
  }, 30_000);

  it('counts a tab a line ran in as open, without recording an opening', async () => {
    const session = labWithWorkloads();
    await session.run('echo hi', undefined, 3);
    expect(session.tabs).toEqual([0, 3]);
    expect(session.record().actions.filter((action) => action.kind === 'open-tab')).toEqual([]);
    expect(session.openTab(3)).toBe(false);
  }, 30_000);

  describe('compact actions in links', () => {
    it.each([
      ['a first-tab line, as before tabs', { kind: 'command' as const, line: 'ls' }, 'ls'],
      ['a line in another tab', { kind: 'command' as const, line: 'ls', tab: 2 }, { l: 'ls', t: 2 }],
      [
        'an interrupted line in another tab',
        { kind: 'command' as const, line: 'ls', tab: 1, stopAt: 4 },
        { l: 'ls', t: 1, s: 4 },
      ],
      ['Ctrl-C on a held command', { kind: 'stop' as const, tab: 1 }, { stop: 1 }],
      ['a tab opened', { kind: 'open-tab' as const, tab: 2 }, { open: 2 }],
      ['a tab closed', { kind: 'close-tab' as const, tab: 0 }, { close: 0 }],
    ])('%s', (_name, action, compact) => {
      expect(compactActions([action])).toEqual([compact]);
      expect(parseActions([compact], 0)).toEqual({ ok: true, actions: [action] });
    });

    it.each([
      ['a tab out of range', { l: 'ls', t: 1000 }],
      ['a stop with more fields', { stop: 1, l: 'ls' }],
      ['a close of a tab out of range', { close: 100 }],
      ['an opening and a close in one', { open: 1, close: 1 }],
      ['a negative checkpoint', { l: 'ls', t: 1, s: -1 }],
    ])('refuses %s', (_name, compact) => {
      expect(parseActions([compact], 0).ok).toBe(false);
    });
  });
});
