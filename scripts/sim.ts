/**
 * The simulator on the command line.
 *
 *   npm run sim -- run <scenario> [--seed N] [--json]
 *
 * `run` prints a narrated transcript of every step and exits non-zero when an expectation of the
 * scenario fails. The terminal of the guides will add `shell` on the same core.
 */
import { parseArgs } from 'node:util';
import { runScenario, scenarioIds, scenarios } from '../simulator/index';

const usage = `usage: npm run sim -- run <scenario> [--seed N] [--json]

scenarios: ${scenarioIds.join(', ')}`;

function fail(message: string): never {
  console.error(`sim: ${message}\n\n${usage}`);
  process.exit(2);
}

const { positionals, values } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        seed: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
})();

if (values.help) {
  console.log(usage);
  process.exit(0);
}

const [command, scenarioId] = positionals;
if (command !== 'run') fail(command === undefined ? 'missing command' : `unknown command "${command}"`);
if (scenarioId === undefined) fail('missing scenario id');
const scenario = scenarios[scenarioId];
if (scenario === undefined) fail(`unknown scenario "${scenarioId}"`);
const seed = values.seed === undefined ? scenario.defaultSeed : Number(values.seed);
if (!Number.isSafeInteger(seed)) fail(`--seed must be an integer, got "${values.seed ?? ''}"`);

const transcript = runScenario(scenario, seed);
if (values.json) {
  console.log(JSON.stringify(transcript, null, 2));
} else {
  console.log(`${scenario.title}\nseed ${seed}\n`);
  transcript.steps.forEach((step, index) => {
    const seconds = (step.startedAtMs / 1000).toFixed(1);
    console.log(`${index + 1}. ${step.title}  [t=${seconds}s]`);
    for (const line of step.lines) console.log(`   ${line}`);
    console.log('');
  });
  console.log(
    transcript.ok
      ? `✓ every expectation held (${transcript.eventCount} events, ${(transcript.virtualTimeMs / 1000).toFixed(1)} s of virtual time, state ${transcript.finalHash})`
      : `✗ ${transcript.steps.flatMap((step) => step.failures).length} expectation(s) failed`,
  );
}
process.exit(transcript.ok ? 0 : 1);
