// Goal: the lab's worker half answers each piece of work as the widget expects — a view of the world
// with the sentence to show, the terminal's output as a diff, links that rebuild the same world, and
// an interrupt that stops a running command line — with no worker or page around it.
import { describe, expect, it } from 'vitest';
import { LabHost, type LabProgress } from '../../../src/widgets/scenario/lab-host';
import type { LabDone, LabWork } from '../../../src/widgets/scenario/lab-protocol';
import { compactRecord, encodeScenarioPermalink } from '../../../simulator/permalink';

type Answer = Omit<LabDone, 'type' | 'id'>;

const quiet: LabProgress = () => undefined;

/** A host on the mistaken-identity scenario that has done `work` in order; the last answer. */
async function hostAfter(work: LabWork[]): Promise<{ host: LabHost; answer: Answer }> {
  const host = new LabHost('mistaken-identity');
  let answer: Answer = {};
  for (const item of work) answer = await host.perform(item, quiet);
  return { host, answer };
}

const open: LabWork = { kind: 'open', fragment: '', stored: undefined };

describe('lab host: opening', () => {
  it.each<{
    name: string;
    fragment: string;
    stored: unknown;
    completed: number;
    seed: number;
    message: RegExp;
  }>([
    { name: 'nothing: the start', fragment: '', stored: undefined, completed: 0, seed: 1, message: /^$/ },
    {
      name: 'a stored record',
      fragment: '',
      stored: compactRecord({
        scenario: 'mistaken-identity',
        seed: 9,
        actions: [{ kind: 'step' }],
        cursor: undefined,
      }),
      completed: 1,
      seed: 9,
      message: /Restored your session/,
    },
    {
      name: 'an unreadable stored record',
      fragment: '',
      stored: null,
      completed: 0,
      seed: 1,
      message: /could not be read/,
    },
    {
      name: 'a step-only link, over a stored record',
      fragment: `scenario-mistaken-identity=${encodeScenarioPermalink({ scenario: 'mistaken-identity', seed: 42, step: 2 })}`,
      stored: compactRecord({ scenario: 'mistaken-identity', seed: 9, actions: [], cursor: undefined }),
      completed: 2,
      seed: 42,
      message: /Opened a shared state: seed 42, 2 actions/,
    },
    {
      name: 'a link from a future release',
      fragment: 'v7.AAAA',
      stored: undefined,
      completed: 0,
      seed: 1,
      message: /newer version/,
    },
    {
      name: 'a heading anchor',
      fragment: 'the-experiment',
      stored: undefined,
      completed: 0,
      seed: 1,
      message: /^$/,
    },
  ])('$name', async ({ fragment, stored, completed, seed, message }) => {
    const { answer } = await hostAfter([{ kind: 'open', fragment, stored }]);
    expect(answer.view?.completedSteps).toBe(completed);
    expect(answer.view?.seed).toBe(seed);
    expect(answer.message).toMatch(message);
  });
});

describe('lab host: steps and the timeline', () => {
  it('runs a step and draws the cluster it made', async () => {
    const { answer } = await hostAfter([open, { kind: 'step' }]);
    expect(answer.view?.completedSteps).toBe(1);
    expect(answer.view?.transcripts).toHaveLength(1);
    expect(answer.view?.pictures.nodes?.map((node) => node.name)).toContain('kind-worker3');
    expect(answer.message).toMatch(/^Step 1 of 7 done/);
  });

  it.each<{ name: string; work: LabWork[]; completed: number }>([
    { name: 'back one step', work: [{ kind: 'step' }, { kind: 'step' }, { kind: 'back' }], completed: 1 },
    { name: 'goto forward', work: [{ kind: 'goto', step: 3 }], completed: 3 },
    {
      name: 'goto backward',
      work: [
        { kind: 'goto', step: 3 },
        { kind: 'goto', step: 1 },
      ],
      completed: 1,
    },
    { name: 'restart', work: [{ kind: 'step' }, { kind: 'restart', seed: 5 }], completed: 0 },
  ])('$name', async ({ work, completed }) => {
    const { answer } = await hostAfter([open, ...work]);
    expect(answer.view?.completedSteps).toBe(completed);
  });

  it('shows the past after a seek, and the present after the next step', async () => {
    const { host } = await hostAfter([open, { kind: 'step' }]);
    const past = await host.perform({ kind: 'seek', position: 3 }, quiet);
    expect(past.view?.timeline.position).toBe(3);
    expect(past.view?.timeline.length).toBeGreaterThan(3);
    const stepped = await host.perform({ kind: 'step' }, quiet);
    expect(stepped.message).toMatch(/^Back to the present first\. Step 2 of 7 done/);
    expect(stepped.view?.timeline.position).toBe(stepped.view?.timeline.length);
  });

  it('leaves out of a view the pictures the page already has', async () => {
    const { host } = await hostAfter([open, { kind: 'step' }]);
    const past = await host.perform({ kind: 'seek', position: 3 }, quiet);
    expect(Object.keys(past.view?.pictures ?? {})).toContain('nodes');
    const again = await host.perform({ kind: 'seek', position: 3 }, quiet);
    expect(again.view?.pictures).toEqual({});
  });

  it('answers work that changes nothing without a view', async () => {
    const { host } = await hostAfter([open]);
    expect((await host.perform({ kind: 'back' }, quiet)).view).toBeUndefined();
  });
});

