/**
 * Runs a scenario headless and narrates it: each step's actions go through the same simulation the
 * widgets and the terminal use, and the transcript says what changed, which verdicts the datapath
 * reached, which ipcache entries are stale, and whether each expectation held.
 */
import { Simulation } from '../simulation';
import type { InputEvent } from '../events';
import type { InputResult } from '../dispatch';
import { parseManifests } from '../k8s/manifests';
import { formatApplyOutcome } from '../k8s/apply';
import {
  clusterSettled,
  daemonSetRolledOut,
  deploymentRolledOut,
  podsWithLabels,
  podKey,
  runningPods,
  trueOwnerOf,
} from '../queries';
import { formatIpcacheMapGet } from '../cilium/cli-format';
import { formatFlowCompact } from '../cilium/hubble-format';
import { authMapEntries, formatAuthMapList } from '../cilium/auth-map';
import { lookupIpcache } from '../cilium/agent-ipcache';
import type { ConnectionOutcome } from '../cilium/datapath';
import { getObject } from '../k8s/api-store';
import { formatDuration } from '../engine/virtual-time';
import type { FirewallRule, World } from '../world';
import type { PodSelector, Scenario, ScenarioAction, ScenarioStep } from './types';
import { isL7Action, runL7Action } from './l7-cilium/actions';
import { isEnvoyLabAction, runEnvoyLabAction } from './l7-envoy-blast-radius/actions';
import { isMeshAction, runMeshAction, type MeshVariant } from '../mesh/scenario-actions';
import { chooseSetup, type LabSetup } from '../setup';
import { istioVersion } from '../mesh/state';

/** The narrated result of one step. */
export interface StepTranscript {
  id: string;
  title: string;
  /** Virtual time since the run started when the step began. */
  startedAtMs: number;
  lines: string[];
  failures: string[];
}

/** The narrated result of a whole run. */
export interface ScenarioTranscript {
  scenario: string;
  seed: number;
  ok: boolean;
  steps: StepTranscript[];
  /** Values recorded along the way (identities, addresses, the restarts needed). */
  recorded: Record<string, string | number | string[]>;
  finalHash: string;
  eventCount: number;
  /** Virtual time the run took, from its setup's start. */
  virtualTimeMs: number;
}

/** Changes a scenario's configuration before it runs (another Cilium version, no cut-off, …). */
export interface ScenarioVariant {
  ciliumVersion?: string;
  helmValues?: Record<string, string>;
  skipActions?: ScenarioAction['do'][];
  /** Istio's profile for install-istio, and mesh expectations by label (mesh/scenario-actions.ts). */
  istioProfile?: MeshVariant['istioProfile'];
  meshExpect?: MeshVariant['meshExpect'];
  /** Files that replace the scenario's own by path (other manifests for a variant). */
  files?: Record<string, string>;
}

/**
 * The setup a scenario runs in (setup.ts): the Cilium versions it installs (a variant's own, when it
 * names one), Istio's if it installs Istio, and the day its source ran it, if it pins one.
 */
export function scenarioSetup(scenario: Scenario, variant: ScenarioVariant = {}): LabSetup {
  const actions = scenario.steps.flatMap((step) => step.actions);
  const cilium = actions.flatMap((action) =>
    action.do === 'install-cilium' ? [variant.ciliumVersion ?? action.version] : [],
  );
  const installsIstio = actions.some((action) => action.do === 'install-istio');
  return chooseSetup({
    cilium,
    ...(installsIstio ? { istio: istioVersion } : {}),
    ...(scenario.date === undefined ? {} : { date: scenario.date }),
  });
}

/** How long ordinary kubectl commands take in virtual time. */
const commandMs = 150;

class Run {
  readonly simulation: Simulation;
  readonly recorded: Record<string, string | number | string[]> = {};
  private lines: string[] = [];
  private failures: string[] = [];

  constructor(
    readonly scenario: Scenario,
    readonly seed: number,
    readonly variant: ScenarioVariant,
  ) {
    this.simulation = new Simulation(seed, { setup: scenarioSetup(scenario, variant) });
  }

  begin(): void {
    this.lines = [];
    this.failures = [];
  }

