/**
 * Scenario actions for Istio, run by scenarios/runner.ts on top of simulation inputs: install Istio,
 * enrol a namespace, wait for the mesh, and curl with narration that reads the response the way the
 * seed's run-test.sh would (`curl -s` exits 0 on a 403, so the script still says "Connection success.").
 */
import type { ConnectionOutcome } from '../cilium/datapath';
import type { InputEvent } from '../events';
import type { InputResult } from '../dispatch';
import { formatDuration } from '../engine/virtual-time';
import { podsWithLabels, runningPods } from '../queries';
import type { Simulation } from '../simulation';
import type { World } from '../world';
import { istiodRunning, istioctlInstallOutput, ztunnelRunning } from './install';
import { dataplaneModeLabel, injectionLabel, type IstioProfile } from './state';
import { lastMeshConnection } from './traffic';
import { certificateForPod } from './workloads';

/** What a mesh curl should end in. */
export type MeshExpectation = 'hello' | 'rbac-denied' | 'reset' | 'timeout';

/** The actions Istio adds to the scenario vocabulary. */
export type MeshScenarioAction =
  | { do: 'install-istio'; profile: IstioProfile }
  | { do: 'enroll-namespace'; namespace: string }
  | { do: 'show-mesh-identities'; apps: string[] }
  | {
      do: 'mesh-matrix';
      clients: string[];
      servers: string[];
      port: number;
      path: string;
      timeoutMs: number;
      expect: Record<string, MeshExpectation>;
    }
  | {
      do: 'mesh-curl-from-recorded';
      label: string;
      pod: string;
      server: string;
      port: number;
      path: string;
      timeoutMs: number;
      expect: MeshExpectation;
    };

const meshActionKinds = new Set<string>([
  'install-istio',
  'enroll-namespace',
  'show-mesh-identities',
  'mesh-matrix',
  'mesh-curl-from-recorded',
]);

/** Whether an action is one of this module's. */
export function isMeshAction(action: { do: string }): action is MeshScenarioAction {
  return meshActionKinds.has(action.do);
}

/** The variant fields the mesh actions read. */
export interface MeshVariant {
  istioProfile?: IstioProfile | undefined;
  /** Expectations that replace a mesh action's, by matrix label or curl label. */
  meshExpect?: Record<string, MeshExpectation> | undefined;
}

/** What the runner lends the mesh actions (its Run class has all of these). */
export interface MeshRun {
  readonly simulation: Simulation;
  readonly recorded: Record<string, string | number | string[]>;
  readonly variant: MeshVariant;
  say(line: string): void;
  fail(message: string): void;
  input(event: InputEvent): InputResult;
  curl(
    fromPod: string,
    host: string,
    port: number,
    path: string,
    timeoutMs: number,
  ): ConnectionOutcome | undefined;
}

const commandMs = 150;

/** Whether an outcome is what an expectation names. */
export function outcomeMatches(outcome: ConnectionOutcome | undefined, expect: MeshExpectation): boolean {
  switch (expect) {
    case 'hello':
      return (
        outcome?.kind === 'response' &&
        outcome.response.status === 200 &&
        outcome.response.body.startsWith('Hello version')
      );
    case 'rbac-denied':
      return (
        outcome?.kind === 'response' &&
        outcome.response.status === 403 &&
        outcome.response.body === 'RBAC: access denied'
      );
    case 'reset':
      return outcome?.kind === 'error' && outcome.message.includes('(56)');
    case 'timeout':
      return outcome?.kind === 'timeout';
  }
}

