/**
 * `ping`: busybox's inside a pod (the curl and sleep images are busybox-based) and iputils' on the
 * reader's own machine, which reaches the kind nodes over the Docker network. Both send one
 * `pod.traffic` icmp-echo input a second of simulated time (cilium/icmp-echo.ts), so every request
 * meets the policies, the nodes' real (possibly stale) ipcaches, the host firewall and conntrack,
 * and leaves Hubble flows. Only the options and the printing differ.
 */
import { hashString64 } from '../engine/state-hash';
import { dockerGatewayIP, readersMachine } from '../cilium/datapath-types';
import type { Pod } from '../k8s/objects';
import { fail, type CommandResult, type TerminalContext } from './context';

interface PingOptions {
  host: string;
  count: number;
  /** No -c: a real ping runs until Ctrl-C; the simulated one stops after four requests. */
  unbounded: boolean;
  quiet: boolean;
}

/** What came back for each request, in order: a reply, nothing, or the sender's own unreachable error. */
interface EchoRun {
  address: string;
  replies: ({ ttl: number; roundTripMs: number } | 'unreachable' | undefined)[];
}

/** Parses the options both pings share; a string is the error to print. */
function parseOptions(args: readonly string[], invalidOption: (arg: string) => string): PingOptions | string {
  let count = Infinity;
  let quiet = false;
  let host: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg === '-c' || arg === '-W' || arg === '-w' || arg === '-i' || arg === '-s') {
      const value = args[++index];
      if (value === undefined || !/^\d+(\.\d+)?$/.test(value)) return `ping: invalid number '${value ?? ''}'`;
      if (arg === '-c') count = Number(value);
    } else if (/^-c\d+$/.test(arg)) count = Number(arg.slice(2));
    else if (arg === '-q') quiet = true;
    else if (arg.startsWith('-')) return invalidOption(arg);
    else host = arg;
  }
  if (host === undefined) return '';
  const unbounded = !Number.isFinite(count) || count < 1;
  return { host, count: unbounded ? 4 : Math.min(Math.floor(count), 1000), unbounded, quiet };
}

/** Sends the echo requests a second apart; a failure (`unknown-host` or a message) ends it before any left. */
function sendEchoes(
  context: TerminalContext,
  from: { fromPodKey: string } | { fromNode: string },
  options: PingOptions,
): EchoRun | { failure: string } {
  // ping uses its process id as the echo identifier; any stable 16-bit number will do.
  const sender = 'fromPodKey' in from ? from.fromPodKey : from.fromNode;
  const identifier = parseInt(hashString64(`${sender}@${context.simulation.state.timeMs}`).slice(0, 4), 16);
  const replies: EchoRun['replies'] = [];
  let address: string | undefined;
  for (let sequence = 0; sequence < options.count; sequence++) {
    const result = context.input({
      type: 'pod.traffic',
      request: { kind: 'icmp-echo', ...from, host: address ?? options.host, identifier, sequence },
    });
    if (!result.ok || result.traffic?.request !== 'icmp-echo')
      return { failure: result.ok ? 'no answer' : result.error };
    const outcome = result.traffic;
    if (outcome.kind === 'error') return { failure: outcome.message };
    if (outcome.kind === 'resolve-failed') {
      context.spend(outcome.elapsedMs);
      return { failure: 'unknown-host' };
    }
    if (address === undefined) {
      context.spend(outcome.elapsedMs);
      address = outcome.address;
    }
    replies.push(
      outcome.kind === 'reply'
        ? { ttl: outcome.ttl, roundTripMs: outcome.roundTripMs }
        : outcome.hostUnreachable === true
          ? 'unreachable'
          : undefined,
    );
    // One request a second; the last one waits for its reply (up to 10 s when none comes).
    context.spend(sequence < options.count - 1 ? 1000 : outcome.kind === 'reply' ? 1 : 10_000);
  }
  return { address: address ?? options.host, replies };
}

function roundTrips(run: EchoRun): number[] {
  return run.replies.flatMap((reply) => (typeof reply === 'object' ? [reply.roundTripMs] : []));
}

function stoppedNote(options: PingOptions): string {
  return options.unbounded
    ? `(ping stopped after ${options.count} requests: a real ping runs until Ctrl-C; use -c N)\n`
    : '';
}