  end(step: ScenarioStep, startedAtMs: number): StepTranscript {
    return { id: step.id, title: step.title, startedAtMs, lines: this.lines, failures: this.failures };
  }

  say(line: string): void {
    this.lines.push(line);
  }

  fail(message: string): void {
    this.failures.push(message);
    this.lines.push(`✗ ${message}`);
  }

  input(event: InputEvent): InputResult {
    const result = this.simulation.input(event);
    if (!result.ok) this.fail(result.error);
    return result;
  }

  get world() {
    return this.simulation.state;
  }

  get cluster() {
    const cluster = this.world.cluster;
    if (cluster === undefined) throw new Error('the scenario needs a cluster first');
    return cluster;
  }

  nodeOf(selector: PodSelector): string | undefined {
    return runningPods(podsWithLabels(this.world, selector.labels, selector.namespace))[0]?.spec.nodeName;
  }

  waitSettled(limitMs: number): void {
    if (!this.simulation.advanceUntil(clusterSettled, limitMs, 500))
      this.fail(`the cluster did not settle within ${formatDuration(limitMs)}`);
  }

  curl(
    fromPod: string,
    host: string,
    port: number,
    path: string,
    timeoutMs: number,
  ): ConnectionOutcome | undefined {
    this.simulation.advance(commandMs);
    const result = this.input({
      type: 'pod.connect',
      request: {
        fromPodKey: `default/${fromPod}`,
        host,
        port,
        protocol: 'TCP',
        http: { method: 'GET', path, headers: {} },
        timeoutMs,
      },
    });
    const outcome = result.ok ? result.connection : undefined;
    if (outcome !== undefined) this.simulation.advance(outcome.elapsedMs);
    return outcome;
  }

  /** The number the next Hubble flow will get, to list the flows an action caused. */
  get flowMark(): number {
    return this.world.cluster?.cilium?.nextFlowNumber ?? 0;
  }

  /** Says the flows recorded since a mark, as `hubble observe` prints them. */
  sayFlows(mark: number): void {
    const flows = (this.world.cluster?.cilium?.flows ?? []).filter((flow) => flow.number >= mark);
    if (flows.length === 0) return;
    this.say('hubble observe:');
    for (const flow of flows) this.say(`  ${flow.node}: ${formatFlowCompact(flow)}`);
  }

  describeOutcome(outcome: ConnectionOutcome | undefined): string {
    if (outcome === undefined) return 'no outcome';
    switch (outcome.kind) {
      case 'response':
        return `HTTP ${outcome.response.status}: ${outcome.response.body.trim()}`;
      case 'timeout':
        return `timed out after ${formatDuration(outcome.elapsedMs)}`;
      case 'refused':
        return 'connection refused';
      case 'resolve-failed':
        return 'could not resolve host';
      case 'error':
        return outcome.message;
    }
  }
}

function actionSkipped(run: Run, action: ScenarioAction): boolean {
  return run.variant.skipActions?.includes(action.do) === true;
}

