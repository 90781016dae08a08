import { setup } from 'xstate';

/**
 * What the exercise widget is doing, so its controls know when they may act: opening (replaying
 * the start and the reader's progress), ready, running one of the reader's command lines, asking
 * the reader to confirm before the solution replaces their lab, or playing the solution. The
 * simulator work itself happens in the widget; the machine only says which of it may start.
 */
export const exerciseWidgetMachine = setup({
  types: {
    events: {} as
      | { type: 'lab.opened' }
      | { type: 'lab.reopen' }
      | { type: 'command.start' }
      | { type: 'command.finish' }
      | { type: 'solution.ask' }
      | { type: 'solution.cancel' }
      | { type: 'solution.confirm' }
      | { type: 'solution.finish' },
  },
}).createMachine({
  id: 'exerciseWidget',
  initial: 'opening',
  states: {
    opening: {
      description: "Replaying the exercise's start and the reader's saved actions.",
      on: { 'lab.opened': 'ready' },
    },
    ready: {
      description: 'The lab waits for a command, a check, a hint or a reset.',
      on: {
        'command.start': 'running',
        'solution.ask': 'confirmingSolution',
        'lab.reopen': 'opening',
      },
    },
    running: {
      description: "One of the reader's command lines runs; Stop interrupts it.",
      on: { 'command.finish': 'ready' },
    },
    confirmingSolution: {
      description: 'The reader is asked whether the solution may replace their lab (theirs is put aside).',
      on: { 'solution.cancel': 'ready', 'solution.confirm': 'playingSolution' },
    },
    playingSolution: {
      description: "The reference solution runs from the exercise's start, line by line.",
      on: { 'solution.finish': 'ready' },
    },
  },
});

/** The machine's state names, for the widget's markup. */
export type ExerciseWidgetState = 'opening' | 'ready' | 'running' | 'confirmingSolution' | 'playingSolution';
