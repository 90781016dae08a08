/**
 * Istio's actions, on top of simulation inputs: install Istio, enrol a namespace, wait for the
 * workload certificates, and curl with narration that reads the response the way the seed's
 * run-test.sh would (`curl -s` exits 0 on a 403, so the script still says "Connection success.").
 */
import type { ConnectionOutcome } from '../../cilium/datapath-types';
import { formatDuration } from '../../engine/virtual-time';
import { podsWithLabels, runningPods } from '../../queries';
import type { World } from '../../world';
import { istiodRunning, istioctlInstallOutput, ztunnelRunning } from '../../mesh/install';
import { dataplaneModeLabel, injectionLabel } from '../../mesh/state';
import { lastMeshConnection } from '../../mesh/traffic';
import { certificateForPod } from '../../mesh/workloads';
import { curlExitCode, curlSummary } from '../curl-reading';
import { curlObservation, type CurlObservation } from '../observations';
import { commandMs, type ScenarioRun } from '../run';
import type { ActionOf, MeshExpectation } from '../types';
import { workloadPod } from './connectivity';

/** Whether an outcome is what an expectation names. */
function outcomeMatches(outcome: ConnectionOutcome | undefined, expect: MeshExpectation): boolean {
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
function describeMeshCurl(outcome: ConnectionOutcome | undefined): {
  exitCode: number;
  shown: string;
  script: string;
} {
  return {
    exitCode: curlExitCode(outcome),
    shown: curlSummary(outcome, { quoteBody: true }),
    script: outcome?.kind === 'response' ? 'Connection success.' : 'Connection Failed.',
  };
}

/** The mesh connection a curl made, if the sidecars or ztunnel recorded one since `before`. */
function meshConnectionSince(run: ScenarioRun, before: number | undefined): CurlObservation['mesh'] {
  const connection = lastMeshConnection(run.simulation.state);
  if (connection === undefined || connection.number === before) return undefined;
  return {
    transport: connection.transport,
    ...(connection.client.spiffeId === undefined ? {} : { clientId: connection.client.spiffeId }),
    ...(connection.server.spiffeId === undefined ? {} : { serverId: connection.server.spiffeId }),
    mtlsMode: connection.mtlsMode,
    result: connection.result,
  };
}

/** Whether the first running pod of each app has its workload certificate. */
function meshCertificatesIssued(world: Readonly<World>, apps: readonly string[]): boolean {
  return apps.every((app) => {
    const [name = app, version = ''] = app.split('-');
    const pod = runningPods(podsWithLabels(world, { app: name, version }))[0];
    return pod?.spec.nodeName !== undefined && certificateForPod(world, pod, pod.spec.nodeName) !== undefined;
  });
}

export function installIstio(run: ScenarioRun, action: ActionOf<'install-istio'>): void {
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
  run.observe({ kind: 'istio-installed', profile, ready });
  if (!ready) {
    run.fail('istiod (and ztunnel) did not start');
    return;
  }
  const mesh = run.simulation.state.cluster?.mesh;
  run.say(
    `istiod runs; its self-signed root ${mesh?.root.subject ?? ''} (serial ${mesh?.root.serialHex.slice(0, 8) ?? ''}…) is valid for 10 years.${profile === 'ambient' ? ` A ztunnel pod runs on each of the ${Object.keys(mesh?.ztunnels ?? {}).length} nodes.` : ''}`,
  );
}

export function enrollNamespace(run: ScenarioRun, action: ActionOf<'enroll-namespace'>): void {
  const profile = run.simulation.state.cluster?.mesh?.profile ?? 'default';
  const label = profile === 'ambient' ? { [dataplaneModeLabel]: 'ambient' } : { [injectionLabel]: 'enabled' };
  run.simulation.advance(commandMs);
  if (!run.input({ type: 'object.label', kind: 'Namespace', key: action.namespace, labels: label }).ok)
    return;
  const [key, value] = Object.entries(label)[0] ?? ['', ''];
  run.say(
    `kubectl label namespace ${action.namespace} ${key}=${value}: ${profile === 'ambient' ? "new and existing pods are captured by their node's ztunnel" : 'pods created from now on get istio-init and istio-proxy (READY 2/2)'}.`,
  );
  run.observe({ kind: 'namespace-enrolled', namespace: action.namespace, label: `${key}=${value}` });
}

export function showMeshIdentities(run: ScenarioRun, action: ActionOf<'show-mesh-identities'>): void {
  const world = run.simulation.state;
  if (world.cluster === undefined) return;
  // istio-agent's CSR round trip follows the containers' start; give it a moment, as `kubectl wait` would.
  run.simulation.advanceUntil((state) => meshCertificatesIssued(state, action.apps), 10_000, 100);
  for (const app of action.apps) {
    const pod = workloadPod(run, app);
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
    const sidecar = pod.spec.containers.some((container) => container.name === 'istio-proxy');
    const serviceAccount = pod.spec.serviceAccountName ?? 'default';
    run.say(
      `${pod.metadata.name} (READY ${ready}, service account ${serviceAccount}): ${sidecar ? 'its istio-proxy' : `ztunnel on ${node}`} holds ${certificate.spiffeId}, serial ${certificate.serialHex.slice(0, 8)}…, valid 24 h, rotated after ${formatDuration(certificate.rotateAtMs - certificate.issuedAtMs)}.`,
    );
    run.observe({
      kind: 'mesh-identity',
      pod: pod.metadata.name,
      serviceAccount,
      spiffeId: certificate.spiffeId,
      holder: sidecar ? 'sidecar' : 'ztunnel',
    });
  }
}

export function meshMatrix(run: ScenarioRun, action: ActionOf<'mesh-matrix'>): void {
  for (const client of action.clients) {
    const from = workloadPod(run, client)?.metadata.name;
    if (from === undefined) {
      run.fail(`no running pod for ${client}`);
      continue;
    }
    for (const server of action.servers) {
      const label = `${client} -> ${server}`;
      const before = lastMeshConnection(run.simulation.state)?.number;
      const outcome = run.curl(`default/${from}`, server, action.port, action.path, action.timeoutMs);
      const expect = run.variant.meshExpect?.[label] ?? action.expect[label];
      const read = describeMeshCurl(outcome);
      run.say(`${label}: ${read.shown} (curl exit ${read.exitCode}; run-test.sh: "${read.script}")`);
      const mesh = meshConnectionSince(run, before);
      run.observe(
        curlObservation({ from, to: server, port: action.port, path: action.path }, outcome, {
          exitCode: read.exitCode,
          ...(mesh === undefined ? {} : { mesh }),
        }),
      );
      if (expect !== undefined && !outcomeMatches(outcome, expect))
        run.fail(`${label} should end in ${expect}`);
    }
  }
}

export function meshCurlFromRecorded(run: ScenarioRun, action: ActionOf<'mesh-curl-from-recorded'>): void {
  const pod = run.facts.pods[action.pod];
  if (pod === undefined) {
    run.fail(`nothing recorded as ${action.pod}`);
    return;
  }
  const before = lastMeshConnection(run.simulation.state)?.number;
  const outcome = run.curl(`default/${pod}`, action.server, action.port, action.path, action.timeoutMs);
  const expect = run.variant.meshExpect?.[action.label] ?? action.expect;
  const command = `kubectl exec ${pod} -- curl -s http://${action.server}:${action.port}${action.path} --max-time ${action.timeoutMs / 1000}`;
  const read = describeMeshCurl(outcome);
  run.say(`${command}: exit ${read.exitCode}, ${read.shown}; run-test.sh would print "${read.script}"`);
  if (outcome?.kind === 'response' && outcome.response.status === 403)
    run.say(
      '  · curl -s exits 0 on a 403, so the script reports success: the body "RBAC: access denied" is what shows Istio refused.',
    );
  const mesh = meshConnectionSince(run, before);
  if (mesh !== undefined)
    run.say(
      `  · mesh: ${mesh.transport}, client ${mesh.clientId ?? '(no certificate)'} → server ${mesh.serverId ?? '(no certificate)'}, PeerAuthentication ${mesh.mtlsMode}, result ${mesh.result}`,
    );
  if (!outcomeMatches(outcome, expect)) run.fail(`${command} should end in ${expect}`);
  for (const line of outcome?.explanation ?? []) run.say(`  · ${line}`);
  if (outcome !== undefined && 'mistaken' in outcome && outcome.mistaken !== undefined)
    run.say(`Cilium's belief was wrong as before: ${outcome.mistaken.sentence}`);
  run.observe(
    curlObservation({ from: pod, to: action.server, port: action.port, path: action.path }, outcome, {
      exitCode: read.exitCode,
      ...(mesh === undefined ? {} : { mesh }),
    }),
  );
}
