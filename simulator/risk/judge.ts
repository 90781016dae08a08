/**
 * Turns a trial's incidents into each setup's verdicts: an incident is a wrong admit for a setup
 * when that setup's receiver, asked about the incident's source, admits it (`receiverAdmits`).
 */
import type { Incident, TrialRecord } from './reduced-model';
import { receiverAdmits, type RiskSetup } from './setups';

/** One setup's outcome of one trial. */
export interface SetupVerdict {
  wrongAdmit: boolean;
  /** When the first wrong admit became possible, in ms after the node went stale. */
  firstMs: number | undefined;
  /** How long, within the horizon, at least one wrong pod would have been let in. */
  exposureMs: number;
  /** Whether the attacker's own pod was among those let in. */
  attacker: boolean;
}

/** Total length of a union of intervals. */
export function unionLength(intervals: readonly { startMs: number; endMs: number }[]): number {
  const sorted = [...intervals].sort((a, b) => a.startMs - b.startMs);
  let total = 0;
  let openStart = -Infinity;
  let openEnd = -Infinity;
  for (const { startMs, endMs } of sorted) {
    if (startMs > openEnd) {
      if (openEnd > openStart) total += openEnd - openStart;
      openStart = startMs;
      openEnd = endMs;
    } else if (endMs > openEnd) openEnd = endMs;
  }
  if (openEnd > openStart) total += openEnd - openStart;
  return total;
}

/** A setup's verdict on one trial. */
export function judgeTrial(record: TrialRecord, setup: RiskSetup, admittedIdentities: number): SetupVerdict {
  const admitted = (deployment: number): boolean => deployment < admittedIdentities;
  const letIn: Incident[] = record.incidents.filter((incident) =>
    receiverAdmits(setup, incident.believed, incident.actual, admitted),
  );
  let firstMs: number | undefined;
  for (const incident of letIn)
    if (firstMs === undefined || incident.startMs < firstMs) firstMs = incident.startMs;
  return {
    wrongAdmit: letIn.length > 0,
    firstMs,
    exposureMs: unionLength(letIn),
    attacker: record.attacker !== undefined && letIn.some((incident) => incident.actual === record.attacker),
  };
}