/** `curl -s … && echo "Connection success." || echo "Connection Failed."`, read from an outcome. */
export function describeMeshCurl(outcome: ConnectionOutcome | undefined): {
  exitCode: number;
  shown: string;
  script: string;
} {
  if (outcome === undefined) return { exitCode: 7, shown: 'no outcome', script: 'Connection Failed.' };
  switch (outcome.kind) {
    case 'response':
      return {
        exitCode: 0,
        shown: `HTTP ${outcome.response.status}, body "${outcome.response.body.trim()}"`,
        script: 'Connection success.',
      };
    case 'timeout':
      return {
        exitCode: 28,
        shown: `timed out after ${formatDuration(outcome.elapsedMs)}`,
        script: 'Connection Failed.',
      };
    case 'refused':
      return { exitCode: 7, shown: 'connection refused', script: 'Connection Failed.' };
    case 'resolve-failed':
      return { exitCode: 6, shown: 'could not resolve host', script: 'Connection Failed.' };
    case 'error': {
      const code = /curl: \((\d+)\)/.exec(outcome.message)?.[1];
      return {
        exitCode: code === undefined ? 1 : Number(code),
        shown: outcome.message,
        script: 'Connection Failed.',
      };
    }
  }
}

function clientPodFor(world: Readonly<World>, client: string): string | undefined {
  const [app = client, version = ''] = client.split('-');
  return runningPods(podsWithLabels(world, { app, version }))[0]?.metadata.name;
}

function narrateCurl(
  run: MeshRun,
  command: string,
  outcome: ConnectionOutcome | undefined,
  expect: MeshExpectation,
  before: number | undefined,
): void {
  const read = describeMeshCurl(outcome);
  run.say(`${command}: exit ${read.exitCode}, ${read.shown}; run-test.sh would print "${read.script}"`);
  if (outcome?.kind === 'response' && outcome.response.status === 403)
    run.say(
      '  · curl -s exits 0 on a 403, so the script reports success: the body "RBAC: access denied" is what shows Istio refused.',
    );
  const connection = lastMeshConnection(run.simulation.state);
  if (connection !== undefined && connection.number !== before)
    run.say(
      `  · mesh: ${connection.transport}, client ${connection.client.spiffeId ?? '(no certificate)'} → server ${connection.server.spiffeId ?? '(no certificate)'}, PeerAuthentication ${connection.mtlsMode}, result ${connection.result}`,
    );
  if (!outcomeMatches(outcome, expect)) run.fail(`${command} should end in ${expect}`);
}

/** Whether the first running pod of each app has its workload certificate. */
function meshCertificatesIssued(world: Readonly<World>, apps: readonly string[]): boolean {
  return apps.every((app) => {
    const [name = app, version = ''] = app.split('-');
    const pod = runningPods(podsWithLabels(world, { app: name, version }))[0];
    return pod?.spec.nodeName !== undefined && certificateForPod(world, pod, pod.spec.nodeName) !== undefined;
  });
}

