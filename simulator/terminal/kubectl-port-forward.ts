/**
 * `kubectl port-forward TYPE/NAME [LOCAL:]REMOTE…` after kubectl v1.33 (staging/src/k8s.io/kubectl/
 * pkg/cmd/portforward/portforward.go and client-go's tools/portforward): it picks one pod (a Service's
 * or a controller's most active one), translates a Service's ports to the pod's container ports,
 * listens on 127.0.0.1 and [::1] of the reader's machine and runs until Ctrl-C. A connection to the
 * local port reaches the pod over its own loopback, through the API server and the kubelet, so no
 * network policy applies to it (cilium/loopback.ts); kubectl says `Handling connection for PORT`
 * for each. When the pod goes away the forward breaks and kubectl exits.
 */
import type { Pod, Service } from '../k8s/objects';
import { fail, ok, type CommandResult, type HeldJob, type TerminalContext } from './context';
import { runLiveWindow } from './live-window';
import { forwardReachesPod, podBehindService, type PortForward } from './machine-ports';
import { namespaceOf } from './kubectl-request';

/** One requested forward: local port (0: any free one) to the pod's port. */
interface PortPair {
  local: number;
  remote: number;
}

const usageError =
  "error: TYPE/NAME and list of ports are required for port-forward\nSee 'kubectl port-forward -h' for help and examples";

/**
 * `8080:80`, `80` (the same number on both sides; for a Service, its port is the local one) and
 * `:80` (any free local port), as portforward.go splitPort reads them.
 */
function parsePorts(specs: readonly string[]): PortPair[] | string {
  const pairs: PortPair[] = [];
  for (const spec of specs) {
    const match = /^(\d*)(:(\d+))?$/.exec(spec);
    const local = match?.[1] ?? '';
    const remote = match?.[3] ?? local;
    if (match === null || remote === '' || Number(remote) > 65535 || Number(local) > 65535)
      return `error: Error parsing remote port '${spec}': invalid port`;
    pairs.push({ local: local === '' ? 0 : Number(local), remote: Number(remote) });
  }
  return pairs;
}

/** A Service's port as the pod's container port (portforward.go translateServicePortToTargetPort). */
function containerPortOf(service: Service, pod: Pod, servicePort: number): number | string {
  const port = service.spec.ports.find((candidate) => candidate.port === servicePort);
  if (port === undefined)
    return `error: Service ${service.metadata.name} does not have a service port ${servicePort}`;
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  const named = pod.spec.containers
    .flatMap((container) => container.ports ?? [])
    .find((candidate) => candidate.name === target);
  return named?.containerPort ?? `error: Pod '${pod.metadata.name}' does not have a named port '${target}'`;
}

/** The pod a Service forwards to, or kubectl's error. */
function podOfService(
  context: TerminalContext,
  namespace: string,
  name: string,
): { pod: Pod; service: Service } | string {
  const behind = podBehindService(context.simulation.state, namespace, name);
  if (behind === 'no service') return `Error from server (NotFound): services "${name}" not found`;
  return behind === 'no pods' ? `error: no pods found for service ${name}` : behind;
}

/** A free local port for `:REMOTE`, from the reader's machine's ephemeral range, the same each run. */
function freeLocalPort(taken: (port: number) => boolean, remote: number): number {
  let port = 32_768 + ((remote * 7_919) % 28_000);
  while (taken(port)) port += 1;
  return port;
}

interface PortForwardTarget {
  pod: Pod;
  service?: Service;
}

/**
 * Runs `kubectl port-forward` once its target pod is known (kubectl.ts resolves TYPE/NAME with the
 * pod selection `exec` uses; a Service here).
 */
