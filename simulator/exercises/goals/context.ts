/** What a goal may read: the world as it stands, and what the reader sent it since the start. */
import type { InputEvent } from '../../events';
import type { World } from '../../world';
import { Prober } from '../probe';

export interface GoalContext {
  /** The world after the reader's last command. Read it; never change it. */
  world: Readonly<World>;
  /** The inputs the reader's own command lines sent, in order (the start's are not included). */
  readerInputs: readonly InputEvent[];
  /** Where probes go: one copy of the world per check (probe.ts). */
  prober: Prober;
}

/** A context for one check of the goals. */
export function goalContext(world: Readonly<World>, readerInputs: readonly InputEvent[] = []): GoalContext {
  return { world, readerInputs, prober: new Prober(world) };
}
