/**
 * `nc` inside a pod, as busybox's netcat (networking/nc_bloaty.c, the curl and sleep images are
 * Alpine with musl) behaves when it connects out:
 *
 * - TCP: the connection goes through the datapath (`pod.traffic` tcp-connect). `-v` prints
 *   `HOST (IP:PORT) open` on success and the error otherwise, except a refusal, which needs `-vv`;
 *   `-z` stops there. Without `-z` nc then sends its standard input (none under `kubectl exec`
 *   without `-i`) and waits for the server to close; the simulator carries no payload over TCP.
 * - UDP (`-u`): connecting sends nothing. With `-z` nc probes: one byte, a TCP connection to port
 *   31337 (or `-w` seconds) to let an ICMP port unreachable come back, and a second byte, which
 *   fails with ECONNREFUSED when that ICMP arrived. Without `-z` it sends its input as a datagram
 *   and waits `-w` seconds, twice, for an answer.
 *
 * Every datagram and SYN meets the policies, so `toPorts` rules on UDP ports can be tested and show
 * up in Hubble. Listening (`-l`) and `-e` are not simulated.
 */
import { hashString64 } from '../engine/state-hash';
import type { Pod } from '../k8s/objects';
import { fail, type CommandResult, type TerminalContext } from './context';

/** busybox's usage text for nc with NC_110_COMPAT, as printed on bad arguments. */
const usage =
  'BusyBox v1.36.1 multi-call binary.\n\nUsage: nc [OPTIONS] HOST PORT  - connect\nnc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen';

/** How long Linux retries an unanswered SYN before connect() fails (tcp_syn_retries 6). */
const kernelConnectTimeoutMs = 127_000;
/** The port udptest() connects to for its "tcp ping" (SLEAZE_PORT), with a 5 s limit. */
const sleazePort = 31337;
const sleazeWaitMs = 5000;

/** Port names bb_lookup_port resolves from /etc/services, for the ones readers type. */
const servicePorts: Readonly<Record<string, number>> = {
  domain: 53,
  http: 80,
  https: 443,
  ssh: 22,
  kafka: 9092,
};

interface NcOptions {
  udp: boolean;
  zero: boolean;
  verbose: number;
  waitSeconds?: number;
  host: string;
  port: number;
}

function parse(args: readonly string[]): NcOptions | CommandResult {
  let udp = false;
  let zero = false;
  let verbose = 0;
  let waitSeconds: number | undefined;
  const positionals: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    for (let at = 1; at < arg.length; at++) {
      const flag = arg[at] ?? '';
      if (flag === 'u') udp = true;
      else if (flag === 'z') zero = true;
      else if (flag === 'v') verbose += 1;
      else if (flag === 'n') continue;
      else if (flag === 'w' || flag === 'p' || flag === 'i') {
        const value = arg.slice(at + 1) || args[++index];
        if (value === undefined) return fail(`nc: option requires an argument -- '${flag}'\n${usage}`);
        if (flag === 'w') {
          if (!/^\d+$/.test(value)) return fail(`nc: invalid number '${value}'`);
          waitSeconds = Number(value);
        }
        break;
      } else if (flag === 'l' || flag === 'e' || flag === 'k' || flag === 's' || flag === 'o')
        return fail(
          `nc: -${flag} is not simulated: this nc connects out (HOST PORT), it does not listen or run programs`,
        );
      else return fail(`nc: unrecognized option: ${flag}\n${usage}`);
    }
  }
  const [host, portText, extra] = positionals;
  if (host === undefined || portText === undefined || extra !== undefined) return fail(usage);
  const port = /^\d+$/.test(portText) ? Number(portText) : servicePorts[portText];
  if (port === undefined || port < 1 || port > 65535) return fail(`nc: bad port '${portText}'`);
  return { udp, zero, verbose, host, port, ...(waitSeconds !== undefined ? { waitSeconds } : {}) };
}

