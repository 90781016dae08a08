// Goal: the view the lab's worker shows of a scenario's start before the simulator has loaded
// (lab-start.ts) is exactly the one the simulator gives (lab-host.ts), for every scenario that has
// one, and no start is made up for work that needs the simulator.
import { describe, expect, it } from 'vitest';
import { LabHost } from '../../../src/widgets/scenario/lab-host';
import { startAnswer } from '../../../src/widgets/scenario/lab-start';
import type { LabWork } from '../../../src/widgets/scenario/lab-protocol';
import { compactRecord } from '../../../simulator/permalink';
import { scenarioDirectory } from '../../../simulator/scenarios/directory';

const open: LabWork = { kind: 'open', fragment: '', stored: undefined };
const withStart = Object.keys(scenarioDirectory).filter((id) => scenarioDirectory[id]?.start !== undefined);

describe('lab start: the first view without the simulator', () => {
  it.each(withStart)('%s: the same answer, and the host goes on from it', async (id) => {
    const host = new LabHost(id);
    const expected = await host.perform(open, () => undefined);
    expect(startAnswer(id, open)).toStrictEqual(expected);
    // A host that takes over from the start view sends only what changes afterwards, as this one does.
    const adopted = new LabHost(id);
    await adopted.adoptStart();
    expect(adopted.hash()).toEqual(host.hash());
    const share = await adopted.perform({ kind: 'share' }, () => undefined);
    expect(share.view).toBeUndefined();
  });

  it.each<{ name: string; scenario: string; work: LabWork }>([
    { name: 'a fragment (perhaps a link)', scenario: 'mistaken-identity', work: { ...open, fragment: 'x' } },
    {
      name: 'a session kept in this browser',
      scenario: 'mistaken-identity',
      work: {
        ...open,
        stored: compactRecord({ scenario: 'mistaken-identity', seed: 1, actions: [], cursor: undefined }),
      },
    },
    { name: 'a scenario with an initial state', scenario: 'reference-dns', work: open },
    { name: 'an unknown scenario', scenario: 'no-such-lab', work: open },
    { name: 'work other than opening', scenario: 'mistaken-identity', work: { kind: 'step' } },
  ])('needs the simulator for $name', ({ scenario, work }) => {
    expect(startAnswer(scenario, work)).toBeUndefined();
  });
});
