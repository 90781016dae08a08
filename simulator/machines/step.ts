/**
 * Runs the simulator's lifecycle machines on plain state strings. The world stores only each
 * machine's state value (so it hashes, clones and replays as plain data); this module asks XState's
 * pure `transition()` for the next state and memoises the answer, since the machines have no
 * context and the same (state, event) pair always leads to the same place.
 *
 * The functions are typed by the machine: the state is one of the machine's own state names and
 * the event one of its own event types, both inferred by XState from the machine's definition, so
 * a caller cannot pass a state of another machine or an event the machine does not know.
 */
import {
  transition,
  type AnyStateMachine,
  type EventFromLogic,
  type StateValue,
  type StateValueFrom,
} from 'xstate';

/** A flat machine's state names, as XState infers them from its `states`. */
export type StateOf<TMachine extends AnyStateMachine> = Extract<StateValueFrom<TMachine>, string>;

/** A machine's event types. */
export type EventTypeOf<TMachine extends AnyStateMachine> = EventFromLogic<TMachine>['type'];

/**
 * Per machine: state → event type → next state (null when the machine refuses the event). Plain
 * records keyed by the state and event names, which the engine looks up fastest.
 */
const memo = new Map<AnyStateMachine, Record<string, Record<string, string | null>>>();

/** The machines here are flat, so a state value is a plain string. */
function flatValue(value: StateValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Looks the transition up, asking XState the first time: the next state, or null when refused. */
function lookUp(machine: AnyStateMachine, state: string, eventType: string): string | null {
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
  if (cached !== undefined) return cached;
  const snapshot = machine.resolveState({ value: state, context: {} });
  let result: string | null = null;
  if (snapshot.can({ type: eventType })) {
    const [next] = transition(machine, snapshot, { type: eventType });
    result = flatValue(next.value as StateValue);
  }
  row[eventType] = result;
  return result;
}

/**
 * The state a machine moves to from `state` on an event of `eventType`, or undefined when the
 * machine does not accept that event in that state (an invalid transition the caller must not make).
 */
export function nextState<TMachine extends AnyStateMachine>(
  machine: TMachine,
  state: StateOf<TMachine>,
  eventType: EventTypeOf<TMachine>,
): StateOf<TMachine> | undefined {
  // The memo holds only state values XState computed from this machine.
  return lookUp(machine, state, eventType) ?? undefined;
}

/** Like nextState, but an event the machine refuses is a bug in the model, so it throws. */
export function requireNextState<TMachine extends AnyStateMachine>(
  machine: TMachine,
  state: StateOf<TMachine>,
  eventType: EventTypeOf<TMachine>,
): StateOf<TMachine> {
  const next = nextState(machine, state, eventType);
  if (next === undefined) {
    throw new Error(`${String(machine.id)}: event ${eventType} is not valid in state ${state}`);
  }
  return next;
}