function runAction(run: Run, action: ScenarioAction): void {
  if (isL7Action(action)) {
    runL7Action(run, action);
    return;
  }
  if (isEnvoyLabAction(action)) {
    runEnvoyLabAction(run, action);
    return;
  }
  if (isMeshAction(action)) {
    runMeshAction(run, action);
    return;
  }
  switch (action.do) {
    case 'create-cluster': {
      const nodes: { role: 'control-plane' | 'worker' }[] = [{ role: 'control-plane' }];
      for (let i = 0; i < action.workers; i++) nodes.push({ role: 'worker' });
      run.input({
        type: 'kind.cluster.create',
        config: {
          name: 'kind',
          nodes,
          disableDefaultCNI: action.disableDefaultCNI,
          podSubnet: '10.244.0.0/16',
          serviceSubnet: '10.96.0.0/16',
        },
      });
      run.simulation.advance(20_000);
      const nodeList = Object.values(run.cluster.nodes).map(
        (node) => `${node.name} ${node.internalIP} (pods ${node.podCIDR})`,
      );
      run.say(`Created kind cluster: ${nodeList.join(', ')}.`);
      return;
    }
    case 'install-cilium': {
      const version = run.variant.ciliumVersion ?? action.version;
      const values = { ...action.values, ...run.variant.helmValues };
      const result = run.input({ type: 'cilium.install', request: { version, values } });
      if (result.ok) {
        const config = run.cluster.cilium?.config;
        run.say(
          `Installed Cilium ${config?.version ?? version}: routing ${config?.routingMode ?? '?'}, encryption ${config?.encryption ?? '?'}, ipam ${config?.ipamMode ?? '?'}.`,
        );
        for (const warning of result.warnings ?? []) run.say(`helm warning: ${warning}`);
      }
      return;
    }
    case 'wait-cilium-ready': {
      // As `kubectl -n kube-system rollout status ds/cilium`: every agent pod updated and available.
      const ready = run.simulation.advanceUntil(
        (world) => {
          const daemonSet = world.cluster?.api.objects.DaemonSet?.['kube-system/cilium'];
          return (
            daemonSet?.kind === 'DaemonSet' &&
            daemonSetRolledOut(daemonSet) &&
            Object.values(world.cluster?.cilium?.agents ?? {}).every((agent) => agent.running)
          );
        },
        60_000,
        500,
      );
      if (!ready) run.fail('cilium agents did not start');
      else
        run.say(
          `All ${Object.keys(run.cluster.cilium?.agents ?? {}).length} cilium agents are running (DaemonSet cilium rolled out); the nodes turn Ready.`,
        );
      return;
    }
    case 'apply': {
      const text = run.variant.files?.[action.file] ?? run.scenario.files[action.file];
      if (text === undefined) {
        run.fail(`the scenario has no file ${action.file}`);
        return;
      }
      const parsed = parseManifests(text, run.world.cluster?.cilium?.config.version);
      for (const error of parsed.errors) run.fail(error);
      run.simulation.advance(commandMs);
      const result = run.input({ type: 'api.apply', objects: parsed.objects });
      if (result.ok)
        run.say(
          `kubectl apply -f ${action.file}: ${(result.applied ?? []).map(formatApplyOutcome).join(', ')}`,
        );
      return;
    }
    case 'wait-rollouts':
      run.waitSettled(180_000);
      run.say(`Every deployment is rolled out (virtual time ${formatDuration(run.simulation.elapsedMs)}).`);
      return;
    case 'connectivity-matrix':
      for (const client of action.clients) {
        for (const server of action.servers) {
          const label = `${client} -> ${server}`;
          const clientPod = runningPods(
            podsWithLabels(run.world, {
              app: client.split('-')[0] ?? client,
              version: client.split('-')[1] ?? '',
            }),
          )[0];
          if (clientPod === undefined) {
            run.fail(`no running pod for ${client}`);
            continue;
          }
          const outcome = run.curl(
            clientPod.metadata.name,
            server,
            action.port,
            action.path,
            action.timeoutMs,
          );
          const success = outcome?.kind === 'response' && outcome.response.status < 400;
          run.say(
            `${label}: ${success ? 'Connection success' : 'Connection Failed'} (${run.describeOutcome(outcome)})`,
          );
          const expected = action.expect[label];
          if (expected !== undefined && (expected === 'success') !== success)
            run.fail(`${label} should be a ${expected}`);
        }
      }
      return;
    case 'show-ipcache': {
      const node = run.nodeOf(action.nodeOf);
      const agent = node === undefined ? undefined : run.cluster.cilium?.agents[node];
      if (node === undefined || agent === undefined) {
        run.fail('no node found for the selector');
        return;
      }
      run.recorded.NODEV1 = node;
      run.say(`ipcache of ${agent.podName} on ${node} (cilium map get cilium_ipcache):`);
      for (const line of formatIpcacheMapGet(run.cluster, agent).split('\n')) run.say(`  ${line}`);
      return;
    }
    case 'record-identity': {
      const pods = podsWithLabels(run.world, action.of.labels, action.of.namespace);
      const endpoint = pods
        .map((pod) => getObject(run.cluster.api, 'CiliumEndpoint', podKey(pod)))
        .find((candidate) => candidate !== undefined);
      const id = endpoint?.status.identity?.id;
      if (id === undefined) {
        run.fail('no CiliumEndpoint with an identity for the selector');
        return;
      }
      run.recorded[action.as] = id;
      run.say(
        `${action.as}=${id}: security identity of ${Object.values(action.of.labels).join('-')}, labels ${endpoint?.status.identity?.labels.join(', ') ?? ''}.`,
      );
      return;
    }
    case 'cut-off': {
      const node = run.nodeOf(action.nodeOf);
      if (node === undefined) {
        run.fail('no node found for the selector');
        return;
      }
      run.recorded.NODEV1 = node;
      const { clusterIP, endpointIP } = run.cluster.apiServer;
      for (const source of [clusterIP, endpointIP]) {
        const rule: FirewallRule = {
          table: 'mangle',
          chain: 'INPUT',
          protocol: 'tcp',
          source,
          target: 'DROP',
        };
        run.simulation.advance(commandMs);
        run.input({ type: 'node.firewall.insert', node, rule });
        run.say(`docker exec ${node} iptables -t mangle -I INPUT -p tcp -s ${source} -j DROP`);
      }
      const agent = run.cluster.cilium?.agents[node];
      for (const note of agent?.notes.slice(-1) ?? []) run.say(note.text);
      return;
    }
    case 'record-addresses': {
      const addresses = podsWithLabels(run.world, action.of.labels, action.of.namespace).flatMap((pod) =>
        pod.status.podIP === undefined ? [] : [pod.status.podIP],
      );
      run.recorded[action.as] = addresses;
      run.say(`${action.as}: ${addresses.length} addresses (${addresses.join(' ')}).`);
      return;
    }
    case 'scale':
      run.simulation.advance(commandMs);
      if (
        run.input({
          type: 'deployment.scale',
          key: `default/${action.deployment}`,
          replicas: action.replicas,
        }).ok
      ) {
        run.say(`kubectl scale deploy ${action.deployment} --replicas=${action.replicas}`);
      }
      return;
    case 'restart-until-reuse': {
      const recorded = run.recorded[action.addresses];
      const addresses = Array.isArray(recorded) ? recorded : [];
      const [app, version] = action.deployment.split('-');
      for (let restarts = 0; ; restarts++) {
        run.simulation.advance(commandMs * addresses.length);
        const match = podsWithLabels(run.world, { app: app ?? '', version: version ?? '' }).find(
          (pod) => pod.status.podIP !== undefined && addresses.includes(pod.status.podIP),
        );
        if (match !== undefined) {
          run.recorded[action.as] = match.metadata.name;
          run.recorded.reusedIp = match.status.podIP ?? '';
          run.recorded.restarts = restarts;
          run.say(
            `Found ${action.deployment} pod ${match.metadata.name} ip ${match.status.podIP ?? ''} after ${restarts} restart${restarts === 1 ? '' : 's'} (virtual time ${formatDuration(run.simulation.elapsedMs)}).`,
          );
          return;
        }
        if (restarts >= action.maxRestarts) {
          run.recorded.restarts = restarts;
          run.fail(`no ${action.deployment} pod re-used a recorded address after ${restarts} restarts`);
          return;
        }
        run.input({ type: 'deployment.restart', key: `default/${action.deployment}` });
        // Like `kubectl rollout status deployment/NAME`: wait for this Deployment only.
        const rolledOut = (world: Readonly<World>): boolean => {
          const deployment =
            world.cluster === undefined
              ? undefined
              : getObject(world.cluster.api, 'Deployment', `default/${action.deployment}`);
          return deployment !== undefined && deploymentRolledOut(deployment);
        };
        if (!run.simulation.advanceUntil(rolledOut, 600_000, 1000)) {
          run.fail(`rollout of ${action.deployment} did not finish`);
          return;
        }
      }
    }
    case 'curl-from-recorded': {
      const pod = run.recorded[action.pod];
      if (typeof pod !== 'string') {
        run.fail(`nothing recorded as ${action.pod}`);
        return;
      }
      const mark = run.flowMark;
      const outcome = run.curl(pod, action.server, action.port, action.path, action.timeoutMs);
      const success = outcome?.kind === 'response' && outcome.response.status < 400;
      run.say(
        `kubectl exec ${pod} -- curl -s http://${action.server}:${action.port}${action.path} --max-time ${action.timeoutMs / 1000}: ${success ? 'Connection success' : 'Connection Failed'} (${run.describeOutcome(outcome)})`,
      );
      for (const line of outcome?.explanation ?? []) run.say(`  · ${line}`);
      if (action.showFlows === true) run.sayFlows(mark);
      if (outcome !== undefined && 'mistaken' in outcome && outcome.mistaken !== undefined)
        run.say(`Mistaken identity: ${outcome.mistaken.sentence}`);
      if ((action.expect === 'success') !== success) run.fail(`the curl should be a ${action.expect}`);
      return;
    }
    case 'check-stale-entry': {
      const node =
        run.nodeOf(action.nodeOf) ??
        (typeof run.recorded.NODEV1 === 'string' ? run.recorded.NODEV1 : undefined);
      const agent = node === undefined ? undefined : run.cluster.cilium?.agents[node];
      const podName = run.recorded[action.pod];
      const ip = run.recorded.reusedIp;
      const expected = run.recorded[action.expectIdentity];
      if (agent === undefined || typeof podName !== 'string' || typeof ip !== 'string') {
        run.fail('nothing to check: no reused address was found');
        return;
      }
      const entry = lookupIpcache(run.cluster, agent, ip);
      const owner = trueOwnerOf(run.world, ip);
      run.say(
        `${node ?? '?'} ipcache: ${ip}/32 identity=${entry.identity} (named ${entry.podName ?? 'unknown'}); really owned by ${owner?.pod ?? 'nobody'} on ${owner?.node ?? '?'}.`,
      );
      if (entry.identity !== expected)
        run.fail(
          `expected ${ip} to map to identity ${String(expected)} on ${node ?? '?'}, found ${entry.identity}`,
        );
      return;
    }
    case 'heal': {
      const node = typeof run.recorded.NODEV1 === 'string' ? run.recorded.NODEV1 : run.nodeOf(action.nodeOf);
      if (node === undefined) return;
      for (const rule of [...(run.cluster.nodes[node]?.firewall ?? [])])
        run.input({ type: 'node.firewall.delete', node, rule });
      run.say(`Removed the iptables rules on ${node}.`);
      return;
    }
    case 'wait':
      run.simulation.advance(action.ms);
      return;
    case 'curl': {
      const [app = '', version = ''] = action.from.split('-');
      const clientPod = runningPods(podsWithLabels(run.world, { app, version }))[0];
      if (clientPod === undefined) {
        run.fail(`no running pod for ${action.from}`);
        return;
      }
      const mark = run.flowMark;
      const outcome = run.curl(
        clientPod.metadata.name,
        action.server,
        action.port,
        action.path,
        action.timeoutMs,
      );
      const success = outcome?.kind === 'response' && outcome.response.status < 400;
      run.say(
        `kubectl exec ${clientPod.metadata.name} -- curl -s http://${action.server}:${action.port}${action.path} --max-time ${action.timeoutMs / 1000}: ${success ? 'Connection success' : 'Connection Failed'} (${run.describeOutcome(outcome)}, ${((outcome?.elapsedMs ?? 0) / 1000).toFixed(3)} s)`,
      );
      for (const line of outcome?.explanation ?? []) run.say(`  · ${line}`);
      if (action.showFlows === true) run.sayFlows(mark);
      if ((action.expect === 'success') !== success) run.fail(`the curl should be a ${action.expect}`);
      const drops = new Set<string>(
        (run.world.cluster?.cilium?.flows ?? [])
          .filter((flow) => flow.number >= mark && flow.eventType === 'drop')
          .map((flow) => flow.dropReason ?? ''),
      );
      for (const reason of action.expectDrops ?? [])
        if (!drops.has(reason)) run.fail(`expected a ${reason} drop during the curl`);
      if (action.minElapsedMs !== undefined && (outcome?.elapsedMs ?? 0) < action.minElapsedMs)
        run.fail(`the curl should take at least ${formatDuration(action.minElapsedMs)}`);
      return;
    }
    case 'show-auth-map': {
      const node =
        run.nodeOf(action.nodeOf) ??
        (typeof run.recorded.NODEV1 === 'string' ? run.recorded.NODEV1 : undefined);
      const agent = node === undefined ? undefined : run.cluster.cilium?.agents[node];
      if (node === undefined || agent === undefined) {
        run.fail('no node found for the selector');
        return;
      }
      const entries = authMapEntries(run.cluster, node);
      run.say(`kubectl -n kube-system exec ${agent.podName} -- cilium bpf auth list   (on ${node})`);
      const listing = formatAuthMapList(entries);
      for (const line of `${listing.stdout}${listing.stderr}`.trimEnd().split('\n')) run.say(`  ${line}`);
      const handshakes = (run.cluster.cilium?.mutualAuth?.handshakes ?? []).filter(
        (record) => record.node === node,
      );
      for (const record of handshakes.slice(-(action.showHandshakes ?? 1)))
        run.say(`Handshake #${record.number} (${record.reason}, ${record.result}): ${record.sentence}`);
      if (action.expectEntry !== undefined) {
        const local = run.recorded[action.expectEntry.local];
        const remote = run.recorded[action.expectEntry.remote];
        const found = entries.some(
          (entry) =>
            entry.key.localIdentity === local &&
            entry.key.remoteIdentity === remote &&
            entry.expirationMs > run.simulation.nowMs,
        );
        if (!found)
          run.fail(
            `expected an auth map entry on ${node} for local ${String(local)} and remote ${String(remote)}`,
          );
      }
      return;
    }
  }
}