/** `ping [-c COUNT] [-W SEC] [-q] HOST` in a pod (busybox). */
export function ping(context: TerminalContext, pod: Pod, args: string[]): CommandResult {
  const usage = 'BusyBox v1.36.1 multi-call binary.\n\nUsage: ping [OPTIONS] HOST';
  const options = parseOptions(
    args,
    (arg) => `ping: unrecognized option '${arg.replace(/^-+/, '')}'\n${usage}`,
  );
  if (typeof options === 'string') return fail(options === '' ? usage : options);
  const podKey = `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
  const run = sendEchoes(context, { fromPodKey: podKey }, options);
  if ('failure' in run)
    return fail(
      run.failure === 'unknown-host' ? `ping: bad address '${options.host}'` : `ping: ${run.failure}`,
    );
  const lines = [`PING ${options.host} (${run.address}): 56 data bytes`];
  run.replies.forEach((reply, sequence) => {
    if (typeof reply === 'object' && !options.quiet)
      lines.push(
        `64 bytes from ${run.address}: seq=${sequence} ttl=${reply.ttl} time=${reply.roundTripMs.toFixed(3)} ms`,
      );
  });
  const times = roundTrips(run);
  const loss = Math.round(((options.count - times.length) / options.count) * 100);
  lines.push('', `--- ${options.host} ping statistics ---`);
  lines.push(`${options.count} packets transmitted, ${times.length} packets received, ${loss}% packet loss`);
  if (times.length > 0) {
    const min = Math.min(...times);
    const max = Math.max(...times);
    const avg = times.reduce((sum, time) => sum + time, 0) / times.length;
    lines.push(`round-trip min/avg/max = ${min.toFixed(3)}/${avg.toFixed(3)}/${max.toFixed(3)} ms`);
  }
  return {
    stdout: `${lines.join('\n')}\n`,
    stderr: stoppedNote(options),
    exitCode: times.length > 0 ? 0 : 1,
  };
}

/** `ping [-c COUNT] [-q] HOST` on the reader's machine (iputils), into the kind Docker network. */
export function pingFromMachine(context: TerminalContext, args: string[]): CommandResult {
  const options = parseOptions(
    args,
    (arg) => `ping: invalid option -- '${arg.replace(/^-+/, '').charAt(0)}'`,
  );
  if (typeof options === 'string')
    return fail(
      options === '' ? 'ping: usage error: Destination address required' : options,
      options === '' ? 1 : 2,
    );
  const run = sendEchoes(context, { fromNode: readersMachine }, options);
  if ('failure' in run)
    return run.failure === 'unknown-host'
      ? fail(`ping: ${options.host}: Name or service not known`, 2)
      : fail(`ping: ${run.failure}`, 2);
  const lines = [`PING ${options.host} (${run.address}) 56(84) bytes of data.`];
  run.replies.forEach((reply, index) => {
    if (options.quiet) return;
    if (reply === 'unreachable')
      lines.push(`From ${dockerGatewayIP} icmp_seq=${index + 1} Destination Host Unreachable`);
    else if (reply !== undefined)
      lines.push(
        `64 bytes from ${run.address}: icmp_seq=${index + 1} ttl=${reply.ttl} time=${reply.roundTripMs.toFixed(3)} ms`,
      );
  });
  const errors = run.replies.filter((reply) => reply === 'unreachable').length;
  const times = roundTrips(run);
  const loss = Math.round(((options.count - times.length) / options.count) * 100);
  // iputils reports the time from the first request to the last reply (or the last request).
  const lastReply = run.replies[options.count - 1];
  const elapsed =
    (options.count - 1) * 1000 + (typeof lastReply === 'object' ? Math.round(lastReply.roundTripMs) : 0);
  lines.push('', `--- ${options.host} ping statistics ---`);
  lines.push(
    `${options.count} packets transmitted, ${times.length} received, ${errors > 0 ? `+${errors} errors, ` : ''}${loss}% packet loss, time ${elapsed}ms`,
  );
  if (times.length > 0) {
    const min = Math.min(...times);
    const max = Math.max(...times);
    const avg = times.reduce((sum, time) => sum + time, 0) / times.length;
    const mdev = Math.sqrt(times.reduce((sum, time) => sum + (time - avg) ** 2, 0) / times.length);
    lines.push(
      `rtt min/avg/max/mdev = ${[min, avg, max, mdev].map((value) => value.toFixed(3)).join('/')} ms`,
    );
  }
  return {
    stdout: `${lines.join('\n')}\n`,
    stderr: stoppedNote(options),
    exitCode: times.length > 0 ? 0 : 1,
  };
}
