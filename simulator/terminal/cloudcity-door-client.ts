/**
 * `python3 /cloudcity/cc_door_client.py [METHOD [DOOR [CODE]]]` in Cilium's gRPC walkthrough
 * (image cilium/cc-grpc-demo): one call to `cloudcity.DoorManager` at `cc-door-server:50051`
 * through the datapath and Envoy (`pod.traffic` grpc), printed as the script prints each reply.
 * Its arguments default to `GetName 1 99`; the door id and code go through Python's `int()`.
 *
 * A call that fails raises grpcio's `_InactiveRpcError` out of the script, and Python prints the
 * traceback: the script's lines (the call sites in cc_door_client.py of the image), grpcio's two
 * frames, and the status with its details, as the Cilium docs show for Envoy's PERMISSION_DENIED.
 */
import { getObject } from '../k8s/api-store';
import { virtualEpochMs } from '../engine/virtual-time';
import type { Pod } from '../k8s/objects';
import { doorManagerService } from '../k8s/demo-apps/door-manager';
import { fail, type CommandResult, type TerminalContext } from './context';
import { pythonFloatRepr, pythonStringRepr } from './python-values';

/** The script's path in the image, and its target (hard-coded in the script). */
const doorClientPath = '/cloudcity/cc_door_client.py';
const serverHost = 'cc-door-server';
const serverPort = 50051;

/** Interpreter start and the grpc import, before the first call. */
const startupMs = 350;

/** Where each method is called in the script, for the traceback: line and source text. */
const callSites: Readonly<Record<string, { line: number; text: string }>> = {
  GetName: { line: 33, text: 'response = stub.GetName(cloudcity_pb2.DoorRequest(door_id=int(arg2)))' },
  GetLocation: {
    line: 36,
    text: 'response = stub.GetLocation(cloudcity_pb2.DoorRequest(door_id=int(arg2)))',
  },
  GetStatus: { line: 39, text: 'response = stub.GetStatus(cloudcity_pb2.DoorRequest(door_id=int(arg2)))' },
  RequestMaintenance: {
    line: 45,
    text: 'response = stub.RequestMaintenance(cloudcity_pb2.DoorMaintRequest(',
  },
  SetAccessCode: { line: 52, text: 'response = stub.SetAccessCode(cloudcity_pb2.DoorAccessCodeRequest(' },
};

/** grpcio's status names (grpc.StatusCode). */
const statusNames: Readonly<Record<number, string>> = {
  1: 'CANCELLED',
  2: 'UNKNOWN',
  4: 'DEADLINE_EXCEEDED',
  7: 'PERMISSION_DENIED',
  12: 'UNIMPLEMENTED',
  14: 'UNAVAILABLE',
};

function tracebackHead(method: string): string {
  const site = callSites[method] ?? { line: 33, text: '' };
  return (
    'Traceback (most recent call last):\n' +
    `  File "${doorClientPath}", line 71, in <module>\n    run()\n` +
    `  File "${doorClientPath}", line ${site.line}, in run\n    ${site.text}\n`
  );
}

/** The error grpcio raises for a failed call, with its debug string. */
function rpcError(
  method: string,
  status: number,
  details: string,
  grpcMessage: string,
  peer: string,
  nowMs: number,
): string {
  const absoluteMs = virtualEpochMs + nowMs;
  const seconds = `${Math.floor(absoluteMs / 1000)}.${String(absoluteMs % 1000).padStart(3, '0')}000000`;
  const debug = JSON.stringify({
    created: `@${seconds}`,
    description: 'Error received from peer ' + peer,
    file: 'src/core/lib/surface/call.cc',
    file_line: 1055,
    grpc_message: grpcMessage,
    grpc_status: status,
  });
  return (
    tracebackHead(method) +
    '  File "/usr/local/lib/python3.8/dist-packages/grpc/_channel.py", line 826, in __call__\n' +
    '    return _end_unary_response_blocking(state, call, False, None)\n' +
    '  File "/usr/local/lib/python3.8/dist-packages/grpc/_channel.py", line 729, in _end_unary_response_blocking\n' +
    '    raise _InactiveRpcError(state)\n' +
    'grpc._channel._InactiveRpcError: <_InactiveRpcError of RPC that terminated with:\n' +
    `\tstatus = StatusCode.${statusNames[status] ?? 'UNKNOWN'}\n` +
    `\tdetails = "${details.trimEnd()}"\n` +
    `\tdebug_error_string = "${debug}"\n>\n`
  );
}

