import { describe, expect, it } from 'vitest';
import { exercises } from '../../../content/exercises/index';
import { ExerciseSession } from '../../../simulator/exercises/index';
import { TerminalSession } from '../../../simulator/terminal/session';
import { attempts } from './attempts';

// The goals must judge what a reader did as an expert would: other correct answers than the
// reference solution meet every goal, and each mistake leaves unmet the goal that names it.
// Each attempt starts its own lab from the exercise's starting point.

const loadTerminal = () => Promise.resolve({ TerminalSession });

describe('exercises: attempts', () => {
  it('every exercise has attempts, and every attempt names an exercise', () => {
    expect(Object.keys(attempts).sort()).toEqual(Object.keys(exercises).sort());
  });

  for (const [id, rows] of Object.entries(attempts))
    describe(id, () => {
      it.each(rows.map((row) => [row.name, row] as const))(
        '%s',
        async (_name, row) => {
          const exercise = exercises[id];
          if (exercise === undefined) throw new Error(`no exercise ${id}`);
          const session = await ExerciseSession.start(exercise, loadTerminal);
          for (const line of row.commands) await session.run(line);
          const luck = new Set(row.luck ?? []);
          const unmet = session
            .check()
            .flatMap((result, index) => (result.met || luck.has(index) ? [] : [index]));
          expect(unmet).toEqual(row.unmet);
        },
        60_000,
      );
    });
});
