/**
 * Istio and certificate tools in the terminal: `istioctl install`, `openssl s_client` from an
 * istio-proxy container, and `openssl x509 -text` / `step certificate inspect` on a PEM. The
 * certificate layer brings crypto libraries, so it is imported only when one of these runs.
 */
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { istioctlInstallOutput, istioctlInstallPrompt } from '../mesh/install';
import { istioVersion } from '../mesh/state';
import { kubernetesMinor } from '../k8s/kubernetes-versions';
import { istioctlWaypointApplyOutput, waypointEnrolment } from '../mesh/waypoint';
import { certificateForPod } from '../mesh/workloads';
import type { IstioProfile } from '../mesh/state';
import type { Pod } from '../k8s/objects';
import { getObject } from '../k8s/api-store';
import { opensslOfProxyImage, threadIdFrom } from '../tls/openssl-builds';

const installMs = 45_000;

/** `istioctl install [--set profile=default|ambient] [-y]` and `istioctl version`. */
export function istioctl(context: TerminalContext, args: string[]): CommandResult {
  const [verb, ...rest] = args;
  if (verb === 'waypoint') return waypoint(context, rest);
  if (verb === 'version')
    return ok('client version: 1.24.0\ncontrol plane version: 1.24.0\ndata plane version: 1.24.0\n');
  if (verb !== 'install')
    return fail(
      `Error: unknown command "${verb ?? ''}" for "istioctl"\nSupported in this simulator: install, waypoint apply, version`,
    );
  let profile: IstioProfile = 'default';
  let confirmed = false;
  for (let index = 0; index < rest.length; index++) {
    const arg = rest[index] ?? '';
    if (arg === '-y' || arg === '--skip-confirmation') confirmed = true;
    else if (arg === '--set' || arg.startsWith('--set=')) {
      const value = arg === '--set' ? (rest[++index] ?? '') : arg.slice('--set='.length);
      const match = /^profile=(.*)$/.exec(value);
      if (match === null) return fail(`Error: this simulator only understands --set profile=…, not ${value}`);
      if (match[1] !== 'default' && match[1] !== 'ambient')
        return fail(
          `Error: failed to generate manifest: the simulator models the default and ambient profiles, not "${match[1] ?? ''}"`,
        );
      profile = match[1];
    } else return fail(`Error: unknown flag: ${arg}`);
  }
  if (!confirmed)
    return {
      stdout: `${istioctlInstallPrompt(profile)}\n`,
      stderr: 'Cancelled. (The terminal cannot answer the prompt: add -y.)\n',
      exitCode: 1,
    };
  const result = context.input({ type: 'istio.install', request: { tool: 'istioctl', profile } });
  if (!result.ok) return fail(`Error: ${result.error}`);
  const installed = result.istio;
  if (installed === undefined || !installed.ok)
    return fail(`Error: ${installed?.ok === false ? installed.error : 'install failed'}`);
  context.spend(installMs);
  return ok(`${kubernetesVersionWarning(context)}${istioctlInstallOutput(installed)}`);
}

/**
 * istioctl's pre-check on the cluster's Kubernetes (istio/istio operator/pkg/util/k8sversion,
 * release-1.24: MinK8SVersion 28): below it, a warning, and the installation goes on.
 */
function kubernetesVersionWarning(context: TerminalContext): string {
  const server = context.simulation.state.cluster?.kubernetesVersion ?? '';
  const minor = kubernetesMinor(server);
  if (minor === undefined || minor >= 28) return '';
  return `\nThe Kubernetes version ${server} is not supported by Istio ${istioVersion}. The minimum supported Kubernetes version is 1.28.\nProceeding with the installation, but you might experience problems. See https://istio.io/latest/docs/setup/platform-setup/ for a list of supported versions.\n`;
}

