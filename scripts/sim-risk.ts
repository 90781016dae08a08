/**
 * `npm run sim -- risk`: the risk lab's numbers on the command line.
 *
 *   npm run sim -- risk [--json|--csv] [--sweep churn|cidr|window [--values 1,2,5]] [parameters]
 *   npm run sim -- risk --trial SEED [--setup ID] [parameters]
 *
 * Parameters (defaults in simulator/risk/parameters.ts): --nodes, --pods-per-node, --pod-cidr (a
 * prefix length such as 24), --ipam kubernetes|cluster-pool, --churn (pod restarts per minute),
 * --rollout-size, --cut-off SECONDS, or --lag-median S --lag-p95 S --horizon S, --admitted,
 * --attacker-restarts (per minute), --setups id,id, --seed, --trials N (fixed trials per point
 * instead of stopping at --half-width, 0.02 by default).
 */
import { parseArgs } from 'node:util';
import {
  checkRiskParameters,
  defaultRiskParameters,
  riskParameterRanges,
  type RiskParameters,
  type RiskWindow,
} from '../simulator/risk/parameters';
import { defaultSetupIds, riskSetup, riskSetups } from '../simulator/risk/setups';
import { defaultStopping, sweepAxes, type SweepAxis } from '../simulator/risk/sweep';
import { runSweep } from '../simulator/risk/sweep-batch';
import { formatCsv, formatTable, reportRows, describeParameters, duration } from '../simulator/risk/report';
import { runReducedTrial } from '../simulator/risk/reduced-model';
import { judgeTrial } from '../simulator/risk/judge';
import { labReplay, trialLabRecord } from '../simulator/risk/lab-trial';
import { encodeLabPermalink } from '../simulator/permalink';

export const riskUsage = `usage: npm run sim -- risk [--json|--csv] [--sweep churn|cidr|window [--values V,V,…]] [parameters]
       npm run sim -- risk --trial SEED [--setup ID] [parameters]

parameters: --nodes N  --pods-per-node N  --pod-cidr PREFIX  --ipam kubernetes|cluster-pool
            --churn PER_MINUTE  --rollout-size N  --cut-off SECONDS
            --lag-median SECONDS --lag-p95 SECONDS --horizon SECONDS
            --admitted N  --attacker-restarts PER_MINUTE  --setups ID,ID  --seed N
            --trials N  --half-width FRACTION

setups: ${riskSetups.map((setup) => setup.id).join(', ')}`;

/** A usage error: the message and exit status 2, as sim's other commands report them. */
class UsageError extends Error {}

