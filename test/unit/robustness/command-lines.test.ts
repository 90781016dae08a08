// Goal: no command line makes the simulator throw or print "internal error", and none leaves the
// world inconsistent. Random lines from the terminal's grammar and from the site's own pages,
// mangled as readers mangle them (lab-worlds.ts, command-grammar.ts), run on a cluster built as the
// Cilium docs build one and on the Istio lab; after each line the API store's indexes answer what
// a walk over its objects answers, and after each run its inputs replay to the same state hash.
//
// The default run is small enough for the unit suite; FC_RUNS sets the runs of each property (two
// command lines a run), and FC_SEED the seed. BENCHMARKS.md records the full run of 10,000 lines.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { commandLine, documentedCommands } from './command-grammar';
import { docsWorld, failedInSilence, runChecked, scenarioWorld } from './lab-worlds';

const runs = Number(process.env.FC_RUNS ?? 120);
const seed = Number(process.env.FC_SEED ?? 20_261_206);

describe('robustness: command lines', () => {
  it(
    'end in a tool’s success or error, never an exception, and keep the world consistent',
    async () => {
      const worlds = [await docsWorld(), scenarioWorld('istio-mistaken-identity', 3)];
      const documented = documentedCommands();
      // Worlds by index: a counterexample prints the index, not the whole world.
      const runsOf = fc.oneof(
        ...worlds.map((world, index) =>
          fc.record({
            world: fc.constant(index),
            lines: fc.array(commandLine(world.names, documented), { minLength: 2, maxLength: 2 }),
          }),
        ),
      );
      await fc.assert(
        fc.asyncProperty(runsOf, async ({ world, lines }) => {
          const outcomes = await runChecked(worlds[world]!, lines);
          outcomes.forEach((outcome, index) => {
            // A simulated tool that fails says why, as the real one does.
            if (failedInSilence(lines[index] ?? '', outcome))
              throw new Error(`${lines[index] ?? ''} failed without a message`);
          });
        }),
        { numRuns: runs, seed },
      );
    },
    Math.max(120_000, runs * 3_000),
  );
});
