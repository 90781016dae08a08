// Runs every test layer in order and stops at the first failing one:
// static checks, unit tests with coverage, the production build, the initial-JS budget, then browser tests.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const resultsDir = 'test-results';
mkdirSync(resultsDir, { recursive: true });

/**
 * Each stage is a command whose failure fails the whole run, or `together`: commands that run at
 * the same time (each prints when it ends) and all must pass.
 */
const stages = [
  // `npm run lint` and `npm run check` both start with `astro sync`; here it runs once, then the
  // linters and the type checkers (each a single-threaded process) share the machine's two cores.
  { name: 'astro sync', command: ['astro', 'sync'] },
  {
    name: 'lint and type checks',
    together: [
      ['npm', 'run', '--silent', 'lint:code'],
      ['npm', 'run', '--silent', 'check:types'],
    ],
  },
  {
    name: 'unit tests',
    // A worker per core: Vitest's default leaves one core to its own process, which on CI's two
    // cores means one worker and a nearly idle core. Only here: on a machine shared with other
    // work, two workers split the same share of the CPU, and the longest property tests, which
    // start together, ran past their timeouts.
    command: [
      'vitest',
      'run',
      `--maxWorkers=${availableParallelism()}`,
      '--coverage',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${resultsDir}/unit.json`,
    ],
    report: `${resultsDir}/unit.json`,
  },
  { name: 'production build', command: ['astro', 'build'] },
  {
    // The deterministic budget (initial JS of the mistaken-identity guide, mobile and desktop): each
    // budget counts as one test. Lighthouse and INP depend on the machine: `npm run budgets` runs them.
    name: 'JS budgets',
    command: ['tsx', 'scripts/budgets.ts', '--only', 'initial-js', '--report', `${resultsDir}/budgets.json`],
    report: `${resultsDir}/budgets.json`,
  },
  {
    name: 'browser tests',
    command: [
      'vitest',
      'run',
      '-c',
      'vitest.browser.config.ts',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${resultsDir}/browser.json`,
    ],
    report: `${resultsDir}/browser.json`,
  },
];

const totals = { passed: 0, failed: 0, skipped: 0 };

/** Adds a Vitest JSON report's counts to the totals. */
function addReport(path) {
  if (!existsSync(path)) return;
  const report = JSON.parse(readFileSync(path, 'utf8'));
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  totals.skipped += report.numPendingTests + report.numTodoTests;
}

function summaryLine() {
  return `tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`;
}

const env = { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' };

/** Runs one command with its output captured, printed in one piece when it ends; resolves to its status. */
function runCaptured([command, ...args]) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.on('close', (status, signal) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      console.log(`\n--- ${[command, ...args].join(' ')} (${seconds.toFixed(1)} s) ---`);
      process.stdout.write(Buffer.concat(output));
      resolve({ status: status ?? signal });
    });
  });
}

/** Runs a stage; resolves to the failing exit status, or 0. */
async function runStage(stage) {
  if (stage.together) {
    const results = await Promise.all(stage.together.map(runCaptured));
    return results.find((result) => result.status !== 0)?.status ?? 0;
  }
  const [command, ...args] = stage.command;
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  return result.status ?? result.signal;
}

for (const stage of stages) {
  console.log(`\n=== ${stage.name} ===`);
  const started = process.hrtime.bigint();
  const status = await runStage(stage);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (stage.report) addReport(stage.report);
  if (status !== 0) {
    console.error(`\n✗ ${stage.name} failed (exit ${status}) after ${seconds.toFixed(1)} s`);
    if (totals.failed === 0) totals.failed = 1; // a failed stage counts even when it ran no test
    console.log(summaryLine());
    process.exit(1);
  }
  console.log(`✓ ${stage.name} passed in ${seconds.toFixed(1)} s`);
}
console.log(summaryLine());
