/**
 * Benchmarks of the simulator core, the policy engine and exercise checks. Prints figures; BENCHMARKS.md records
 * them with the machine and date. Not a test: nothing here fails on a slow machine.
 *
 *   npm run bench [-- --quick] [-- --experiment]
 *
 * `--quick` shrinks every measure (50 seeds for the experiment); `--experiment` runs only the
 * experiment over many seeds, the figures the mistaken-identity guide quotes.
 *
 * Run bundled by esbuild (scripts/run-bundled.mjs), as the site ships the simulator; the replay is
 * also timed in headless Chromium (scripts/bench-browser.ts), in a Web Worker as the site's labs
 * replay and on the page's thread, when one is installed.
 */
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { replay, runScenario, scenarios, type TimelineStep } from '../simulator/index';
import { ingressVerdictFromIpcache } from '../simulator/cilium/endpoint-policy';
import { runPolicyBenchmarks } from '../simulator/policy/bench';
import { curlSucceeded } from '../simulator/scenarios/observations';
import { replayInChromium } from './bench-browser';
import { churnRun } from './churn-run';
import { exercises } from '../content/exercises/index';
import { ExerciseSession } from '../simulator/exercises/index';
import { TerminalSession } from '../simulator/terminal/session';
import { apply } from '../test/unit/simulator/support';

const quick = process.argv.includes('--quick');
const experimentOnly = process.argv.includes('--experiment');
const results: Record<string, string> = {};

function report(name: string, value: string): void {
  results[name] = value;
  console.log(`${name.padEnd(58)} ${value}`);
}

function timed<T>(action: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = action();
  return { value, ms: performance.now() - started };
}

console.log(
  `Identity Lab benchmarks — ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`,
);

// 1. Replay of 100,000 events.
if (!experimentOnly) {
  const target = quick ? 20_000 : 100_000;
  // The original run is only a recording (no checkpoints for time travel), and only its timeline
  // and hash are kept, so the replays are timed without its heap around.
  const { steps, hash, position } = ((): {
    steps: readonly TimelineStep[];
    hash: string;
    position: number;
  } => {
    const source = churnRun(target, false);
    return { steps: source.steps, hash: source.hash(), position: source.position };
  })();
  // Each replay processes every event again from the seed, then must reach the original's state.
  // Seven of them: on a shared machine the fastest is the figure that best describes the code.
  // The states are checked after all the timings, so that hashing them leaves no garbage behind
  // for the next replay's collector.
  const runs = [0, 1, 2, 3, 4, 5, 6].map(() =>
    timed(() => replay(1, steps, { checkpointInterval: 0, keepLog: false })),
  );
  for (const run of runs)
    if (run.value.position !== position || run.value.hash() !== hash) throw new Error('replay diverged');
  const times = runs.map((run) => run.ms).sort((a, b) => a - b);
  const best = times[0] ?? NaN;
  const median = times[Math.floor(times.length / 2)] ?? NaN;
  const events = position;
  report(
    `replay of ${events.toLocaleString('en')} events`,
    `${best.toFixed(0)} ms best of 7, median ${median.toFixed(0)} ms (${((events / best) * 1000).toFixed(0)} events/s)`,
  );
  // The same timeline where the site replays it: in the lab's Web Worker in the reader's browser.
  const inBrowser = await replayInChromium(steps, { position, hash }, 7);
  if (inBrowser.ok) {
    const version = inBrowser.browser.split('.')[0] ?? '';
    for (const [where, replays] of [
      ['a worker', inBrowser.worker],
      ['the page', inBrowser.page],
    ] as const) {
      const sorted = [...replays.times].sort((a, b) => a - b);
      report(
        `  the same in Chromium ${version}, in ${where}`,
        `${(sorted[0] ?? NaN).toFixed(0)} ms best of 7, median ${(sorted[3] ?? NaN).toFixed(0)} ms; first replay ${replays.coldMs.toFixed(0)} ms`,
      );
    }
  } else report('  the same in Chromium', `skipped: ${inBrowser.reason}`);
}

