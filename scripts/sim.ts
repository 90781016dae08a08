/**
 * The simulator on the command line.
 *
 *   npm run sim -- run <scenario> [--seed N] [--json]
 *   npm run sim -- shell [--seed N] [--scenario ID[:STEPS]] [FILE]
 *   npm run sim -- risk [--json|--csv] [parameters]   (scripts/sim-risk.ts)
 *   npm run sim -- exercises
 *   npm run sim -- check ID [FILE | --solution]
 *   npm run sim -- workshop ID | FILE [--site URL]
 *
 * `run` prints a narrated transcript of every step and exits non-zero when an expectation of the
 * scenario fails. `shell` runs a script (FILE, or standard input) in the simulated terminal: a fresh
 * machine with no cluster, or with `--scenario` the scenario's files and the state after its first
 * STEPS steps (0 by default). It prints exactly what the browser terminal prints and exits with the
 * script's status. `exercises` lists the exercises (id, level, title); `check` runs a script (FILE,
 * standard input, or with `--solution` the exercise's reference solution) from the exercise's
 * starting point, one command line after another, and prints each goal met or unmet with its
 * sentence: it exits 0 when all are met, 1 when one is not, and 2 on a usage error (an unknown
 * exercise, a file it cannot read), as every command here does. `workshop` prints the link to hand
 * out: a built-in workshop's page, or for a workshop FILE (YAML or JSON: title, intro, exercises)
 * the shared workshop page with the workshop in its fragment; it exits 1 when the file names an
 * exercise the site does not have.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ScenarioPlayer, Simulation, runScenario, scenarioIds, scenarios } from '../simulator/index';
import { labHelmRepositories } from '../simulator/scenarios/types';
import { TerminalSession } from '../simulator/terminal/session';
import { runRiskCommand } from './sim-risk';
import { checkReport, runExerciseCheck } from '../simulator/exercises/check-report';
import { splitCommandLines } from '../simulator/terminal/command-lines';
import { exercises } from '../content/exercises/index';
import { workshops } from '../content/workshops/index';
import { encodeWorkshopLink, workshopProblems } from '../simulator/exercises/workshop';
import type { Workshop } from '../simulator/exercises/types';
import { parse as parseYaml } from 'yaml';

const usage = `usage: npm run sim -- run <scenario> [--seed N] [--json]
       npm run sim -- shell [--seed N] [--scenario ID[:STEPS]] [FILE]
       npm run sim -- risk [--json|--csv] [parameters]   (npm run sim -- risk --help)
       npm run sim -- exercises
       npm run sim -- check ID [FILE | --solution]
       npm run sim -- workshop ID | FILE [--site URL]

scenarios: ${scenarioIds.join(', ')}`;

function fail(message: string): never {
  console.error(`sim: ${message}\n\n${usage}`);
  process.exit(2);
}

// The risk command has options of its own, so it reads the arguments itself.
if (process.argv[2] === 'risk') {
  const result = await runRiskCommand(process.argv.slice(3));
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exit(result.exitCode);
}

const { positionals, values } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        seed: { type: 'string' },
        json: { type: 'boolean', default: false },
        scenario: { type: 'string' },
        solution: { type: 'boolean', default: false },
        site: { type: 'string' },
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

const seedOf = (fallback: number): number => {
  const seed = values.seed === undefined ? fallback : Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0)
    fail(`--seed must be a whole number, got "${values.seed ?? ''}"`);
  return seed;
};

const [command, argument] = positionals;

/** The site's address, as astro.config.mjs declares it (`site: '…'`). */
function siteOfAstroConfig(): string {
  const config = readFileSync(new URL('../astro.config.mjs', import.meta.url), 'utf8');
  return /\bsite:\s*'([^']+)'/.exec(config)?.[1]?.replace(/\/$/, '') ?? '';
}

