/**
 * What the browser half of the replay benchmark runs in the page: the simulator's replay, bundled
 * for the browser as the site ships it. scripts/bench-browser.ts builds and loads it.
 */
import { replay, type TimelineStep } from '../simulator/simulation';

interface ReplayTimes {
  times: number[];
  position: number;
  hash: string;
}

function replayTimes(steps: readonly TimelineStep[], runs: number): ReplayTimes {
  const times: number[] = [];
  let position = 0;
  let hash = '';
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const simulation = replay(1, steps, { checkpointInterval: 0, keepLog: false });
    times.push(performance.now() - started);
    position = simulation.position;
    // Hashed after the timing; the last run's state stands for all (the Node half checks each).
    if (run === runs - 1) hash = simulation.hash();
  }
  return { times, position, hash };
}

(globalThis as unknown as { identityLabReplay: typeof replayTimes }).identityLabReplay = replayTimes;
