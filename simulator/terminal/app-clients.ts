/**
 * grpcurl inside pods (netshoot ships it), speaking gRPC over HTTP/2 through the datapath with
 * `pod.traffic` inputs, answered by the server or by Envoy's gRPC local reply. Kafka's console
 * clients are in kafka-console.ts.
 *
 * Limit, stated honestly: grpcurl behaves as if it had the service's descriptors (-proto), so it
 * sends no server-reflection call of its own.
 */
import type { Pod } from '../k8s/objects';
import { fail, type CommandResult, type TerminalContext } from './context';

const podKeyOf = (pod: Pod): string => `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;

/** gRPC status codes as grpc-go's `codes.Code.String()` prints them. */
const grpcCodeNames: Readonly<Record<number, string>> = {
  0: 'OK',
  1: 'Canceled',
  2: 'Unknown',
  4: 'DeadlineExceeded',
  7: 'PermissionDenied',
  12: 'Unimplemented',
  14: 'Unavailable',
};

/** grpcurl's exit code for a non-OK status: 64 plus the status code. */
const statusCodeOffset = 64;

/** The demo's single argument from a JSON request body (`{"door_id": 1, "access_code": 4567}`). */
function argumentOf(method: string, body: string | undefined): string | undefined {
  if (body === undefined || body.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const record = parsed as Record<string, unknown>;
  const wanted = method === 'SetAccessCode' ? (record.access_code ?? record.accessCode) : undefined;
  const value = wanted ?? Object.values(record)[0];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** `grpcurl [-plaintext] [-d JSON] [-max-time S] HOST:PORT package.Service/Method`. */
export function grpcurl(context: TerminalContext, pod: Pod, args: string[]): CommandResult {
  let plaintext = false;
  let data: string | undefined;
  let maxTimeMs = 10_000;
  const positionals: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    const flag = arg.replace(/^--?/, '-');
    if (flag === '-plaintext') plaintext = true;
    else if (flag === '-d') data = args[++index] ?? '';
    else if (flag.startsWith('-d=')) data = arg.slice(arg.indexOf('=') + 1);
    else if (flag === '-max-time' || flag === '-connect-timeout') {
      const seconds = Number(args[++index]);
      if (!Number.isFinite(seconds) || seconds <= 0)
        return fail(`invalid value "${args[index] ?? ''}" for flag ${flag}: parse error`, 2);
      maxTimeMs = Math.round(seconds * 1000);
    } else if (flag === '-proto' || flag === '-import-path' || flag === '-protoset' || flag === '-H') index++;
    else if (arg.startsWith('-'))
      return fail(`flag provided but not defined: ${arg}\nTry 'grpcurl -help' for more details.`, 2);
    else positionals.push(arg);
  }
  const [address, symbol] = positionals;
  if (address === undefined || symbol === undefined)
    return fail(`Too few arguments.\nTry 'grpcurl -help' for more details.`, 2);
  const target = /^([^:]+):(\d+)$/.exec(address);
  if (target === null) return fail(`Failed to dial target host "${address}": missing port in address`);
  const method = /^([A-Za-z0-9_.]+)[/.]([A-Za-z0-9_]+)$/.exec(symbol);
  if (method === null) return fail(`Invalid method name "${symbol}"`, 2);
  const [, host = '', portText = ''] = target;
  const [, service = '', name = ''] = method;
  if (!plaintext)
    // The demo servers speak plaintext HTTP/2, so grpcurl's TLS ClientHello gets no TLS answer.
    return fail(
      `Failed to dial target host "${address}": tls: first record does not look like a TLS handshake`,
    );
  const argument = argumentOf(name, data);
  const result = context.input({
    type: 'pod.traffic',
    request: {
      kind: 'grpc',
      fromPodKey: podKeyOf(pod),
      host,
      port: Number(portText),
      service,
      method: name,
      ...(argument !== undefined ? { argument } : {}),
      timeoutMs: maxTimeMs,
    },
  });
  if (!result.ok || result.traffic?.request !== 'grpc') return fail(result.ok ? 'no answer' : result.error);
  const outcome = result.traffic;
  context.spend(outcome.elapsedMs);
  const dialFailed = outcome.serverPod === undefined && !outcome.deniedByProxy;
  if (dialFailed && (outcome.status === 4 || outcome.status === 14)) {
    const reason =
      outcome.status === 4
        ? 'context deadline exceeded'
        : outcome.message === 'DNS resolution failed'
          ? `dial tcp: lookup ${host}: no such host`
          : `dial tcp ${address}: connect: connection refused`;
    return fail(`Failed to dial target host "${address}": ${reason}`);
  }
  if (outcome.status !== 0)
    return {
      stdout: '',
      stderr: `ERROR:\n  Code: ${grpcCodeNames[outcome.status] ?? 'Unknown'}\n  Message: ${outcome.message}\n`,
      exitCode: statusCodeOffset + outcome.status,
    };
  return { stdout: `${protobufJson(outcome.body)}\n`, stderr: '', exitCode: 0 };
}

/** The shortest decimal that reads back as the same 32-bit float, as protojson writes a `float`. */
function float32Text(value: number): string {
  for (let digits = 1; digits <= 9; digits++) {
    const text = value.toPrecision(digits);
    if (Math.fround(Number(text)) === value) return String(Number(text));
  }
  return String(value);
}

/**
 * A reply message as grpcurl prints it: protobuf JSON indented by two spaces; fractional numbers
 * that are exact 32-bit floats are written as protojson writes a `float` field.
 */
function protobufJson(body: string): string {
  const message: unknown = body.trim() === '' ? {} : JSON.parse(body);
  const floats: string[] = [];
  const text = JSON.stringify(
    message,
    (_key, value: unknown) => {
      if (typeof value !== 'number' || Number.isInteger(value) || Math.fround(value) !== value) return value;
      floats.push(float32Text(value));
      return `\u0000float${floats.length - 1}`;
    },
    2,
  );
  return text.replace(/"\\u0000float(\d+)"/g, (_match, index: string) => floats[Number(index)] ?? '0');
}