/**
 * Plays a scenario one step at a time, for widgets that let a reader step through it. The player
 * runs the same actions as the headless runner and keeps every step's transcript.
 */
export class ScenarioPlayer {
  private readonly run: Run;
  private readonly transcripts: StepTranscript[] = [];

  constructor(
    readonly scenario: Scenario,
    readonly seed = scenario.defaultSeed,
    variant: ScenarioVariant = {},
  ) {
    this.run = new Run(scenario, seed, variant);
  }

  /** The simulation behind the player (read it; change it only through the player). */
  get simulation(): Simulation {
    return this.run.simulation;
  }

  /** Values recorded so far (identities, addresses, the pod that re-used an address). */
  get recorded(): Readonly<Record<string, string | number | string[]>> {
    return this.run.recorded;
  }

  /** How many steps have run. */
  get completedSteps(): number {
    return this.transcripts.length;
  }

  /** Whether every step has run. */
  get finished(): boolean {
    return this.transcripts.length >= this.scenario.steps.length;
  }

  /** Transcripts of the steps run so far. */
  get steps(): readonly StepTranscript[] {
    return this.transcripts;
  }

  /** Runs the next step and returns its transcript, or undefined when the scenario is over. */
  next(): StepTranscript | undefined {
    const step = this.scenario.steps[this.transcripts.length];
    if (step === undefined) return undefined;
    this.run.begin();
    const startedAtMs = this.run.simulation.elapsedMs;
    for (const action of step.actions) {
      if (!actionSkipped(this.run, action)) runAction(this.run, action);
    }
    const transcript = this.run.end(step, startedAtMs);
    this.transcripts.push(transcript);
    return transcript;
  }

  /** The narrated result of everything run so far. */
  transcript(): ScenarioTranscript {
    return {
      scenario: this.scenario.id,
      seed: this.seed,
      ok: this.transcripts.every((step) => step.failures.length === 0),
      steps: this.transcripts,
      recorded: this.run.recorded,
      finalHash: this.run.simulation.hash(),
      eventCount: this.run.simulation.position,
      virtualTimeMs: this.run.simulation.elapsedMs,
    };
  }
}

/** Runs a scenario from its first step to its last. */
export function runScenario(
  scenario: Scenario,
  seed = scenario.defaultSeed,
  variant: ScenarioVariant = {},
): ScenarioTranscript {
  const player = new ScenarioPlayer(scenario, seed, variant);
  while (player.next() !== undefined) {
    // Each call runs one step; the loop ends after the last.
  }
  return player.transcript();
}