/** Runs one mesh action. */
export function runMeshAction(run: MeshRun, action: MeshScenarioAction): void {
  const world = run.simulation.state;
  switch (action.do) {
    case 'install-istio': {
      const profile = run.variant.istioProfile ?? action.profile;
      run.simulation.advance(commandMs);
      const result = run.input({ type: 'istio.install', request: { tool: 'istioctl', profile } });
      if (!result.ok || result.istio === undefined) return;
      run.say(`istioctl install --set profile=${profile} -y`);
      for (const line of istioctlInstallOutput(result.istio).trimEnd().split('\n')) run.say(`  ${line}`);
      const ready = run.simulation.advanceUntil(
        (state) =>
          istiodRunning(state) &&
          (profile !== 'ambient' ||
            Object.keys(state.cluster?.nodes ?? {}).every((node) => ztunnelRunning(state, node))),
        180_000,
        500,
      );
      if (!ready) run.fail('istiod (and ztunnel) did not start');
      else {
        const mesh = run.simulation.state.cluster?.mesh;
        run.say(
          `istiod runs; its self-signed root ${mesh?.root.subject ?? ''} (serial ${mesh?.root.serialHex.slice(0, 8) ?? ''}…) is valid for 10 years.${profile === 'ambient' ? ` A ztunnel pod runs on each of the ${Object.keys(mesh?.ztunnels ?? {}).length} nodes.` : ''}`,
        );
      }
      return;
    }
    case 'enroll-namespace': {
      const profile = run.simulation.state.cluster?.mesh?.profile ?? 'default';
      const label =
        profile === 'ambient' ? { [dataplaneModeLabel]: 'ambient' } : { [injectionLabel]: 'enabled' };
      run.simulation.advance(commandMs);
      if (run.input({ type: 'object.label', kind: 'Namespace', key: action.namespace, labels: label }).ok) {
        const [key, value] = Object.entries(label)[0] ?? ['', ''];
        run.say(
          `kubectl label namespace ${action.namespace} ${key}=${value}: ${profile === 'ambient' ? "new and existing pods are captured by their node's ztunnel" : 'pods created from now on get istio-init and istio-proxy (READY 2/2)'}.`,
        );
      }
      return;
    }
    case 'show-mesh-identities': {
      const cluster = world.cluster;
      if (cluster === undefined) return;
      // istio-agent's CSR round trip follows the containers' start; give it a moment, as `kubectl wait` would.
      run.simulation.advanceUntil((state) => meshCertificatesIssued(state, action.apps), 10_000, 100);
      for (const app of action.apps) {
        const [name = app, version = ''] = app.split('-');
        const pod = runningPods(podsWithLabels(world, { app: name, version }))[0];
        const node = pod?.spec.nodeName;
        if (pod === undefined || node === undefined) {
          run.fail(`no running pod for ${app}`);
          continue;
        }
        const certificate = certificateForPod(world, pod, node);
        const ready = `${pod.status.containerStatuses?.filter((status) => status.ready).length ?? 0}/${pod.spec.containers.length}`;
        if (certificate === undefined) {
          run.fail(`${pod.metadata.name} has no workload certificate`);
          continue;
        }
        const holder = pod.spec.containers.some((container) => container.name === 'istio-proxy')
          ? 'its istio-proxy'
          : `ztunnel on ${node}`;
        run.say(
          `${pod.metadata.name} (READY ${ready}, service account ${pod.spec.serviceAccountName ?? 'default'}): ${holder} holds ${certificate.spiffeId}, serial ${certificate.serialHex.slice(0, 8)}…, valid 24 h, rotated after ${formatDuration(certificate.rotateAtMs - certificate.issuedAtMs)}.`,
        );
      }
      return;
    }
    case 'mesh-matrix':
      for (const client of action.clients) {
        const podName = clientPodFor(world, client);
        if (podName === undefined) {
          run.fail(`no running pod for ${client}`);
          continue;
        }
        for (const server of action.servers) {
          const label = `${client} -> ${server}`;
          const outcome = run.curl(podName, server, action.port, action.path, action.timeoutMs);
          const expect = run.variant.meshExpect?.[label] ?? action.expect[label];
          const read = describeMeshCurl(outcome);
          run.say(`${label}: ${read.shown} (curl exit ${read.exitCode}; run-test.sh: "${read.script}")`);
          if (expect !== undefined && !outcomeMatches(outcome, expect))
            run.fail(`${label} should end in ${expect}`);
        }
      }
      return;
    case 'mesh-curl-from-recorded': {
      const pod = run.recorded[action.pod];
      if (typeof pod !== 'string') {
        run.fail(`nothing recorded as ${action.pod}`);
        return;
      }
      const before = lastMeshConnection(run.simulation.state)?.number;
      const outcome = run.curl(pod, action.server, action.port, action.path, action.timeoutMs);
      const expect = run.variant.meshExpect?.[action.label] ?? action.expect;
      narrateCurl(
        run,
        `kubectl exec ${pod} -- curl -s http://${action.server}:${action.port}${action.path} --max-time ${action.timeoutMs / 1000}`,
        outcome,
        expect,
        before,
      );
      for (const line of outcome?.explanation ?? []) run.say(`  · ${line}`);
      if (outcome !== undefined && 'mistaken' in outcome && outcome.mistaken !== undefined)
        run.say(`Cilium's belief was wrong as before: ${outcome.mistaken.sentence}`);
      return;
    }
  }
}
