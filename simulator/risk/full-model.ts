/**
 * A trial run on the full simulator, exactly as the lab replays it: the trial's lab record
 * (`lab-trial.ts`) is restored in a headless lab session, and its timeline is then replayed once
 * more in slices so that the stale node's ipcache can be read between them. The reading is passive
 * (it changes nothing), so the slices see the same world the lab shows. Incidents are found the way
 * the reduced model defines them: a client pod of an identity the policy does not admit holds an
 * address that the cut-off node's ipcache names as a pod of an admitted one. At the first incident
 * a copy of the run asks the datapath itself: the wrong pod connects to the protected pod.
 */
import { lookupIpcache } from '../cilium/agent-ipcache';
import type { InputEvent } from '../events';
import { scenarios } from '../scenarios/catalog';
import { LabSession } from '../scenarios/lab-session';
import { Simulation, replay, type TimelineStep } from '../simulation';
import type { World } from '../world';
import type { LabSetup } from '../setup';
import { labScenarioId, protectedPort, trialLabRecord } from './lab-trial';
import { horizonSeconds, type RiskParameters } from './parameters';
import type { Incident } from './reduced-model';
import type { RiskSetup } from './setups';

/** How often the replay reads the stale node's ipcache, in virtual ms. */
const observationSliceMs = 250;

/** What the full simulator found in one trial. */
export interface FullTrialResult {
  seed: number;
  horizonMs: number;
  incidents: Incident[];
  staleNode: string;
  /** The datapath's answer when the first incident's wrong pod connects to the protected pod. */
  firstConnection: { admitted: boolean; outcome: string } | undefined;
  /** The state hash at the end, equal to the lab replay's. */
  finalHash: string;
}

const clientIndex = (name: string | undefined): number => {
  const match = name === undefined ? null : /^(?:default\/)?client-(\d+)-/.exec(name);
  return match === null ? -1 : Number(match[1]);
};

/** The moment and node of the cut-off: the second of the experiment's two firewall rules. */
function findCutOff(steps: readonly TimelineStep[]): { atMs: number; node: string } {
  const inserts = steps.filter(
    (
      step,
    ): step is {
      kind: 'input';
      timeMs: number;
      event: Extract<InputEvent, { type: 'node.firewall.insert' }>;
    } => step.kind === 'input' && step.event.type === 'node.firewall.insert',
  );
  const last = inserts[1] ?? inserts[0];
  if (last === undefined) throw new Error('the trial never cut a node off');
  return { atMs: last.timeMs, node: last.event.node };
}

/**
 * Wrong pods at addresses the stale node believes admitted (from the address's allocation on, as the
 * reduced model counts): pod key → the admitted client it names, and whether the pod runs yet.
 */
function exposedPods(
  world: Readonly<World>,
  staleNode: string,
  admitted: number,
): Map<string, { believed: number; running: boolean }> {
  const exposed = new Map<string, { believed: number; running: boolean }>();
  const cluster = world.cluster;
  const agent = cluster?.cilium?.agents[staleNode];
  if (cluster === undefined || agent === undefined) return exposed;
  for (const node of Object.values(cluster.nodes)) {
    if (node.name === staleNode) continue;
    for (const sandbox of Object.values(node.kubelet.sandboxes)) {
      if (sandbox.ip === undefined || sandbox.state === 'removed') continue;
      const actual = clientIndex(sandbox.podKey);
      if (actual < admitted) continue;
      const believed = clientIndex(lookupIpcache(cluster, agent, sandbox.ip).podName);
      if (believed >= 0 && believed < admitted)
        exposed.set(sandbox.podKey, { believed, running: sandbox.state === 'running' });
    }
  }
  return exposed;
}

/** Replays a timeline, calling `observe` every slice between `fromMs` and `toMs`. */
function replayObserving(
  seed: number,
  setup: LabSetup,
  steps: readonly TimelineStep[],
  fromMs: number,
  toMs: number,
  observe: (simulation: Simulation) => void,
): Simulation {
  const simulation = new Simulation(seed, { checkpointInterval: 0, keepLog: false, setup });
  const advanceTo = (targetMs: number): void => {
    while (simulation.nowMs < targetMs) {
      const now = simulation.nowMs;
      let next = targetMs;
      if (now < fromMs) next = Math.min(targetMs, fromMs);
      else if (now < toMs) next = Math.min(targetMs, now + observationSliceMs);
      simulation.advance(next - now);
      if (simulation.nowMs >= fromMs && simulation.nowMs <= toMs) observe(simulation);
    }
  };
  for (const step of steps) {
    if (step.kind === 'input') {
      advanceTo(step.timeMs);
      simulation.input(step.event, step.cluster);
    } else advanceTo(step.toMs);
  }
  return simulation;
}