/** `nc [-uvz] [-w SEC] HOST PORT` in a pod. */
export function netcat(context: TerminalContext, pod: Pod, args: string[], stdin: string): CommandResult {
  const options = parse(args);
  if (!('host' in options)) return options;
  const podKey = `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
  return options.udp ? udp(context, podKey, options, stdin) : tcp(context, podKey, options, stdin);
}

/** `HOST (IP:PORT)` as nc names the peer in its messages. */
function peer(options: NcOptions, address: string): string {
  return `${options.host} (${address}:${options.port})`;
}

function finish(options: NcOptions, stderr: string, exitCode: number): CommandResult {
  // At -vv nc reports the bytes it moved; the simulated one moves none.
  return { stdout: '', stderr: stderr + (options.verbose > 1 ? 'sent 0, rcvd 0\n' : ''), exitCode };
}

function tcp(context: TerminalContext, podKey: string, options: NcOptions, stdin: string): CommandResult {
  if (!options.zero && stdin !== '')
    return fail(
      'nc: the simulated nc carries no data over TCP: use nc -z to test the port, or curl for HTTP',
    );
  const timeoutMs = options.waitSeconds !== undefined ? options.waitSeconds * 1000 : kernelConnectTimeoutMs;
  const result = context.input({
    type: 'pod.traffic',
    request: { kind: 'tcp-connect', fromPodKey: podKey, host: options.host, port: options.port, timeoutMs },
  });
  if (!result.ok || result.traffic?.request !== 'tcp-connect')
    return fail(result.ok ? 'nc: no answer' : result.error);
  const outcome = result.traffic;
  if (outcome.kind === 'error') return fail(`nc: ${outcome.message}`);
  context.spend(outcome.kind === 'timeout' ? timeoutMs : outcome.elapsedMs);
  if (outcome.kind === 'resolve-failed') return fail(`nc: bad address '${options.host}'`);
  if (outcome.kind === 'connected') {
    const open = options.verbose > 0 ? `${peer(options, outcome.address)} open\n` : '';
    return finish(options, open, 0);
  }
  const address = outcome.address;
  // A refusal is what a port scan expects: nc reports it only at -vv.
  if (outcome.kind === 'refused')
    return finish(
      options,
      options.verbose > 1 ? `nc: ${peer(options, address)}: Connection refused\n` : '',
      1,
    );
  return finish(
    options,
    options.verbose > 0 ? `nc: ${peer(options, address)}: Operation timed out\n` : '',
    1,
  );
}

function udp(context: TerminalContext, podKey: string, options: NcOptions, stdin: string): CommandResult {
  // One socket, one source port for every datagram it sends.
  const sourcePort =
    32768 + (parseInt(hashString64(`${podKey}@${context.simulation.state.timeMs}`).slice(0, 4), 16) % 28232);
  const send = (resolveOnly = false) => {
    const result = context.input({
      type: 'pod.traffic',
      request: {
        kind: 'udp-datagram',
        fromPodKey: podKey,
        host: options.host,
        port: options.port,
        sourcePort,
        ...(resolveOnly ? { resolveOnly: true } : {}),
      },
    });
    if (!result.ok || result.traffic?.request !== 'udp-datagram') return undefined;
    return result.traffic;
  };
  if (options.zero) {
    const first = send();
    if (first === undefined || first.kind === 'error') return fail(`nc: ${first?.message ?? 'no answer'}`);
    if (first.kind === 'resolve-failed') return fail(`nc: bad address '${options.host}'`);
    if (first.kind === 'resolved') return fail('nc: no datagram left');
    context.spend(first.elapsedMs);
    if (options.waitSeconds !== undefined) context.spend(options.waitSeconds * 1000);
    else {
      // The "tcp ping": a connection to a port nobody uses takes one round trip (or 5 s if dropped).
      const probe = context.input({
        type: 'pod.traffic',
        request: {
          kind: 'tcp-connect',
          fromPodKey: podKey,
          host: first.address,
          port: sleazePort,
          timeoutMs: sleazeWaitMs,
        },
      });
      const probeOutcome = probe.ok && probe.traffic?.request === 'tcp-connect' ? probe.traffic : undefined;
      context.spend(probeOutcome?.kind === 'timeout' ? sleazeWaitMs : 1);
    }
    // The ICMP port unreachable the first byte earned makes the second write fail.
    const closed = first.kind === 'delivered' && !first.listening;
    if (!closed) send();
    if (closed)
      return finish(
        options,
        options.verbose > 1 ? `nc: ${peer(options, first.address)}: Connection refused\n` : '',
        1,
      );
    return finish(options, options.verbose > 0 ? `${peer(options, first.address)} open\n` : '', 0);
  }
  // connect() resolves the name and sends nothing; the input, if any, leaves as one datagram.
  const sent = send(stdin === '');
  if (sent === undefined || sent.kind === 'error') return fail(`nc: ${sent?.message ?? 'no answer'}`);
  if (sent.kind === 'resolve-failed') return fail(`nc: bad address '${options.host}'`);
  context.spend(sent.elapsedMs);
  const stderr = options.verbose > 0 ? `${peer(options, sent.address)} open\n` : '';
  // Nothing in the model answers a datagram with data; nc waits for the network twice over -w.
  if (options.waitSeconds === undefined) {
    context.spend(60_000);
    return {
      stdout: '',
      stderr: `${stderr}(nc -u stopped after 60 simulated seconds: without -w a real nc waits for an answer until Ctrl-C)\n`,
      exitCode: 0,
    };
  }
  context.spend(options.waitSeconds * 2000);
  return finish(options, stderr, 0);
}
