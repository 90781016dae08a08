import { describe, expect, it } from 'vitest';
import { decodeLabPermalink, encodeLabPermalink } from '../../../simulator/permalink';
import { LabSession, withoutLastStep } from '../../../simulator/scenarios/lab-session';
import { scenarios } from '../../../simulator/scenarios/catalog';

// A shared link must rebuild exactly what the reader saw: the same world (state hash), the same
// terminal output and the same place on the timeline, from nothing but the seed and the inputs.
const scenario = scenarios['mistaken-identity']!;
const loadTerminal = () => import('../../../simulator/terminal/session');

describe('lab session', () => {
  it('restores steps, terminal commands and the timeline position from a permalink', async () => {
    const original = new LabSession(scenario, 11, loadTerminal);
    original.next();
    original.next();
    const scaled = await original.run(
      'kubectl scale deployment sleep-v2 --replicas=3 && kubectl get deploy sleep-v2',
    );
    expect(scaled.exitCode).toBe(0);
    original.next();
    await original.run('kubectl get pods -l app=sleep --no-headers | wc -l');
    const length = original.simulation.length;
    original.seek(Math.floor(length / 2));
    expect(original.viewingPast).toBe(true);

    const link = await encodeLabPermalink(original.record());
    const decoded = await decodeLabPermalink(link);
    if (!decoded.ok) throw new Error(decoded.error);
    const { session: restored, warning } = await LabSession.restore(scenario, decoded.record, loadTerminal);

    expect(warning).toBeUndefined();
    expect(restored.simulation.position).toBe(Math.floor(length / 2));
    expect(restored.simulation.hash()).toBe(original.simulation.hash());
    expect(restored.terminalLog).toEqual(original.terminalLog);
    expect(restored.completedSteps).toBe(3);
    restored.returnToPresent();
    original.returnToPresent();
    expect(restored.simulation.hash()).toBe(original.simulation.hash());
  }, 30_000); // replays two steps twice: seconds on a loaded machine

  it('continues the reader’s history from the present after looking at the past', () => {
    const session = new LabSession(scenario, 5, loadTerminal);
    session.next();
    const lengthAfterFirst = session.simulation.length;
    session.seek(3);
    session.next();
    expect(session.completedSteps).toBe(2);
    expect(session.viewingPast).toBe(false);
    expect(session.simulation.length).toBeGreaterThan(lengthAfterFirst);
    const fresh = new LabSession(scenario, 5, loadTerminal);
    fresh.next();
    fresh.next();
    expect(session.simulation.hash()).toBe(fresh.simulation.hash());
  });

  it('replays a line the reader interrupted up to the same point', async () => {
    const original = new LabSession(scenario, 3, loadTerminal);
    original.next();
    original.next();
    const line = 'while true; do kubectl get pods -l app=sleep --no-headers | wc -l; sleep 5; done';
    const watching = original.run(line);
    // The reader presses Ctrl-C after a moment of real time; where that lands is not deterministic.
    setTimeout(() => original.cancel(), 150);
    const entry = await watching;
    expect(entry.exitCode).toBe(130);
    const action = original.actions.at(-1);
    expect(action).toMatchObject({ kind: 'command', line });
    expect(action?.kind === 'command' ? action.stopAt : undefined).toBeGreaterThan(0);

    const decoded = await decodeLabPermalink(await encodeLabPermalink(original.record()));
    if (!decoded.ok) throw new Error(decoded.error);
    const { session: restored } = await LabSession.restore(scenario, decoded.record, loadTerminal);
    expect(restored.simulation.hash()).toBe(original.simulation.hash());
    expect(restored.terminalLog).toEqual(original.terminalLog);
  });

  it('interrupts a line whose terminal is still loading when Ctrl-C comes, and replays it', async () => {
    // The reader presses Stop at once: the worker is still loading the shell for the first line.
    let loaded: () => void = () => undefined;
    const slowTerminal = async () => {
      await new Promise<void>((resolve) => (loaded = resolve));
      return loadTerminal();
    };
    const original = new LabSession(scenario, 3, slowTerminal);
    original.next();
    original.next();
    const line = 'for i in $(seq 50); do kubectl rollout restart deployment sleep-v2; done';
    const running = original.run(line);
    original.cancel();
    loaded();
    const entry = await running;
    expect(entry).toMatchObject({ exitCode: 130, stdout: '', stderr: '^C\n' });
    const action = original.actions.at(-1);
    expect(action).toMatchObject({ kind: 'command', line, stopAt: 1 });

    const decoded = await decodeLabPermalink(await encodeLabPermalink(original.record()));
    if (!decoded.ok) throw new Error(decoded.error);
    const { session: restored } = await LabSession.restore(scenario, decoded.record, loadTerminal);
    expect(restored.simulation.hash()).toBe(original.simulation.hash());
    expect(restored.terminalLog).toEqual(original.terminalLog);
    // Nothing of the loop ran: the line after it sees the Deployment at its first revision.
    expect((await restored.run('kubectl rollout history deployment sleep-v2')).stdout).not.toMatch(/^2 /m);
  });

  it('reports a cursor past the end of the timeline and shows the end', async () => {
    const { session, warning } = await LabSession.restore(
      scenario,
      { scenario: 'mistaken-identity', seed: 1, actions: [{ kind: 'step' }], cursor: 10_000_000 },
      loadTerminal,
    );
    expect(warning).toContain('past the end');
    expect(session.viewingPast).toBe(false);
  });

  it('takes back the last step and what followed it', () => {
    expect(
      withoutLastStep({
        scenario: 'mistaken-identity',
        seed: 1,
        actions: [
          { kind: 'step' },
          { kind: 'command', line: 'ls' },
          { kind: 'step' },
          { kind: 'command', line: 'pwd' },
        ],
        cursor: 4,
      }),
    ).toEqual({
      scenario: 'mistaken-identity',
      seed: 1,
      actions: [{ kind: 'step' }, { kind: 'command', line: 'ls' }],
      cursor: undefined,
    });
  });
});
