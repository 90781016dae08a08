/**
 * What a running application keeps between requests: plain data stored with its pod's sandbox
 * (world.ts `Sandbox.applications`), so it is cloned, hashed and replayed with the world, changed
 * only while an input is processed (a request reaching the application), and gone when the
 * container is, as a process's memory is.
 */

/** One container's application data, keyed by what each application names it. */
export type ApplicationState = Record<string, unknown>;

/** Where an application finds its data: created in the sandbox only when first used. */
export interface ApplicationMemory {
  slot<T>(key: string, initial: () => T): T;
}

/** Memory backed by a sandbox's record for one container. */
export function sandboxMemory(
  holder: { applications?: Record<string, ApplicationState> },
  container: string,
): ApplicationMemory {
  return {
    slot<T>(key: string, initial: () => T): T {
      const state = ((holder.applications ??= {})[container] ??= {});
      if (!(key in state)) state[key] = initial();
      return state[key] as T;
    },
  };
}

/** Memory that lasts for one call (an application asked about outside any request). */
export function scratchMemory(): ApplicationMemory {
  return sandboxMemory({}, 'scratch');
}
