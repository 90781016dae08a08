/**
 * Runs the simulator's XState machines on plain state strings. The world stores only each
 * machine's state value (so it hashes, clones and replays as plain data); this module asks XState's
 * pure `transition()` for the next state and memoises the answer, since the machines have no
 * context and the same (state, event) pair always leads to the same place.
 */
import { transition, type AnyStateMachine, type StateValue } from 'xstate';

/**
 * Per machine: state → event type → next state (null when the machine refuses the event). Plain
 * records keyed by the state and event names, which the engine looks up fastest.
 */
const memo = new Map<AnyStateMachine, Record<string, Record<string, string | null>>>();

/** The machines here are flat, so a state value is a plain string. */
function flatValue(value: StateValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The state a machine moves to from `state` on an event of `eventType`, or undefined when the
 * machine does not accept that event in that state (an invalid transition the caller must not make).
 */
export function nextState(machine: AnyStateMachine, state: string, eventType: string): string | undefined {
  let table = memo.get(machine);
  if (table === undefined) {
    table = Object.create(null) as Record<string, Record<string, string | null>>;
    memo.set(machine, table);
  }
  let row = table[state];
  if (row === undefined) {
    row = Object.create(null) as Record<string, string | null>;
    table[state] = row;
  }
  const cached = row[eventType];
  if (cached !== undefined) return cached ?? undefined;
  const snapshot = machine.resolveState({ value: state, context: {} });
  let result: string | null = null;
  if (snapshot.can({ type: eventType })) {
    const [next] = transition(machine, snapshot, { type: eventType });
    result = flatValue(next.value as StateValue);
  }
  row[eventType] = result;
  return result ?? undefined;
}

/** Like nextState, but an event the machine refuses is a bug in the model, so it throws. */
export function requireNextState(machine: AnyStateMachine, state: string, eventType: string): string {
  const next = nextState(machine, state, eventType);
  if (next === undefined) {
    throw new Error(`${String(machine.id)}: event ${eventType} is not valid in state ${state}`);
  }
  return next;
}
