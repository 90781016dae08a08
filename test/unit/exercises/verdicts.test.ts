import { describe, expect, it } from 'vitest';
import { exercises } from '../../../content/exercises/index';
import { ExerciseSession } from '../../../simulator/exercises/index';
import { WorldVerdicts } from '../../../simulator/exercises/goals/verdicts';
import type { GoalCheck } from '../../../simulator/exercises/types';
import type { InputEvent } from '../../../simulator/events';
import { Simulation } from '../../../simulator/simulation';
import { TerminalSession } from '../../../simulator/terminal/session';

// A goal's verdict is taken once per version of the world and reused until the world moves on:
// an event, the clock or a seek makes every verdict be taken again.

const check: GoalCheck = { kind: 'no-audit-mode' };
const createCluster: InputEvent = {
  type: 'kind.cluster.create',
  config: {
    name: 'kind',
    nodes: [{ role: 'control-plane' }],
    disableDefaultCNI: true,
    podSubnet: '10.244.0.0/16',
    serviceSubnet: '10.96.0.0/16',
  },
};

describe('goal verdicts: reused while the world stands still', () => {
  const rows: { name: string; between: (simulation: Simulation) => void; evaluations: number }[] = [
    { name: 'nothing happened: the verdict is reused', between: () => {}, evaluations: 1 },
    {
      name: 'the clock moved: taken again',
      between: (simulation) => simulation.advance(1_000),
      evaluations: 2,
    },
    {
      name: 'an input was processed: taken again',
      between: (simulation) => simulation.input(createCluster),
      evaluations: 2,
    },
    {
      name: 'a seek back rebuilt the world: taken again',
      between: (simulation) => simulation.seek(simulation.position - 1),
      evaluations: 2,
    },
  ];
  it.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const simulation = new Simulation(1);
    simulation.input(createCluster);
    const verdicts = new WorldVerdicts();
    let evaluations = 0;
    const evaluate = () => {
      evaluations += 1;
      return true;
    };
    verdicts.at(simulation.state).verdict(check, evaluate);
    row.between(simulation);
    verdicts.at(simulation.state).verdict(check, evaluate);
    expect(evaluations).toBe(row.evaluations);
  });

  it('keeps one probe copy per version and makes a new one once the world moved', () => {
    const simulation = new Simulation(1);
    const verdicts = new WorldVerdicts();
    const first = verdicts.at(simulation.state).prober;
    expect(verdicts.at(simulation.state).prober).toBe(first);
    simulation.advance(1_000);
    expect(verdicts.at(simulation.state).prober).not.toBe(first);
  });
});

describe('goal verdicts: an exercise session sees the reader change the world', () => {
  it('a goal unmet at the start is met after the commands that meet it', async () => {
    const exercise = exercises['see-a-drop'];
    if (exercise === undefined) throw new Error('the see-a-drop exercise is missing');
    const session = await ExerciseSession.start(exercise, () => Promise.resolve({ TerminalSession }));
    expect(session.check().map((result) => result.met)).toEqual([false, false]);
    expect(session.check().map((result) => result.met)).toEqual([false, false]);
    await session.run(exercise.solution[0] ?? '');
    expect(session.check().map((result) => result.met)).toEqual([true, false]);
    await session.run(exercise.solution[1] ?? '');
    expect(session.check().map((result) => result.met)).toEqual([true, true]);
  }, 60_000);
});
