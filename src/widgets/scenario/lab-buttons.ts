/**
 * The page's one listener for its lab buttons (LabButton.astro), installed by the lab's own script
 * (ScenarioWidget.astro: a lab button always has its lab on the page, which the build checks), so a
 * page with labs loads one small script before the reader acts, not two (issue 15: ≤ 10 KB of JS
 * before interaction). The lab's inbox (lab-events.ts) loads on the first click.
 */
export function listenToLabButtons(): void {
  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button.lab-button') : null;
    if (!(button instanceof HTMLButtonElement)) return;
    const scenario = button.dataset.labScenario;
    if (scenario === undefined) return;
    const { labStep, labCommand, labWorkspace } = button.dataset;
    const scrollY = window.scrollY;
    void import('./lab-events').then(({ sendToLab }) => {
      if (labWorkspace !== undefined) sendToLab({ kind: 'workspace', scenario, scrollY });
      else if (labCommand !== undefined) sendToLab({ kind: 'run', scenario, command: labCommand });
      else if (labStep !== undefined) sendToLab({ kind: 'goto', scenario, step: Number(labStep) });
    });
  });
}