/** What the script prints for a successful reply. */
function printReply(method: string, reply: Record<string, unknown>, code: string): string {
  switch (method) {
    case 'GetName':
      return `Door name is: ${typeof reply.name === 'string' ? reply.name : ''}\n`;
    case 'GetLocation':
      return `Door location is lat = ${pythonFloatRepr(Number(reply.lat ?? 0))} long = ${pythonFloatRepr(Number(reply.long ?? 0))}\n`;
    case 'GetStatus':
      return reply.state === 'OPEN' ? 'Door is open\n' : 'Door is closed\n';
    case 'RequestMaintenance':
      return reply.success === true
        ? 'Successfully submitted maintenance request\n'
        : 'Failed to submit maintenance request\n';
    default:
      return reply.success === true
        ? `Successfully set AccessCode to ${code}\n`
        : 'Failed to set AccessCode\n';
  }
}

/** Python's `int()` of a command-line argument, or the ValueError it raises. */
function pythonInt(text: string): number | string {
  const trimmed = text.trim();
  if (/^[+-]?\d+$/.test(trimmed)) return Number(trimmed);
  return `ValueError: invalid literal for int() with base 10: ${pythonStringRepr(text)}\n`;
}

/** Runs the door client in a pod. */
export function cloudCityDoorClient(
  context: TerminalContext,
  pod: Pod,
  args: readonly string[],
): CommandResult {
  const [method = 'GetName', door = '1', code = '99'] = args;
  context.spend(startupMs);
  if (callSites[method] === undefined) return { stdout: `Invalid call ${method}\n`, stderr: '', exitCode: 0 };
  const doorId = pythonInt(door);
  const accessCode = method === 'SetAccessCode' ? pythonInt(code) : 0;
  const invalid =
    typeof doorId === 'string' ? doorId : typeof accessCode === 'string' ? accessCode : undefined;
  if (invalid !== undefined) return { stdout: '', stderr: tracebackHead(method) + invalid, exitCode: 1 };
  const namespace = pod.metadata.namespace ?? 'default';
  const result = context.input({
    type: 'pod.traffic',
    request: {
      kind: 'grpc',
      fromPodKey: `${namespace}/${pod.metadata.name}`,
      host: serverHost,
      port: serverPort,
      service: doorManagerService,
      method,
      argument: String(doorId),
      // The script sets no deadline: grpcio gives up only when the connection attempt fails.
      timeoutMs: 20_000,
    },
  });
  if (!result.ok || result.traffic?.request !== 'grpc') return fail(result.ok ? 'no answer' : result.error);
  const outcome = result.traffic;
  context.spend(outcome.elapsedMs);
  const cluster = context.simulation.state.cluster;
  const service =
    cluster === undefined ? undefined : getObject(cluster.api, 'Service', `${namespace}/${serverHost}`);
  const peer = `ipv4:${service?.spec.clusterIP ?? serverHost}:${serverPort}`;
  if (outcome.status !== 0) {
    // A call that never reached a server fails in the connection attempt, not at a peer.
    const unavailable = outcome.serverPod === undefined && !outcome.deniedByProxy;
    const status = unavailable ? 14 : outcome.status;
    const details = unavailable ? 'failed to connect to all addresses' : outcome.message;
    // Envoy's refusal carries its local reply's body, `Access denied` and a line end, as grpc-message.
    const grpcMessage = outcome.deniedByProxy ? `${details.trimEnd()}\r\n` : details;
    const text = rpcError(method, status, details, grpcMessage, peer, context.simulation.state.timeMs);
    return { stdout: '', stderr: text, exitCode: 1 };
  }
  const reply = JSON.parse(outcome.body === '' ? '{}' : outcome.body) as Record<string, unknown>;
  return { stdout: printReply(method, reply, code), stderr: '', exitCode: 0 };
}