/** A workshop file: YAML or JSON with `title`, `intro` and `exercises` (a list of exercise ids). */
function readWorkshopFile(file: string): Workshop {
  let value: unknown;
  try {
    value = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    return fail(
      `cannot read ${file}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    );
  }
  const record = (value ?? {}) as { title?: unknown; intro?: unknown; exercises?: unknown };
  if (
    typeof record.title !== 'string' ||
    !Array.isArray(record.exercises) ||
    !record.exercises.every((id): id is string => typeof id === 'string')
  )
    return fail(`${file} needs a title and a list of exercise ids (exercises: [...])`);
  return {
    id: 'shared',
    title: record.title,
    intro: typeof record.intro === 'string' ? record.intro : '',
    exercises: record.exercises,
  };
}

if (command === 'run') {
  if (argument === undefined) fail('missing scenario id');
  const scenario = scenarios[argument];
  if (scenario === undefined) fail(`unknown scenario "${argument}"`);
  const seed = seedOf(scenario.defaultSeed);
  const transcript = runScenario(scenario, seed);
  if (values.json) {
    console.log(JSON.stringify(transcript, null, 2));
  } else {
    console.log(`${scenario.title}\nseed ${seed}\n`);
    const opening = transcript.initial;
    if (opening !== undefined) {
      console.log(`Opens with: ${opening.title}`);
      for (const line of opening.lines) console.log(`   ${line}`);
      console.log('');
    }
    transcript.steps.forEach((step, index) => {
      console.log(`${index + 1}. ${step.title}  [t=${(step.startedAtMs / 1000).toFixed(1)}s]`);
      for (const line of step.lines) console.log(`   ${line}`);
      console.log('');
    });
    console.log(
      transcript.ok
        ? `✓ every expectation held (${transcript.eventCount} events, ${(transcript.virtualTimeMs / 1000).toFixed(1)} s of virtual time, state ${transcript.finalHash})`
        : `✗ ${[opening, ...transcript.steps].flatMap((step) => step?.failures ?? []).length} expectation(s) failed`,
    );
  }
  process.exit(transcript.ok ? 0 : 1);
}

if (command === 'shell') {
  let simulation: Simulation;
  let files: Record<string, string> = {};
  // A scenario's reader has added the chart repositories its pages use; a bare machine has none.
  let helmRepositories: Readonly<Record<string, string>> = {};
  if (values.scenario !== undefined) {
    const [id = '', stepsText = '0'] = values.scenario.split(':');
    const scenario = scenarios[id];
    if (scenario === undefined) fail(`unknown scenario "${id}"`);
    const steps = Number(stepsText);
    if (!Number.isInteger(steps) || steps < 0 || steps > scenario.steps.length)
      fail(`--scenario ${id}:STEPS takes 0 to ${scenario.steps.length}`);
    const player = new ScenarioPlayer(scenario, seedOf(scenario.defaultSeed));
    for (let step = 0; step < steps; step++) player.next();
    simulation = player.simulation;
    files = scenario.files;
    helmRepositories = scenario.helmRepositories ?? labHelmRepositories;
  } else {
    simulation = new Simulation(seedOf(1));
  }
  const script =
    argument === undefined
      ? readFileSync(0, 'utf8')
      : (() => {
          try {
            return readFileSync(argument, 'utf8');
          } catch {
            return fail(`cannot read ${argument}`);
          }
        })();
  const session = new TerminalSession(simulation, files, { helmRepositories });
  const result = await session.run(script);
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exit(result.exitCode);
}

if (command === 'exercises') {
  const rows = Object.values(exercises).map((exercise) => [exercise.id, exercise.level, exercise.title]);
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  for (const [id = '', level = '', title = ''] of rows)
    console.log(`${id.padEnd(widths[0] ?? 0)}  ${level.padEnd(widths[1] ?? 0)}  ${title}`);
  process.exit(0);
}

if (command === 'workshop') {
  if (argument === undefined) fail('missing workshop id or file');
  const site = values.site ?? siteOfAstroConfig();
  const builtIn = workshops[argument];
  if (builtIn !== undefined) {
    console.log(`${site}/workshops/${builtIn.id}/`);
    process.exit(0);
  }
  const workshop = readWorkshopFile(argument);
  const problems = workshopProblems(workshop, new Set(Object.keys(exercises)));
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  console.log(`${site}/workshops/shared/#${await encodeWorkshopLink(workshop)}`);
  process.exit(0);
}

if (command === 'check') {
  if (argument === undefined) fail('missing exercise id');
  const exercise = exercises[argument];
  if (exercise === undefined) fail(`unknown exercise "${argument}"; \`npm run sim -- exercises\` lists them`);
  const file = positionals[2];
  if (values.solution && file !== undefined) fail('give a FILE or --solution, not both');
  const script = values.solution
    ? undefined
    : file === undefined
      ? readFileSync(0, 'utf8')
      : (() => {
          try {
            return readFileSync(file, 'utf8');
          } catch {
            return fail(`cannot read ${file}`);
          }
        })();
  // A script runs as the command lines a reader would type, so goals that must hold throughout
  // are sampled after each of them.
  const lines = script === undefined ? exercise.solution : splitCommandLines(script);
  const run = await runExerciseCheck(exercise, lines, () => Promise.resolve({ TerminalSession }));
  for (const entry of run.entries) {
    process.stdout.write(entry.stdout);
    process.stderr.write(entry.stderr);
  }
  const report = checkReport(exercise, run.results);
  process.stdout.write(report.text);
  process.exit(report.exitCode);
}

fail(command === undefined ? 'missing command' : `unknown command "${command}"`);
