/**
 * Runs a scenario headless and narrates it: each step's actions go through the same simulation the
 * widgets and the terminal use (one handler per action kind, action-handlers.ts), and each step's
 * transcript holds its prose, the expectations that failed, and what its actions observed.
 */
import type { Simulation } from '../simulation';
import { runAction } from './action-handlers';
import type { Observation } from './observations';
import { ScenarioRun } from './run';
import type { Scenario, ScenarioFacts, ScenarioStep, ScenarioVariant } from './types';

/** The narrated result of one step. */
export interface StepTranscript {
  id: string;
  title: string;
  /** Virtual time since the run started when the step began. */
  startedAtMs: number;
  /** What a reader reads: the commands, their output and what the model explains. */
  lines: string[];
  failures: string[];
  /** What the step's actions observed, as data: what tests and comparisons check. */
  observations: Observation[];
}

/** The narrated result of a whole run. */
export interface ScenarioTranscript {
  scenario: string;
  seed: number;
  ok: boolean;
  /** What built the scenario's initial state, when it has one. */
  initial?: StepTranscript;
  steps: StepTranscript[];
  /** What the steps found out (identities, addresses, the pod that re-used one, the restarts). */
  facts: ScenarioFacts;
  finalHash: string;
  eventCount: number;
  /** Virtual time the run took, from its setup's start. */
  virtualTimeMs: number;
}

/** A copy of the facts, so a transcript keeps what was true when it was taken. */
function copyFacts(facts: ScenarioFacts): ScenarioFacts {
  return {
    ...facts,
    identities: { ...facts.identities },
    addressSets: Object.fromEntries(
      Object.entries(facts.addressSets).map(([name, addresses]) => [name, [...addresses]]),
    ),
    pods: { ...facts.pods },
  };
}

/**
 * Plays a scenario one step at a time, for widgets that let a reader step through it. The player
 * runs the same actions as the headless runner and keeps every step's transcript.
 */
export class ScenarioPlayer {
  private readonly run: ScenarioRun;
  private readonly transcripts: StepTranscript[] = [];
  /** The transcript of the scenario's initial state, when it has one (built by the constructor). */
  readonly initial: StepTranscript | undefined;

  constructor(
    readonly scenario: Scenario,
    readonly seed = scenario.defaultSeed,
    variant: ScenarioVariant = {},
  ) {
    this.run = new ScenarioRun(scenario, seed, variant);
    this.initial = scenario.initial === undefined ? undefined : this.perform(scenario.initial);
  }

  /** The simulation behind the player (read it; change it only through the player). */
  get simulation(): Simulation {
    return this.run.simulation;
  }

  /** What the steps run so far found out (identities, addresses, the pod that re-used an address). */
  get facts(): Readonly<ScenarioFacts> {
    return this.run.facts;
  }

  /** How many steps have run. */
  get completedSteps(): number {
    return this.transcripts.length;
  }

  /** Whether every step has run. */
  get finished(): boolean {
    return this.transcripts.length >= this.scenario.steps.length;
  }

  /** Transcripts of the steps run so far. */
  get steps(): readonly StepTranscript[] {
    return this.transcripts;
  }

  /** Runs the next step and returns its transcript, or undefined when the scenario is over. */
  next(): StepTranscript | undefined {
    const step = this.scenario.steps[this.transcripts.length];
    if (step === undefined) return undefined;
    const transcript = this.perform(step);
    this.transcripts.push(transcript);
    return transcript;
  }

  /** Runs a step's actions (those the variant does not skip) and returns its transcript. */
  private perform(step: ScenarioStep): StepTranscript {
    this.run.begin();
    const startedAtMs = this.run.simulation.elapsedMs;
    const skipped = this.run.variant.skipActions ?? [];
    for (const action of step.actions) {
      if (!skipped.includes(action.do)) runAction(this.run, action);
    }
    return { id: step.id, title: step.title, startedAtMs, ...this.run.written };
  }

  /** The narrated result of everything run so far. */
  transcript(): ScenarioTranscript {
    return {
      scenario: this.scenario.id,
      seed: this.seed,
      ok: [this.initial, ...this.transcripts].every((step) => (step?.failures.length ?? 0) === 0),
      ...(this.initial === undefined ? {} : { initial: this.initial }),
      steps: this.transcripts,
      facts: copyFacts(this.run.facts),
      finalHash: this.run.simulation.hash(),
      eventCount: this.run.simulation.position,
      virtualTimeMs: this.run.simulation.elapsedMs,
    };
  }
}

/** Runs a scenario from its first step to its last. */
export function runScenario(
  scenario: Scenario,
  seed = scenario.defaultSeed,
  variant: ScenarioVariant = {},
): ScenarioTranscript {
  const player = new ScenarioPlayer(scenario, seed, variant);
  while (player.next() !== undefined) {
    // Each call runs one step; the loop ends after the last.
  }
  return player.transcript();
}