// 2. Datapath verdicts on a steady state.
if (!experimentOnly) {
  const simulation = churnRun(2_000);
  const cluster = simulation.state.cluster;
  const cilium = cluster?.cilium;
  if (cluster === undefined || cilium === undefined) throw new Error('no cluster');
  apply(
    simulation,
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: beta-from-alpha
spec:
  endpointSelector:
    matchLabels:
      app: beta
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: alpha
    toPorts:
    - ports:
      - port: "80"
        protocol: TCP
`,
  );
  simulation.advance(2_000);
  const servers = Object.values(cilium.agents).flatMap((agent) =>
    Object.values(agent.endpoints)
      .filter((endpoint) => endpoint.podName.startsWith('beta'))
      .map((endpoint) => ({ agent, endpoint })),
  );
  const sources = Object.values(cilium.agents).flatMap((agent) =>
    Object.values(agent.endpoints).map((endpoint) => endpoint.ip),
  );
  const count = quick ? 200_000 : 2_000_000;
  let allowed = 0;
  const { ms } = timed(() => {
    for (let i = 0; i < count; i++) {
      const server = servers[i % servers.length];
      const source = sources[(i * 7) % sources.length];
      if (server === undefined || source === undefined) continue;
      const verdict = ingressVerdictFromIpcache(
        cluster,
        server.agent,
        server.endpoint,
        source,
        i % 3 === 0 ? 80 : 443,
      );
      if (verdict?.decision === 'allowed') allowed += 1;
    }
  });
  report(
    'datapath verdicts (ipcache + policy map), steady state',
    `${((count / ms) * 1000).toFixed(0)} verdicts/s (${allowed} allowed of ${count})`,
  );
}

// 3. Seeking in a 10,000-event log.
if (!experimentOnly) {
  const simulation = churnRun(10_000);
  const length = simulation.length;
  const positions = Array.from({ length: 200 }, (_, i) => Math.floor((((i * 7919) % 1000) / 1000) * length));
  const times = positions.map((position) => timed(() => simulation.seek(position)).ms);
  times.sort((a, b) => a - b);
  const percentile = (p: number): number =>
    times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
  report(
    `seek anywhere in a ${length.toLocaleString('en')}-event log (200 seeks)`,
    `median ${percentile(0.5).toFixed(2)} ms, p95 ${percentile(0.95).toFixed(2)} ms, max ${percentile(1).toFixed(2)} ms`,
  );
}

// 4. The policy engine.
if (!experimentOnly) {
  const policy = runPolicyBenchmarks({
    now: () => performance.now(),
    ...(quick ? { rules: 2000, lookups: 200_000 } : {}),
  });
  report(
    `policy: compile ${policy.rules.toLocaleString('en')} rules over ${policy.identities.toLocaleString('en')} identities`,
    `${policy.compileMilliseconds.toFixed(0)} ms warm, ${policy.firstCompileMilliseconds.toFixed(0)} ms cold, ${policy.mapEntries.toLocaleString('en')} map entries`,
  );
  report('policy: compiled-map lookups', `${policy.lookupsPerSecond.toFixed(0)} lookups/s`);
}

// 5. The experiment over many seeds.
{
  const scenario = scenarios['mistaken-identity'];
  if (scenario === undefined) throw new Error('scenario missing');
  const seeds = quick ? 50 : 1000;
  const study = (
    variant: Parameters<typeof runScenario>[2],
  ): { bypasses: number; restarts: number[]; ms: number; misses: number[] } => {
    const restarts: number[] = [];
    const misses: number[] = [];
    let bypasses = 0;
    const { ms } = timed(() => {
      for (let seed = 1; seed <= seeds; seed++) {
        const transcript = runScenario(scenario, seed, variant);
        const bypass = transcript.steps
          .find((step) => step.id === 'bypass')
          ?.observations.some((observation) => observation.kind === 'curl' && curlSucceeded(observation));
        if (bypass === true) bypasses += 1;
        else misses.push(seed);
        if (transcript.facts.restarts !== undefined) restarts.push(transcript.facts.restarts);
      }
    });
    restarts.sort((a, b) => a - b);
    return { bypasses, restarts, ms, misses };
  };
  const at = (values: number[], p: number): number =>
    values[Math.min(values.length - 1, Math.floor(p * values.length))] ?? 0;
  const base = study({});
  report(
    `mistaken-identity, Cilium 1.12 + WireGuard, ${seeds} seeds`,
    `bypass in ${base.bypasses}/${seeds}; restarts median ${at(base.restarts, 0.5)}, p95 ${at(base.restarts, 0.95)}, max ${at(base.restarts, 1)} (${(base.ms / seeds).toFixed(0)} ms/run)`,
  );
  // How many runs needed each number of restarts (the distribution behind the percentiles).
  const histogram = new Map<number, number>();
  for (const count of base.restarts) histogram.set(count, (histogram.get(count) ?? 0) + 1);
  report(
    '  runs by restarts needed',
    [...histogram].map(([restarts, runs]) => `${restarts}: ${runs}`).join(', '),
  );
  if (base.misses.length > 0) report('  seeds without a bypass', base.misses.slice(0, 20).join(', '));
  const modern = study({ ciliumVersion: '1.15.0' });
  report(
    `mistaken-identity, Cilium 1.15 + WireGuard, ${seeds} seeds`,
    `bypass in ${modern.bypasses}/${seeds}`,
  );
  const noCut = study({ skipActions: ['cut-off'] });
  report(`mistaken-identity, no cut-off, ${seeds} seeds`, `bypass in ${noCut.bypasses}/${seeds}`);
}

// 6. Checking an exercise's goals: what the widget does after every command. The first check
// after the reference solution warms what the command left cold (a new policy's compilation). A
// command that reads (`kubectl get pods`) moves the virtual clock, so the check after it copies the
// world and probes again (the budgets' goal-check figure); a second check with nothing in between
// answers from the verdicts kept for that version of the world.
{
  const checkMs: { id: string; first: number; afterCommand: number; again: number }[] = [];
  const runs = quick ? 3 : 7;
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  for (const exercise of Object.values(exercises)) {
    const session = await ExerciseSession.start(exercise, () => Promise.resolve({ TerminalSession }));
    for (const line of exercise.solution) await session.run(line);
    const first = timed(() => session.check()).ms;
    const afterCommand: number[] = [];
    const again: number[] = [];
    for (let run = 0; run < runs; run++) {
      await session.run('kubectl get pods');
      afterCommand.push(timed(() => session.check()).ms);
      again.push(timed(() => session.check()).ms);
    }
    checkMs.push({ id: exercise.id, first, afterCommand: median(afterCommand), again: median(again) });
  }
  const worst = (key: 'first' | 'afterCommand' | 'again') =>
    checkMs.reduce(
      (a, b) => (b[key] > a[key] ? b : a),
      checkMs[0] ?? { id: '', first: 0, afterCommand: 0, again: 0 },
    );
  const across = (key: 'first' | 'afterCommand' | 'again') => {
    const row = worst(key);
    return `median ${median(checkMs.map((entry) => entry[key])).toFixed(1)} ms, max ${row[key].toFixed(1)} ms (${row.id})`;
  };
  report(`exercise check after the solution, ${checkMs.length} exercises: first`, across('first'));
  report(
    `exercise check after \`kubectl get pods\` (median of ${runs} per exercise)`,
    across('afterCommand'),
  );
  report('exercise check again, the world unchanged', across('again'));
}

console.log(`\n${JSON.stringify(results)}`);
