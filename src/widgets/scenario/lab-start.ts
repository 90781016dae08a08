/**
 * The lab's answer to its first piece of work when a reader simply scrolls to it (no link in the
 * address, no session kept in this browser) and the scenario starts from an empty world: the view of
 * that start, made from the scenario directory alone. The worker sends it before the simulator has
 * loaded (lab-worker.ts), so the lab shows its start as soon as this small module has; the simulator
 * loads right after and the reader's first step waits for it. The answer is the one lab-host.ts
 * gives for the same work (test/unit/site/lab-start.test.ts compares the two for every scenario).
 * It reaches the simulator through src/simulator-lab-start.ts, not src/simulator-lab.ts, whose
 * exports bring the whole simulator with them.
 */
import { compactRecord, scenarioDirectory, startOfDay, toStampMilli } from '../../simulator-lab-start';
import { emptyPictures, type LabDone, type LabWork } from './lab-protocol';

/**
 * The answer to `work` when it is a lab's first and the start can be shown without the simulator;
 * undefined otherwise (a link or a kept session to replay, a scenario with an initial state).
 */
export function startAnswer(scenarioId: string, work: LabWork): Omit<LabDone, 'type' | 'id'> | undefined {
  // Any fragment might be a link: only lab-host.ts can tell it from a heading's anchor.
  if (work.kind !== 'open' || work.fragment !== '' || work.stored !== undefined) return undefined;
  const start = scenarioDirectory[scenarioId]?.start;
  if (start === undefined) return undefined;
  const { seed } = start;
  return {
    message: '',
    origin: 'start',
    view: {
      revision: 1,
      seed,
      completedSteps: 0,
      transcripts: [],
      terminalFrom: 0,
      terminalEntries: [],
      terminalHeld: [],
      terminalTabs: [0],
      timeline: {
        length: 0,
        position: 0,
        timeText: `${toStampMilli(startOfDay(start.day))} virtual time`,
        stepEnds: [],
      },
      pictures: emptyPictures(),
      record: compactRecord({ scenario: scenarioId, seed, actions: [], cursor: undefined }),
    },
  };
}
