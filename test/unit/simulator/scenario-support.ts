/** Reading a scenario run the way its tests check it: steps by id and what their actions observed. */
import type { ScenarioTranscript, StepTranscript } from '../../../simulator/scenarios/runner';
import {
  curlSucceeded,
  type CurlObservation,
  type CurlOutcome,
  type ObservationOf,
  type Observation,
} from '../../../simulator/scenarios/observations';

/** A step of a transcript by id; throws when the run has no such step. */
export function stepOf(transcript: ScenarioTranscript, id: string): StepTranscript {
  const step = transcript.steps.find((candidate) => candidate.id === id);
  if (step === undefined) throw new Error(`no step ${id} in the transcript`);
  return step;
}

/** What a step observed of one kind, in order. */
export function observed<K extends Observation['kind']>(step: StepTranscript, kind: K): ObservationOf<K>[] {
  return step.observations.filter(
    (observation): observation is ObservationOf<K> => observation.kind === kind,
  );
}

/** The workload (`sleep-v1`) of a pod a Deployment named (`sleep-v1-fj7x8l4w98-5mr2z`). */
export function workloadOf(podName: string): string {
  return podName.split('-').slice(0, -2).join('-');
}

/** Each curl of a step as `client -> server: succeeded`, by workload, as run-test.sh reports it. */
export function curlVerdicts(step: StepTranscript): string[] {
  return observed(step, 'curl').map(
    (curl: CurlObservation) =>
      `${workloadOf(curl.from)} -> ${curl.to}: ${curlSucceeded(curl) ? 'success' : 'failure'}`,
  );
}

/**
 * A curl's outcome in a few words: the status and the body's first clause for an answer
 * (`200 Hello version: v1`, `403 RBAC: access denied`), the kind otherwise (`timeout`, `error`).
 */
export function outcomeText(outcome: CurlOutcome | undefined): string {
  if (outcome === undefined) return 'no curl';
  if (outcome.kind !== 'response') return outcome.kind;
  return `${outcome.status} ${outcome.body.split(',')[0]?.trim() ?? ''}`;
}