/** The wrong pod connects straight to the protected pod's address, in a copy of the run. */
function firstConnection(
  seed: number,
  setup: LabSetup,
  steps: readonly TimelineStep[],
  atMs: number,
  podKey: string,
  staleNode: string,
): { admitted: boolean; outcome: string } {
  const before = steps.filter((step) => (step.kind === 'input' ? step.timeMs : step.toMs) <= atMs);
  const copy = replay(seed, before, { checkpointInterval: 0, keepLog: false, setup });
  if (copy.nowMs < atMs) copy.advance(atMs - copy.nowMs);
  const server = Object.values(copy.state.cluster?.nodes[staleNode]?.kubelet.sandboxes ?? {}).find(
    (sandbox) => sandbox.podKey.startsWith('default/protected-'),
  );
  if (server?.ip === undefined) return { admitted: false, outcome: 'no protected pod' };
  const result = copy.input({
    type: 'pod.connect',
    request: {
      fromPodKey: podKey,
      host: server.ip,
      port: protectedPort,
      protocol: 'TCP',
      http: { method: 'GET', path: '/hello', headers: {} },
      timeoutMs: 3000,
    },
  });
  const outcome = result.ok ? result.connection : undefined;
  if (outcome === undefined) return { admitted: false, outcome: result.ok ? 'no connection' : result.error };
  return { admitted: outcome.kind === 'response', outcome: outcome.kind };
}

/** Runs one trial on the full simulator through the lab's own path. */
export async function runFullTrial(
  parameters: RiskParameters,
  setup: RiskSetup,
  seed: number,
  options: { verify?: boolean } = {},
): Promise<FullTrialResult> {
  const scenario = scenarios[labScenarioId];
  if (scenario === undefined) throw new Error(`unknown scenario ${labScenarioId}`);
  const record = trialLabRecord(parameters, setup, seed);
  const { session } = await LabSession.restore(scenario, record, () => import('../terminal/session'));
  const steps = session.simulation.steps;
  const cut = findCutOff(steps);
  const horizonMs = horizonSeconds(parameters.window) * 1000;
  const endMs = cut.atMs + horizonMs;
  const open = new Map<string, { startMs: number; actual: number; believed: number }>();
  const incidents: Incident[] = [];
  let first: { atMs: number; podKey: string } | undefined;
  const labSetup = session.simulation.setup;
  const observed = replayObserving(seed, labSetup, steps, cut.atMs, endMs, (simulation) => {
    const nowMs = Math.min(simulation.nowMs, endMs);
    const exposed = exposedPods(simulation.state, cut.node, parameters.admittedIdentities);
    for (const [podKey, { believed, running }] of exposed) {
      if (!open.has(podKey))
        open.set(podKey, { startMs: nowMs - cut.atMs, actual: clientIndex(podKey), believed });
      // The datapath needs a running client: ask it once the first wrong pod's containers are up.
      if (running) first ??= { atMs: simulation.nowMs, podKey };
    }
    for (const [podKey, tenure] of open)
      if (!exposed.has(podKey) || nowMs >= endMs) {
        incidents.push({
          startMs: tenure.startMs,
          endMs: nowMs - cut.atMs,
          believed: tenure.believed,
          actual: tenure.actual,
        });
        open.delete(podKey);
      }
  });
  for (const tenure of open.values())
    incidents.push({
      startMs: tenure.startMs,
      endMs: horizonMs,
      believed: tenure.believed,
      actual: tenure.actual,
    });
  const connection =
    options.verify === true && first !== undefined
      ? firstConnection(seed, labSetup, steps, first.atMs, first.podKey, cut.node)
      : undefined;
  return {
    seed,
    horizonMs,
    incidents: incidents.filter((incident) => incident.endMs > incident.startMs),
    staleNode: cut.node,
    firstConnection: connection,
    finalHash: observed.hash(),
  };
}
