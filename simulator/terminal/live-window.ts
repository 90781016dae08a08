/**
 * The window a streaming command (`cilium-dbg monitor`, `hubble observe --follow`) runs for in
 * the foreground: a real one runs until Ctrl-C, a simulated one lets a bounded span of virtual
 * time pass (a minute, or what the command line has left) in small slices, collecting what
 * happened after each, and hands the thread back to the page now and then so Ctrl-C works.
 */
import type { Flow } from '../cilium/flow';
import type { TerminalContext } from './context';

/** How long a streaming command runs when nothing stops it, in virtual time. */
const defaultWindowMs = 60_000;
/** How often it looks for news, and how many looks between hand-backs to the page. */
const sliceMs = 250;
const slicesPerPause = 20;

export interface WindowRun {
  interrupted: boolean;
  windowMs: number;
  /** True when the command line's remaining budget cut the window short. */
  capped: boolean;
}

/** Lets the window pass, calling `collect` after every slice and once more at the end. */
export async function runLiveWindow(context: TerminalContext, collect: () => void): Promise<WindowRun> {
  const remaining = context.remainingMs?.() ?? defaultWindowMs;
  const capped = defaultWindowMs > remaining;
  const windowMs = Math.max(0, Math.min(defaultWindowMs, remaining));
  const end = context.simulation.nowMs + windowMs;
  let slices = 0;
  let interrupted = false;
  while (context.simulation.nowMs < end) {
    context.spend(Math.min(sliceMs, end - context.simulation.nowMs));
    collect();
    slices += 1;
    if (slices % slicesPerPause === 0 && context.pause !== undefined && !(await context.pause())) {
      interrupted = true;
      break;
    }
  }
  // Whatever happened while the page last had the thread still counts.
  collect();
  return { interrupted, windowMs, capped };
}

/**
 * What a streaming command reads: each call returns the flows recorded since the previous one
 * (from now on for the first), by flow number, so the ring dropping old flows loses nothing newer.
 */
export function newFlows(context: TerminalContext): () => Flow[] {
  let next = context.simulation.state.cluster?.cilium?.nextFlowNumber ?? 0;
  return () => {
    const cilium = context.simulation.state.cluster?.cilium;
    const fresh = (cilium?.flows ?? []).filter((flow) => flow.number >= next);
    next = cilium?.nextFlowNumber ?? next;
    return fresh;
  };
}