/** `istioctl waypoint apply [-n NS] [--name NAME] [--for service|workload|all] [--enroll-namespace]`. */
function waypoint(context: TerminalContext, args: string[]): CommandResult {
  const [verb, ...rest] = args;
  if (verb !== 'apply')
    return fail(
      `Error: unknown command "${verb ?? ''}" for "istioctl waypoint"\nSupported in this simulator: apply`,
    );
  let namespace = 'default';
  let name: string | undefined;
  let waypointFor: string | undefined;
  let enroll = false;
  for (let index = 0; index < rest.length; index++) {
    const arg = rest[index] ?? '';
    const value = () => rest[++index] ?? '';
    if (arg === '-n' || arg === '--namespace') namespace = value();
    else if (arg.startsWith('--namespace=')) namespace = arg.slice('--namespace='.length);
    else if (arg === '--name') name = value();
    else if (arg === '--for') waypointFor = value();
    else if (arg === '--enroll-namespace') enroll = true;
    else if (arg === '--wait') continue;
    else return fail(`Error: unknown flag: ${arg}`);
  }
  if (waypointFor !== undefined && !['service', 'workload', 'all', 'none'].includes(waypointFor))
    return fail(
      `Error: invalid value "${waypointFor}" for --for: must be one of service, workload, all, none`,
    );
  const result = context.input({
    type: 'istio.waypoint.apply',
    request: {
      namespace,
      ...(name === undefined ? {} : { name }),
      ...(waypointFor === undefined
        ? {}
        : { waypointFor: waypointFor as 'service' | 'workload' | 'all' | 'none' }),
      enrollNamespace: enroll,
    },
  });
  if (!result.ok || result.waypoint === undefined || !result.waypoint.ok)
    return fail(
      result.ok
        ? result.waypoint?.ok === false
          ? result.waypoint.error
          : 'Error: waypoint apply failed'
        : result.error.startsWith('Error: ')
          ? result.error
          : `Error: ${result.error}`,
    );
  if (enroll) {
    // istioctl labels the namespace itself; the label reaches the model like kubectl label's.
    const labels = waypointEnrolment(result.waypoint.name);
    const labelled = context.input({
      type: 'object.label',
      kind: 'Namespace',
      key: namespace,
      labels,
    });
    if (!labelled.ok) return fail(`Error: ${labelled.error}`);
  }
  context.spend(2_000);
  return ok(`${istioctlWaypointApplyOutput(result.waypoint)}\n`);
}

async function certificateLayer() {
  return Promise.all([import('../identity-pki'), import('../mesh/render')]);
}

/** How long Linux retries an unanswered SYN before connect() fails (tcp_syn_retries 6: 1+2+…+64 s). */
const connectTimeoutMs = 127_000;

