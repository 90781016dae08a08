/**
 * What an action handler works with: the scenario's simulation, its variant and the facts earlier
 * steps recorded, and the step being written (its prose, failures and observations). Handlers
 * change the world only through simulation inputs and the clock, as a reader's commands would.
 */
import { Simulation } from '../simulation';
import type { InputEvent } from '../events';
import type { InputResult } from '../dispatch';
import type { ConnectionOutcome } from '../cilium/datapath-types';
import type { Flow } from '../cilium/flow';
import { formatFlowCompact } from '../cilium/hubble-format';
import type { Pod } from '../k8s/objects';
import { formatDuration } from '../engine/virtual-time';
import { chooseSetup, defaultSetup, type LabSetup } from '../setup';
import { istioVersion } from '../mesh/state';
import { clusterSettled, podsWithLabels, runningPods } from '../queries';
import type { Observation } from './observations';
import type { PodSelector, Scenario, ScenarioFacts, ScenarioVariant } from './types';

/** How long ordinary kubectl commands take in virtual time. */
export const commandMs = 150;

/**
 * The setup a scenario runs in (setup.ts): the Cilium versions it installs (a variant's own, when it
 * names one), Istio's if it installs Istio, and the day its source ran it, if it pins one.
 */
export function scenarioSetup(scenario: Scenario, variant: ScenarioVariant = {}): LabSetup {
  const actions = [...(scenario.initial?.actions ?? []), ...scenario.steps.flatMap((step) => step.actions)];
  const cilium = actions.flatMap((action) =>
    action.do === 'install-cilium' || action.do === 'helm-install-cilium'
      ? [variant.ciliumVersion ?? action.version]
      : [],
  );
  const installsIstio = actions.some((action) => action.do === 'install-istio');
  // A scenario that installs nothing (the sandbox) starts where a world without a scenario does.
  if (cilium.length === 0 && !installsIstio && scenario.date === undefined) return defaultSetup;
  return chooseSetup({
    cilium,
    ...(installsIstio ? { istio: istioVersion } : {}),
    ...(scenario.date === undefined ? {} : { date: scenario.date }),
  });
}

/** What one step wrote: its prose, the expectations that failed, and what its actions observed. */
export interface StepRecord {
  lines: string[];
  failures: string[];
  observations: Observation[];
}

/** A scenario being run: the simulation, the facts so far and the step being written. */
export class ScenarioRun {
  readonly simulation: Simulation;
  readonly facts: ScenarioFacts = { identities: {}, addressSets: {}, pods: {} };
  private step: StepRecord = { lines: [], failures: [], observations: [] };

  constructor(
    readonly scenario: Scenario,
    readonly seed: number,
    readonly variant: ScenarioVariant,
  ) {
    this.simulation = new Simulation(seed, { setup: scenarioSetup(scenario, variant) });
  }

  /** Starts writing a new step. */
  begin(): void {
    this.step = { lines: [], failures: [], observations: [] };
  }

  /** What the step written since `begin` holds. */
  get written(): StepRecord {
    return this.step;
  }

  /** Adds a line of prose. */
  say(line: string): void {
    this.step.lines.push(line);
  }

  /** Records a failed expectation, in the prose too. */
  fail(message: string): void {
    this.step.failures.push(message);
    this.step.lines.push(`✗ ${message}`);
  }

  /** Records what an action observed. */
  observe(observation: Observation): void {
    this.step.observations.push(observation);
  }

  /** Gives the simulation an input; a refused input fails the step. */
  input(event: InputEvent): InputResult {
    const result = this.simulation.input(event);
    if (!result.ok) this.fail(result.error);
    return result;
  }

  get world() {
    return this.simulation.state;
  }

  get cluster() {
    const cluster = this.world.cluster;
    if (cluster === undefined) throw new Error('the scenario needs a cluster first');
    return cluster;
  }

  /** A file of the scenario, or the variant's replacement for it. */
  file(path: string): string | undefined {
    return this.variant.files?.[path] ?? this.scenario.files[path];
  }

  /** The first running pod a selector matches. */
  firstPod(selector: PodSelector): Pod | undefined {
    return runningPods(podsWithLabels(this.world, selector.labels, selector.namespace))[0];
  }

  /** The node of the first running pod a selector matches. */
  nodeOf(selector: PodSelector): string | undefined {
    return this.firstPod(selector)?.spec.nodeName;
  }

  /** Runs the clock until the cluster settles; fails the step if it does not within the limit. */
  waitSettled(limitMs: number): boolean {
    const settled = this.simulation.advanceUntil(clusterSettled, limitMs, 500);
    if (!settled) this.fail(`the cluster did not settle within ${formatDuration(limitMs)}`);
    return settled;
  }

  /** Sends one HTTP GET from a pod (`namespace/name`), charging the virtual time curl takes. */
  curl(
    fromPodKey: string,
    host: string,
    port: number,
    path: string,
    timeoutMs: number,
  ): ConnectionOutcome | undefined {
    this.simulation.advance(commandMs);
    const result = this.input({
      type: 'pod.connect',
      request: {
        fromPodKey,
        host,
        port,
        protocol: 'TCP',
        http: { method: 'GET', path, headers: {} },
        timeoutMs,
      },
    });
    const outcome = result.ok ? result.connection : undefined;
    if (outcome !== undefined) this.simulation.advance(outcome.elapsedMs);
    return outcome;
  }

  /** The number the next Hubble flow will get, to list the flows an action caused. */
  get flowMark(): number {
    return this.world.cluster?.cilium?.nextFlowNumber ?? 0;
  }

  /** The Hubble flows recorded since a mark. */
  flowsSince(mark: number): Flow[] {
    return (this.world.cluster?.cilium?.flows ?? []).filter((flow) => flow.number >= mark);
  }

  /** Says the flows recorded since a mark, as `hubble observe` prints them. */
  sayFlows(mark: number): void {
    const flows = this.flowsSince(mark);
    if (flows.length === 0) return;
    this.say('hubble observe:');
    for (const flow of flows) this.say(`  ${flow.node}: ${formatFlowCompact(flow)}`);
  }
}