describe('lab host: the terminal', () => {
  it('sends only the entries the page does not have yet', async () => {
    const { host } = await hostAfter([open, { kind: 'step' }]);
    const first = await host.perform(
      { kind: 'command', line: 'kubectl get nodes --no-headers | wc -l' },
      quiet,
    );
    expect(first.view?.terminalFrom).toBe(0);
    expect(first.view?.terminalEntries.map((entry) => entry.stdout.trim())).toEqual(['4']);
    const second = await host.perform({ kind: 'command', line: 'kind get clusters' }, quiet);
    expect(second.view?.terminalFrom).toBe(1);
    expect(second.view?.terminalEntries.map((entry) => entry.command)).toEqual(['kind get clusters']);
    const restarted = await host.perform({ kind: 'restart', seed: 1 }, quiet);
    expect(restarted.view?.terminalFrom).toBe(0);
    expect(restarted.view?.terminalEntries).toEqual([]);
  });

  it('stops a running command line when interrupted, as Ctrl-C does', async () => {
    const { host } = await hostAfter([open, { kind: 'step' }]);
    const running = host.perform(
      { kind: 'command', line: 'while true; do kubectl get nodes; sleep 1; done' },
      quiet,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    host.interrupt();
    const answer = await running;
    expect(answer.view?.terminalEntries.at(-1)?.exitCode).toBe(130);
    expect(answer.message).toMatch(/exit code 130/);
  });

  it('stops at its start a line whose Ctrl-C came before it could start', async () => {
    const { host } = await hostAfter([open, { kind: 'step' }, { kind: 'step' }]);
    const answer = await host.perform(
      { kind: 'command', line: 'kubectl delete deployment --all' },
      quiet,
      () => true,
    );
    expect(answer.view?.terminalEntries.at(-1)).toMatchObject({ exitCode: 130, stdout: '', stderr: '^C\n' });
    const listed = await host.perform(
      { kind: 'command', line: 'kubectl get deployments --no-headers' },
      quiet,
    );
    // Nothing was deleted: the guide's four Deployments are all there.
    expect(listed.view?.terminalEntries.at(-1)?.stdout.trim().split('\n')).toHaveLength(4);
  });
});

describe('lab host: terminal tabs and completion', () => {
  it('completes a line from the cluster without changing the view', async () => {
    const { host } = await hostAfter([open, { kind: 'step' }]);
    const answer = await host.perform({ kind: 'complete', line: 'kubectl get no', tab: 1 }, quiet);
    expect(answer.completion).toEqual({ start: 12, candidates: ['nodes'] });
    expect(answer.view).toBeUndefined();
  });

  it('reports a tab holding a command, and stops it on request', async () => {
    const { host } = await hostAfter([open, { kind: 'step' }, { kind: 'step' }]);
    const watching = await host.perform(
      { kind: 'command', line: 'kubectl -n kube-system exec ds/cilium -- hubble observe -f', tab: 1 },
      quiet,
    );
    expect(watching.view?.terminalHeld).toEqual([
      { tab: 1, command: 'kubectl -n kube-system exec ds/cilium -- hubble observe -f' },
    ]);
    const stopped = await host.perform({ kind: 'stop', tab: 1 }, quiet);
    expect(stopped.view?.terminalHeld).toEqual([]);
    expect(stopped.view?.terminalEntries.at(-1)).toMatchObject({ tab: 1, continued: true });
    expect((await host.perform({ kind: 'stop', tab: 1 }, quiet)).view).toBeUndefined();
  });

  it('records a tab opened and closed, and shares a link that opens the same tabs', async () => {
    const { host } = await hostAfter([open]);
    expect((await host.perform({ kind: 'tab', tab: 1, open: true }, quiet)).view?.terminalTabs).toEqual([
      0, 1,
    ]);
    expect((await host.perform({ kind: 'tab', tab: 0, open: false }, quiet)).view?.terminalTabs).toEqual([1]);
    expect((await host.perform({ kind: 'tab', tab: 0, open: false }, quiet)).view).toBeUndefined();
    const { link } = await host.perform({ kind: 'share' }, quiet);
    const other = new LabHost('mistaken-identity');
    const opened = await other.perform({ kind: 'open', fragment: link ?? '', stored: undefined }, quiet);
    expect(opened.view?.terminalTabs).toEqual([1]);
  });
});

describe('lab host: links', () => {
  it('shares a link that another host opens to the same world', async () => {
    const { host } = await hostAfter([
      open,
      { kind: 'step' },
      { kind: 'command', line: 'kubectl get pods -A' },
    ]);
    await host.perform({ kind: 'seek', position: 10 }, quiet);
    const shared = await host.perform({ kind: 'share' }, quiet);
    expect(shared.view).toBeUndefined();
    expect(shared.link).toMatch(/^v1\./);
    const other = new LabHost('mistaken-identity');
    const opened = await other.perform(
      { kind: 'open', fragment: shared.link ?? '', stored: undefined },
      quiet,
    );
    expect(opened.openTerminal).toBe(true);
    expect(opened.view?.timeline.position).toBe(10);
    expect(other.hash()?.hash).toBe(host.hash()?.hash);
  });

  it('reopens the record a replaced worker held', async () => {
    const { answer: before } = await hostAfter([open, { kind: 'step' }, { kind: 'step' }]);
    const { answer } = await hostAfter([{ kind: 'reopen', record: before.view?.record, announce: 'Back.' }]);
    expect(answer.view?.completedSteps).toBe(2);
    expect(answer.message).toBe('Back.');
  });
});