export function portForward(
  context: TerminalContext,
  positionals: readonly string[],
  flags: ReadonlyMap<string, string>,
  podOf: (reference: string) => Pod | CommandResult,
): CommandResult | Promise<CommandResult> {
  const [reference, ...specs] = positionals;
  const namespace = namespaceOf(flags);
  const ports = context.machinePorts;
  if (reference === undefined || specs.length === 0) return fail(usageError);
  const address = flags.get('--address') ?? 'localhost';
  if (!['localhost', '127.0.0.1', '::1'].includes(address))
    return fail(`error: --address ${address} is not simulated: the reader's machine listens on localhost`);
  if (ports === undefined)
    return fail("error: port forwarding needs the reader's machine, which this terminal lacks");
  const pairs = parsePorts(specs);
  if (typeof pairs === 'string') return fail(pairs);
  const [type = '', name = ''] = reference.includes('/') ? reference.split('/') : ['pod', reference];
  let target: PortForwardTarget;
  if (['svc', 'service', 'services'].includes(type.toLowerCase())) {
    const found = podOfService(context, namespace, name);
    if (typeof found === 'string') return fail(found);
    target = found;
  } else {
    const pod = podOf(reference);
    if (!('metadata' in pod)) return pod;
    target = { pod };
  }
  const { pod, service } = target;
  if (pod.status.phase !== 'Running')
    return fail(
      `error: unable to forward port because pod is not running. Current status=${pod.status.phase}`,
    );
  const forwards: { local: number; remote: number }[] = [];
  for (const pair of pairs) {
    const remote = service === undefined ? pair.remote : containerPortOf(service, pod, pair.remote);
    if (typeof remote === 'string') return fail(remote);
    const local =
      pair.local !== 0 ? pair.local : freeLocalPort((port) => ports.at(port) !== undefined, remote);
    forwards.push({ local, remote });
  }
  return openForwards(context, pod, forwards);
}

/** Listens on every local port, then runs until Ctrl-C, `kill`, its tab closing, or the pod going away. */
function openForwards(
  context: TerminalContext,
  pod: Pod,
  forwards: readonly { local: number; remote: number }[],
): CommandResult | Promise<CommandResult> {
  const ports = context.machinePorts;
  if (ports === undefined) return fail('error: no machine');
  let unread = '';
  const closers: (() => void)[] = [];
  const closeAll = (): void => {
    for (const close of closers.splice(0)) close();
  };
  let announcement = '';
  for (const { local, remote } of forwards) {
    const forward: PortForward = {
      localPort: local,
      namespace: pod.metadata.namespace ?? 'default',
      pod: pod.metadata.name,
      podUid: pod.metadata.uid,
      podPort: remote,
      onConnection: () => {
        unread += `Handling connection for ${local}\n`;
      },
    };
    const close = ports.listen(forward);
    if (typeof close !== 'function') {
      closeAll();
      return fail(
        `Unable to listen on port ${local}: Listeners failed to create with the following errors: [unable to create listener: Error listen tcp4 127.0.0.1:${local}: bind: address already in use unable to create listener: Error listen tcp6 [::1]:${local}: bind: address already in use]\nerror: unable to listen on any of the requested ports: [{${local} ${remote}}]`,
      );
    }
    closers.push(close);
    announcement += `Forwarding from 127.0.0.1:${local} -> ${remote}\nForwarding from [::1]:${local} -> ${remote}\n`;
  }
  unread = announcement;
  const first = forwards[0];
  const alive = (): boolean =>
    first === undefined ||
    forwardReachesPod(context.simulation.state, {
      localPort: first.local,
      namespace: pod.metadata.namespace ?? 'default',
      pod: pod.metadata.name,
      podUid: pod.metadata.uid,
      podPort: first.remote,
    });
  const job: HeldJob = {
    poll: () => {
      const stdout = unread;
      unread = '';
      if (alive()) return { stdout, stderr: '' };
      // The pod went away: the stream breaks and kubectl exits (portforward.go, since v1.31).
      closeAll();
      return { stdout, stderr: 'error: lost connection to pod\n', done: true, exitCode: 1 };
    },
    stop: () => {
      closeAll();
      const stdout = unread;
      unread = '';
      return { stdout, stderr: '' };
    },
    end: closeAll,
  };
  if (context.startJob?.(job) !== undefined) return ok('');
  if (context.holdForeground?.(job) === true) {
    unread = '';
    return ok(announcement);
  }
  return runLiveWindow(context, () => undefined).then(({ interrupted, windowMs }) => {
    const last = job.stop();
    return {
      stdout: announcement + last.stdout,
      stderr: interrupted
        ? ''
        : `(kubectl port-forward stopped after ${Math.round(windowMs / 1000)} simulated seconds: a real one runs until you press Ctrl-C; start it with & to use the port from this terminal)\n`,
      exitCode: interrupted ? 130 : 0,
    };
  });
}
