/**
 * Verdicts of goal checks kept while the world stands still. A check after a command that sent the
 * world no input and let no time pass (or a `throughout` sample followed by the check of the same
 * command) would otherwise copy the world and send the same probes again for the same answers.
 */
import type { World } from '../../world';
import { Prober } from '../probe';
import type { GoalCheck } from '../types';

/**
 * What a check reads of the world identifies its version: the world object (a seek backwards
 * builds a new one), how many events it has processed (every change goes through one) and the
 * clock (a probe runs at the world's time, and certificates and caches age with it).
 */
interface WorldVersion {
  world: Readonly<World>;
  processed: number;
  timeMs: number;
}

function sameVersion(version: WorldVersion | undefined, world: Readonly<World>): boolean {
  return (
    version !== undefined &&
    version.world === world &&
    version.processed === world.processed &&
    version.timeMs === world.timeMs
  );
}

/** Verdicts by check, and the one probe copy, for a single version of the world. */
export class WorldVerdicts {
  private version: WorldVersion | undefined;
  private copy: Prober | undefined;
  private readonly verdicts = new Map<GoalCheck, boolean>();

  /** Forgets every verdict when the world is no longer the version they were taken from. */
  at(world: Readonly<World>): this {
    if (!sameVersion(this.version, world)) {
      this.version = { world, processed: world.processed, timeMs: world.timeMs };
      this.copy = undefined;
      this.verdicts.clear();
    }
    return this;
  }

  /** Where this version's probes go: one copy of the world, made at the first probe (probe.ts). */
  get prober(): Prober {
    if (this.version === undefined) throw new Error('WorldVerdicts.at(world) was not called');
    this.copy ??= new Prober(this.version.world);
    return this.copy;
  }

  /** The verdict of a check that reads only the world, evaluated once per version. */
  verdict(check: GoalCheck, evaluate: () => boolean): boolean {
    let verdict = this.verdicts.get(check);
    if (verdict === undefined) {
      verdict = evaluate();
      this.verdicts.set(check, verdict);
    }
    return verdict;
  }
}
