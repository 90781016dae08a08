/** What a goal may read: the world as it stands, what the reader sent it, and what held before. */
import type { InputEvent } from '../../events';
import type { ApiObject } from '../../k8s/objects';
import type { World } from '../../world';
import type { Prober } from '../probe';
import type { GoalCheck } from '../types';
import { WorldVerdicts } from './verdicts';

export interface GoalContext {
  /** The world after the reader's last command. Read it; never change it. */
  world: Readonly<World>;
  /** The inputs the reader's own command lines sent, in order (the start's are not included). */
  readerInputs: readonly InputEvent[];
  /** Where probes go: one copy of the world per version of it (probe.ts). */
  prober: Prober;
  /** Verdicts of checks that read only the world, kept while it stays at this version. */
  verdicts: WorldVerdicts;
  /** The objects `unchanged` goals name, as they were at the exercise's start (by check). */
  atStart: ReadonlyMap<GoalCheck, ApiObject | undefined>;
  /** `throughout` checks that failed after one of the reader's commands or steps. */
  broken: ReadonlySet<GoalCheck>;
}

/** What a session remembers between checks; a bare world (in tests) remembers nothing. */
export interface GoalHistory {
  readerInputs?: readonly InputEvent[];
  atStart?: ReadonlyMap<GoalCheck, ApiObject | undefined>;
  broken?: ReadonlySet<GoalCheck>;
  /** Verdicts from earlier checks; reused while the world has not moved since. */
  verdicts?: WorldVerdicts;
}

/** A context for one check of the goals. */
export function goalContext(world: Readonly<World>, history: GoalHistory = {}): GoalContext {
  const verdicts = (history.verdicts ?? new WorldVerdicts()).at(world);
  return {
    world,
    readerInputs: history.readerInputs ?? [],
    prober: verdicts.prober,
    verdicts,
    atStart: history.atStart ?? new Map(),
    broken: history.broken ?? new Set(),
  };
}