const options = {
  json: { type: 'boolean', default: false },
  csv: { type: 'boolean', default: false },
  sweep: { type: 'string' },
  values: { type: 'string' },
  trial: { type: 'string' },
  setup: { type: 'string' },
  setups: { type: 'string' },
  nodes: { type: 'string' },
  'pods-per-node': { type: 'string' },
  'pod-cidr': { type: 'string' },
  ipam: { type: 'string' },
  churn: { type: 'string' },
  'rollout-size': { type: 'string' },
  'cut-off': { type: 'string' },
  'lag-median': { type: 'string' },
  'lag-p95': { type: 'string' },
  horizon: { type: 'string' },
  admitted: { type: 'string' },
  'attacker-restarts': { type: 'string' },
  seed: { type: 'string' },
  trials: { type: 'string' },
  'half-width': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

function numberOption(values: Values, name: keyof Values, fallback: number): number {
  const text = values[name];
  if (text === undefined) return fallback;
  const value = Number(String(text).replace(/^\//, ''));
  if (typeof text !== 'string' || text.trim() === '' || !Number.isFinite(value))
    throw new UsageError(`--${name} must be a number, got "${String(text)}"`);
  return value;
}

function windowFrom(values: Values): RiskWindow {
  const lag =
    values['lag-median'] !== undefined || values['lag-p95'] !== undefined || values.horizon !== undefined;
  if (lag && values['cut-off'] !== undefined)
    throw new UsageError('--cut-off and --lag-* describe different windows; give one');
  if (!lag) return { kind: 'cut-off', seconds: numberOption(values, 'cut-off', 300) };
  const medianSeconds = numberOption(values, 'lag-median', 30);
  return {
    kind: 'lag',
    medianSeconds,
    p95Seconds: numberOption(values, 'lag-p95', medianSeconds * 4),
    horizonSeconds: numberOption(values, 'horizon', 600),
  };
}

function parametersFrom(values: Values): RiskParameters {
  const base = defaultRiskParameters;
  const ipam = values.ipam ?? base.ipamMode;
  if (ipam !== 'kubernetes' && ipam !== 'cluster-pool')
    throw new UsageError(`--ipam must be kubernetes or cluster-pool, got "${ipam}"`);
  const parameters: RiskParameters = {
    nodes: numberOption(values, 'nodes', base.nodes),
    podsPerNode: numberOption(values, 'pods-per-node', base.podsPerNode),
    podCidrPrefix: numberOption(values, 'pod-cidr', base.podCidrPrefix),
    ipamMode: ipam,
    churnPerMinute: numberOption(values, 'churn', base.churnPerMinute),
    rolloutSize: numberOption(values, 'rollout-size', base.rolloutSize),
    window: windowFrom(values),
    admittedIdentities: numberOption(values, 'admitted', base.admittedIdentities),
    attackerRestartsPerMinute: numberOption(values, 'attacker-restarts', base.attackerRestartsPerMinute),
  };
  const problems = checkRiskParameters(parameters);
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  return parameters;
}

function setupIdsFrom(values: Values): string[] {
  const ids =
    values.setups === undefined ? [...defaultSetupIds] : values.setups.split(',').map((id) => id.trim());
  for (const id of ids) if (riskSetup(id) === undefined) throw new UsageError(`unknown setup "${id}"`);
  return ids;
}

function sweepValues(values: Values, axis: SweepAxis): number[] {
  if (values.values === undefined) return [...sweepAxes[axis].values];
  const list = values.values.split(',').map((text) => Number(text.trim()));
  if (list.length === 0 || list.some((value) => !Number.isFinite(value)))
    throw new UsageError(`--values must be numbers separated by commas, got "${values.values}"`);
  return list;
}

/** `--trial SEED`: one trial, its verdict per setup and its lab permalink. */
async function printTrial(values: Values, parameters: RiskParameters, seedText: string): Promise<string> {
  const seed = Number(seedText);
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new UsageError(`--trial must be a whole number between 0 and 4294967295, got "${seedText}"`);
  const setup = riskSetup(values.setup ?? 'cilium-1.12-wireguard');
  if (setup === undefined) throw new UsageError(`unknown setup "${values.setup ?? ''}"`);
  const record = runReducedTrial(parameters, seed);
  const verdict = judgeTrial(record, setup, parameters.admittedIdentities);
  const replay = labReplay(parameters, setup);
  const link = replay.ok
    ? `/guides/mistaken-identity/#${await encodeLabPermalink(trialLabRecord(parameters, setup, seed))}`
    : undefined;
  if (values.json)
    return `${JSON.stringify({ parameters, setup: setup.id, record, verdict, labReplay: replay, link }, null, 2)}\n`;
  const lines = [
    `Trial ${seed}: ${describeParameters(parameters)}`,
    `${setup.label}: ${verdict.wrongAdmit ? `wrong admit possible from ${duration((verdict.firstMs ?? 0) / 1000)}, exposure ${duration(verdict.exposureMs / 1000)}` : 'no wrong admit'} (${record.incidents.length} incident${record.incidents.length === 1 ? '' : 's'}, ${record.restarts} rollout restarts)`,
    replay.ok
      ? `open it in the lab: ${link ?? ''}`
      : `the lab cannot replay it: ${replay.reasons.join('; ')}`,
  ];
  return `${lines.join('\n')}\n`;
}

function stoppingFrom(values: Values): { halfWidth: number; minTrials: number; maxTrials: number } {
  if (values.trials !== undefined) {
    const trials = numberOption(values, 'trials', 0);
    if (!Number.isInteger(trials) || trials < 1 || trials > 1_000_000)
      throw new UsageError('--trials must be a whole number between 1 and 1000000');
    return { halfWidth: 0, minTrials: trials, maxTrials: trials };
  }
  const halfWidth = numberOption(values, 'half-width', defaultStopping.halfWidth);
  if (halfWidth <= 0 || halfWidth >= 0.5) throw new UsageError('--half-width must be between 0 and 0.5');
  return {
    halfWidth,
    minTrials: defaultStopping.minTrials,
    maxTrials: Math.max(defaultStopping.maxTrials, Math.ceil(1 / (halfWidth * halfWidth))),
  };
}

/** Runs the risk command; returns what to print and the exit status. */
export async function runRiskCommand(
  argv: readonly string[],
): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  try {
    const { values, positionals } = (() => {
      try {
        return parseArgs({ args: [...argv], options, allowPositionals: true });
      } catch (error) {
        throw new UsageError(error instanceof Error ? error.message : String(error));
      }
    })();
    if (values.help) return { stdout: `${riskUsage}\n`, stderr: '', exitCode: 0 };
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"`);
    if (values.json && values.csv) throw new UsageError('--json and --csv exclude each other');
    const parameters = parametersFrom(values);
    if (values.trial !== undefined)
      return { stdout: await printTrial(values, parameters, values.trial), stderr: '', exitCode: 0 };
    const axis = values.sweep;
    if (axis !== undefined && !(axis in sweepAxes))
      throw new UsageError(`--sweep must be churn, cidr or window, got "${axis}"`);
    const seed = numberOption(values, 'seed', 1);
    const plan = {
      base: parameters,
      axis: (axis ?? 'churn') as SweepAxis,
      values: axis === undefined ? [parameters.churnPerMinute] : sweepValues(values, axis as SweepAxis),
      setupIds: setupIdsFrom(values),
      baseSeed: seed,
      batchSize: defaultStopping.batchSize,
      ...stoppingFrom(values),
    };
    for (const point of plan.values) {
      const problems = checkRiskParameters(sweepAxes[plan.axis].at(parameters, point));
      if (problems.length > 0) throw new UsageError(`at ${plan.axis} ${point}: ${problems.join('; ')}`);
    }
    const points = runSweep(plan);
    const rows = reportRows(axis === undefined ? 'point' : (axis as SweepAxis), points);
    if (values.json)
      return {
        stdout: `${JSON.stringify({ parameters, axis: axis ?? null, points: rows }, null, 2)}\n`,
        stderr: '',
        exitCode: 0,
      };
    if (values.csv) return { stdout: formatCsv(rows), stderr: '', exitCode: 0 };
    return {
      stdout: formatTable(axis === undefined ? 'point' : (axis as SweepAxis), parameters, rows),
      stderr: '',
      exitCode: 0,
    };
  } catch (error) {
    if (error instanceof UsageError)
      return { stdout: '', stderr: `sim risk: ${error.message}\n\n${riskUsage}\n`, exitCode: 2 };
    throw error;
  }
}

export { riskParameterRanges };
