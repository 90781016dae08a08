/**
 * Starts a scenario lab's Web Worker before the lab's island has loaded. The island (ScenarioLab
 * .svelte) hydrates when it scrolls into view, and until 2026-12-07 it created its worker in the
 * middle of hydrating: the worker's thread could not start until that long task had ended, so its
 * first answer came about 100 ms later than it needed to at 4× CPU. The page's small script
 * (ScenarioWidget.astro) now starts the worker as the lab nears the viewport, while the island's
 * scripts are still downloading, and the island takes that worker when it opens the lab.
 *
 * Only the worker's entry (lab-worker.ts and lab-start.ts) loads then: the simulator waits for the
 * first work, which only the island sends. The island's own scripts start downloading at the same
 * moment. This module imports nothing, so the page's script stays a few hundred bytes.
 */

const started = new Map<string, Worker>();

/** A new worker for a scenario's lab, bundled by Vite as a module worker. */
function createLabWorker(scenario: string): Worker {
  return new Worker(new URL('./lab-worker.ts', import.meta.url), {
    type: 'module',
    name: `lab-${scenario}`,
  });
}

/** Starts the scenario's worker now, unless it has been started already. */
export function prestartLabWorker(scenario: string): void {
  if (started.has(scenario)) return;
  performance.mark('identity-lab:worker-prestart');
  started.set(scenario, createLabWorker(scenario));
}

/** The worker started ahead for the scenario, handed over once; a new one when there is none. */
export function takeLabWorker(scenario: string): Worker {
  const worker = started.get(scenario);
  started.delete(scenario);
  return worker ?? createLabWorker(scenario);
}

/**
 * Loads the island's scripts (its component and Astro's Svelte renderer, with all they import), so
 * that when the lab comes into view Astro's loader finds them loaded and hydrates at once. The
 * URLs are the island's own attributes: importing the component from here would make Vite preload
 * its stylesheet under a name Astro has since changed (a 404). Failures are the loader's to report.
 */
function fetchIsland(lab: Element): void {
  const island = lab.closest('astro-island');
  for (const attribute of ['component-url', 'renderer-url']) {
    const url = island?.getAttribute(attribute);
    if (url) import(/* @vite-ignore */ url).catch(() => undefined);
  }
}

/**
 * Starts the worker of every lab on the page once the lab comes within `margin` of the viewport
 * (an IntersectionObserver root margin), so a reader who scrolls towards it meets a worker that
 * is already up, and one who jumps to it gains the time the island takes to download. The page's
 * script imports this module only after the reader's first interaction (first-interaction.ts); a
 * lab already in view hydrates on its own (`client:visible`) and starts its worker then.
 */
export function prestartLabsNearView(margin: string): void {
  const labs = [...document.querySelectorAll<HTMLElement>('[data-lab-scenario]')];
  if (labs.length === 0 || typeof Worker === 'undefined') return;
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        const scenario = (entry.target as HTMLElement).dataset.labScenario;
        if (!entry.isIntersecting || scenario === undefined) continue;
        observer.unobserve(entry.target);
        prestartLabWorker(scenario);
        fetchIsland(entry.target);
      }
    },
    { rootMargin: margin },
  );
  for (const lab of labs) observer.observe(lab);
}
