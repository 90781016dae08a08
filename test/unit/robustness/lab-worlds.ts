/**
 * The worlds the robustness properties run their input against, and the oracle every input must
 * satisfy. A world is built once per property; each run starts from it by seeking back to where it
 * was built, with a fresh terminal, so runs do not leak into one another and the replay of a run's
 * inputs from there is the determinism check.
 */
import { expect } from 'vitest';
import { ScenarioPlayer, scenarios } from '../../../simulator/index';
import { Simulation } from '../../../simulator/simulation';
import { TerminalSession } from '../../../simulator/terminal/session';
import { listObjects } from '../../../simulator/k8s/api-store';
import { starWarsDemo } from '../terminal/kubectl-support';
import { expectReplayExact, expectWorldConsistent } from '../simulator/world-consistency';
import { ciliumExample } from '../cilium-examples';

/** A world to start runs from, with the files a reader's home directory holds in it. */
export interface LabWorld {
  readonly name: string;
  readonly simulation: Simulation;
  readonly files: Readonly<Record<string, string>>;
  /** The log position the world was built to: every run seeks back here first. */
  readonly base: number;
  /** Names of what the world holds, for command lines that name real objects. */
  readonly names: WorldNames;
}

export interface WorldNames {
  pods: string[];
  ciliumPods: string[];
  nodes: string[];
  deployments: string[];
  services: string[];
  namespaces: string[];
  policies: string[];
}

const kindConfig = `kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
- role: control-plane
- role: worker
- role: worker
networking:
  disableDefaultCNI: true
`;

const l7Policy = ciliumExample('minikube/sw_l3_l4_l7_policy.yaml');

/** The files of the docs world's home directory. */
export const docsFiles: Readonly<Record<string, string>> = {
  'kind-config.yaml': kindConfig,
  'http-sw-app.yaml': starWarsDemo,
  'sw_l3_l4_l7_policy.yaml': l7Policy,
  'values.yaml': 'hubble:\n  relay:\n    enabled: true\npolicyAuditMode: false\n',
  'notes.txt': 'not a manifest\n',
};

function namesOf(simulation: Simulation): WorldNames {
  const api = simulation.state.cluster?.api;
  if (api === undefined) throw new Error('the world has no cluster');
  const pods = listObjects(api, 'Pod');
  return {
    pods: pods.map((pod) => pod.metadata.name),
    ciliumPods: pods
      .filter((pod) => pod.metadata.labels?.['k8s-app'] === 'cilium')
      .map((pod) => pod.metadata.name),
    nodes: listObjects(api, 'Node').map((node) => node.metadata.name),
    deployments: listObjects(api, 'Deployment').map((deployment) => deployment.metadata.name),
    services: listObjects(api, 'Service').map((service) => service.metadata.name),
    namespaces: listObjects(api, 'Namespace').map((namespace) => namespace.metadata.name),
    policies: Object.values(api.objects.CiliumNetworkPolicy ?? {}).map((policy) => policy.metadata.name),
  };
}

/**
 * What a reader of the Cilium docs has after the first pages: a kind cluster of three nodes with
 * Cilium 1.18.5 and Hubble, the Star Wars demo and an L7 policy, built with terminal commands.
 */
export async function docsWorld(seed = 7): Promise<LabWorld> {
  const simulation = new Simulation(seed);
  const terminal = new TerminalSession(simulation, docsFiles);
  for (const line of [
    'kind create cluster --config kind-config.yaml',
    'helm repo add cilium https://helm.cilium.io/',
    'helm install cilium cilium/cilium --version 1.18.5 --namespace kube-system --set hubble.relay.enabled=true',
    'sleep 60',
    'kubectl create -f http-sw-app.yaml && kubectl apply -f sw_l3_l4_l7_policy.yaml',
    'sleep 60',
  ]) {
    const result = await terminal.run(line);
    if (result.exitCode !== 0) throw new Error(`${line}: ${result.stderr}`);
  }
  return {
    name: 'docs',
    simulation,
    files: docsFiles,
    base: simulation.position,
    names: namesOf(simulation),
  };
}

/** A scenario's world after its first steps, with the scenario's files. */
export function scenarioWorld(id: string, steps: number): LabWorld {
  const scenario = scenarios[id];
  if (scenario === undefined) throw new Error(`no scenario ${id}`);
  const player = new ScenarioPlayer(scenario, scenario.defaultSeed);
  for (let step = 0; step < steps; step++) player.next();
  const simulation = player.simulation;
  return {
    name: id,
    simulation,
    files: scenario.files,
    base: simulation.position,
    names: namesOf(simulation),
  };
}

/** What the simulator prints when a tool threw: the one outcome no input may have. */
const internalError =
  /internal error in the simulator|TypeError|RangeError|ReferenceError|Cannot read properties|is not a function|undefined \(reading/;

/** The outcome of one run. */
export interface RunOutcome {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs command lines on a fresh terminal from the world's base and checks the oracle after each:
 * no exception (the run would reject), no internal error, and the world stays consistent. At the
 * end, replaying the run's inputs from the base gives the same state hash. Returns the outcomes,
 * for the callers' checks of what the tools said.
 */
export async function runChecked(
  world: LabWorld,
  lines: readonly string[],
  files: Readonly<Record<string, string>> = world.files,
): Promise<RunOutcome[]> {
  world.simulation.seek(world.base);
  // Drops what earlier runs left beyond the base, so that the replay below replays this run only.
  world.simulation.advance(0);
  const terminal = new TerminalSession(world.simulation, files);
  const outcomes: RunOutcome[] = [];
  for (const line of lines) {
    const result = await terminal.run(line);
    const shown = `$ ${line}\n${result.stdout.slice(0, 2000)}${result.stderr.slice(0, 2000)}`;
    expect(internalError.test(result.stdout) || internalError.test(result.stderr), shown).toBe(false);
    expectWorldConsistent(world.simulation.state);
    outcomes.push(result);
  }
  expectReplayExact(world.simulation, world.base);
  return outcomes;
}

/** The programs the simulator provides on the reader's machine. */
const simulatedTools = /^(?:kubectl|k|kind|helm|docker|istioctl|openssl|step|curl|ping) /;

/**
 * Whether a line is one simulated tool run on its own, with no shell syntax around it, so that its
 * exit status and messages are the tool's alone.
 */
export function isPlainToolCommand(line: string): boolean {
  return simulatedTools.test(line) && !/[|;&<>$`()\n]/.test(line);
}

/** curl with `-s` and without `-S` fails in silence, as the real one does. */
const silentCurl = /\bcurl\b(?=.*\s(?:--silent|-[a-zA-Z]*s[a-zA-Z]*)(?:\s|$))(?!.*\s-[a-zA-Z]*S)/;

/**
 * Whether a failed run of a plain tool command said nothing at all, which no tool the simulator
 * models does (but a silenced curl).
 */
export function failedInSilence(line: string, outcome: RunOutcome): boolean {
  return (
    isPlainToolCommand(line) &&
    outcome.exitCode !== 0 &&
    `${outcome.stdout}${outcome.stderr}`.trim() === '' &&
    !silentCurl.test(line)
  );
}