/** `openssl s_client -connect HOST:PORT [-showcerts]` run in a pod's istio-proxy container. */
export async function opensslInProxy(
  context: TerminalContext,
  pod: Pod,
  args: string[],
): Promise<CommandResult> {
  if (args[0] !== 's_client')
    return fail(`openssl: this container's openssl is simulated for s_client only`, 1);
  const connectAt = args.indexOf('-connect');
  const target = connectAt < 0 ? undefined : args[connectAt + 1];
  const match = target === undefined ? null : /^([^:]+):(\d+)$/.exec(target);
  if (match === null)
    return fail('s_client: -connect host:port is required (e.g. -connect helloworld:5000)', 1);
  const [, host = '', portText = ''] = match;
  const cluster = context.simulation.state.cluster;
  const mesh = cluster?.mesh;
  if (cluster === undefined || mesh?.root === undefined) return fail('openssl: no mesh here', 1);
  // The TCP connection goes through the datapath like any other (service translation on the
  // client's node, policies, the server node's view of the source); s_client then speaks TLS to
  // whichever pod accepted it. Traffic of the istio-proxy container itself is not captured.
  const connection = context.input({
    type: 'pod.traffic',
    request: {
      kind: 'tcp-connect',
      fromPodKey: `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`,
      host,
      port: Number(portText),
      timeoutMs: connectTimeoutMs,
    },
  });
  if (!connection.ok || connection.traffic?.request !== 'tcp-connect')
    return fail(connection.ok ? 'connect:errno=111' : connection.error, 1);
  const outcome = connection.traffic;
  context.spend(outcome.elapsedMs);
  if (outcome.kind === 'error') return fail(outcome.message, 1);
  if (outcome.kind !== 'connected') {
    if (outcome.kind === 'resolve-failed')
      return fail(`${host}:${portText}: Name or service not known\nconnect:errno=2`, 1);
    return fail(
      outcome.kind === 'timeout'
        ? 'connect: Connection timed out\nconnect:errno=110'
        : 'connect: Connection refused\nconnect:errno=111',
      1,
    );
  }
  const backend =
    outcome.serverPodKey === undefined
      ? undefined
      : getObject(context.simulation.state.cluster?.api ?? cluster.api, 'Pod', outcome.serverPodKey);
  if (backend === undefined)
    return fail(`CONNECTED(00000003)\nwrite:errno=104\n---\nno peer certificate available\n---`, 1);
  const certificate = certificateForPod(context.simulation.state, backend, backend.spec.nodeName ?? '');
  if (certificate === undefined)
    return fail(`CONNECTED(00000003)\nwrite:errno=104\n---\nno peer certificate available\n---`, 1);
  context.spend(20);
  const [, render] = await certificateLayer();
  // The istio-proxy container's image decides the OpenSSL build; each run is a new process.
  const image = pod.spec.containers.find((container) => container.name === 'istio-proxy')?.image;
  const result = render.sClientToSidecar({
    seed: context.simulation.seed,
    root: mesh.root,
    server: certificate,
    host,
    port: Number(portText),
    atMs: context.simulation.nowMs,
    showCerts: args.includes('-showcerts'),
    openssl: opensslOfProxyImage(image),
    threadId: threadIdFrom(`${context.simulation.seed}/${pod.metadata.name}/${context.simulation.nowMs}`),
  });
  const lines = result.output.split('\n');
  const errorAt = lines.findIndex((line) => /:error:/.test(line));
  const stdout = errorAt < 0 ? result.output : lines.slice(0, errorAt).join('\n') + '\n';
  const stderr = errorAt < 0 ? '' : lines.slice(errorAt).join('\n');
  return {
    stdout,
    stderr: `${stderr}${stderr.endsWith('\n') || stderr === '' ? '' : '\n'}command terminated with exit code ${result.exitCode}\n`,
    exitCode: result.exitCode,
  };
}

function firstPem(text: string): string | undefined {
  return /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(text)?.[0];
}

/** `openssl x509 -text -noout [-in FILE]` on the reader's machine. */
export async function openssl(
  context: TerminalContext,
  args: string[],
  stdin: string,
): Promise<CommandResult> {
  const [command, ...rest] = args;
  if (command !== 'x509')
    return fail(
      `openssl: on this machine the simulator provides x509 only (s_client runs inside an istio-proxy container)`,
      1,
    );
  const inAt = rest.indexOf('-in');
  const source = inAt < 0 ? stdin : context.files[(rest[inAt + 1] ?? '').replace(/^\.\//, '')];
  if (source === undefined)
    return fail(`Could not open file or uri for loading certificate from ${rest[inAt + 1] ?? ''}`, 1);
  const pem = firstPem(source);
  if (pem === undefined)
    return fail('Could not read certificate from <stdin>\nUnable to load certificate', 1);
  const [pki] = await certificateLayer();
  try {
    return ok(pki.formatOpensslX509Text(pem));
  } catch (error) {
    return fail(`Could not read certificate: ${error instanceof Error ? error.message : String(error)}`, 1);
  }
}

/** `step certificate inspect -|FILE`. */
export async function step(context: TerminalContext, args: string[], stdin: string): Promise<CommandResult> {
  if (args[0] !== 'certificate' || args[1] !== 'inspect')
    return fail('step: the simulator provides `step certificate inspect` only', 1);
  const file = args[2] ?? '-';
  const source = file === '-' ? stdin : context.files[file.replace(/^\.\//, '')];
  if (source === undefined) return fail(`open ${file}: no such file or directory`, 1);
  const pem = firstPem(source);
  if (pem === undefined)
    return fail(`error parsing ${file === '-' ? 'stdin' : file}: no PEM certificate found`, 1);
  const [pki] = await certificateLayer();
  try {
    return ok(pki.formatStepCertificateInspect(pem));
  } catch (error) {
    return fail(`error parsing certificate: ${error instanceof Error ? error.message : String(error)}`, 1);
  }
}
