import { describe, expect, it } from 'vitest';
import { exercises } from '../../../content/exercises/index';
import { ExerciseSession, allMet, exerciseProblems } from '../../../simulator/exercises/index';
import type { Exercise } from '../../../simulator/exercises/types';
import { TerminalSession } from '../../../simulator/terminal/session';

// An exercise's controls are buttons that type command lines for the reader: pressing the right
// ones in the right order solves the exercise exactly as typing would (the same actions recorded),
// and pressing a trap among them fails the goal that forbids it. A control with no label or no
// command is refused when the catalogue loads. Each case builds its own lab.

const loadTerminal = () => Promise.resolve({ TerminalSession });

function exerciseNamed(id: string): Exercise {
  const exercise = exercises[id];
  if (exercise === undefined) throw new Error(`no exercise ${id}`);
  return exercise;
}

/** Runs the command lines of the controls with these labels, in order, as the widget's buttons do. */
async function press(session: ExerciseSession, labels: readonly string[]): Promise<void> {
  for (const label of labels) {
    const control = session.exercise.controls?.find((candidate) => candidate.label === label);
    if (control === undefined) throw new Error(`no control "${label}" in ${session.exercise.id}`);
    for (const line of control.commands) await session.run(line);
  }
}

interface PressCase {
  name: string;
  exercise: string;
  presses: string[];
  solves: boolean;
}

const pressCases: PressCase[] = [
  {
    name: 'see-a-drop: both requests solve it',
    exercise: 'see-a-drop',
    presses: [
      'Send GET /hello from sleep-v2 to helloworld-v1',
      'Send GET /hello from sleep-v1 to helloworld-v1',
    ],
    solves: true,
  },
  {
    name: 'see-a-drop: looking at the flows alone does not',
    exercise: 'see-a-drop',
    presses: ["Show the flows into helloworld-v1 that its node's Cilium agent saw"],
    solves: false,
  },
  {
    name: 'bypass-seed-42: scaling by hand solves it without a restart',
    exercise: 'bypass-seed-42',
    presses: [
      'Scale sleep-v1 to 0',
      'Scale sleep-v2 to 15',
      'Wait for the sleep-v2 rollout',
      'Send GET /hello from every sleep-v2 pod to helloworld-v1',
    ],
    solves: true,
  },
  {
    name: 'bypass-seed-42: the restart among the controls fails the no-restart goal',
    exercise: 'bypass-seed-42',
    presses: ['Restart sleep-v2', 'Wait for the sleep-v2 rollout'],
    solves: false,
  },
];

describe('exercises: controls', () => {
  it.each(pressCases)(
    '$name',
    async ({ exercise, presses, solves }) => {
      const session = await ExerciseSession.start(exerciseNamed(exercise), loadTerminal);
      await press(session, presses);
      expect(allMet(session.check())).toBe(solves);
      const typed = exerciseNamed(exercise).controls?.filter((control) => presses.includes(control.label));
      // What the buttons did is recorded as the command lines typed, so a link replays it.
      expect(
        session.readerActions.map((action) => (action.kind === 'command' ? action.line : action.kind)),
      ).toEqual(
        presses.flatMap((label) => typed?.find((control) => control.label === label)?.commands ?? []),
      );
    },
    60_000,
  );

  const base = exerciseNamed('see-a-drop');
  const problemCases: { name: string; controls: Exercise['controls']; problem: string | undefined }[] = [
    { name: "the exercise's own controls are fine", controls: base.controls, problem: undefined },
    {
      name: 'an empty label',
      controls: [{ label: ' ', commands: ['true'] }],
      problem: 'control 1 needs a label',
    },
    {
      name: 'no command',
      controls: [{ label: 'Nothing', commands: [] }],
      problem: 'control 1 needs command lines, none of them empty',
    },
    {
      name: 'a label used twice',
      controls: [
        { label: 'Twice', commands: ['true'] },
        { label: 'Twice', commands: ['false'] },
      ],
      problem: 'control "Twice" is listed twice',
    },
  ];
  it.each(problemCases)('validation: $name', ({ controls, problem }) => {
    const problems = exerciseProblems({ ...base, ...(controls === undefined ? {} : { controls }) });
    expect(problems).toEqual(problem === undefined ? [] : [`exercise see-a-drop: ${problem}`]);
  });
});
