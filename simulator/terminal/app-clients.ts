/**
 * Application clients inside pods, speaking through the datapath with `pod.traffic` inputs:
 * grpcurl (gRPC over HTTP/2, answered by the server or by Envoy's gRPC local reply) and Kafka's
 * console producer and consumer (answered by the broker or by Cilium's Kafka proxy).
 *
 * Limits, stated honestly: grpcurl behaves as if it had the service's descriptors (-proto), so it
 * sends no server-reflection call of its own; the response message is shown as one `message`
 * field; the broker keeps no log, so a consumer only sees what the model's broker hands back; and a
 * consumer that has not reached --max-messages stops after its --timeout-ms (10 s when not given)
 * where the real one would wait for more until Ctrl-C.
 */
import type { Pod } from '../k8s/objects';
import { toTimestamp } from '../engine/virtual-time';
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

/** A log line as Kafka's tools print it: `[2022-07-29 10:00:29,000] WARN … (logger)`. */
function kafkaLog(timeMs: number, level: string, text: string): string {
  const stamp = toTimestamp(timeMs).replace('T', ' ').replace(/Z$/, '');
  return `[${stamp},${String(timeMs % 1000).padStart(3, '0')}] ${level} ${text}`;
}

interface KafkaClientOptions {
  broker: string;
  topic?: string;
  maxMessages?: number;
  timeoutMs?: number;
}

function parseKafkaArgs(
  args: string[],
  brokerFlag: string,
  defaultBroker?: string,
): KafkaClientOptions | string {
  const options: KafkaClientOptions = { broker: defaultBroker ?? '' };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    const value = args[index + 1];
    if (arg === '--from-beginning') continue;
    if (value === undefined) return `Missing argument for option: ${arg.replace(/^--/, '')}`;
    if (arg === brokerFlag || arg === '--bootstrap-server' || arg === '--broker-list') options.broker = value;
    else if (arg === '--topic') options.topic = value;
    else if (arg === '--max-messages') options.maxMessages = Number(value);
    else if (arg === '--timeout-ms') options.timeoutMs = Number(value);
    else if (
      arg === '--group' ||
      arg === '--property' ||
      arg === '--consumer-property' ||
      arg === '--producer-property'
    ) {
      // Accepted and without effect in the model.
    } else return `${arg} is not a recognized option`;
    index++;
  }
  if (options.broker === '') return `Missing required argument "[${brokerFlag.replace(/^--/, '')}]"`;
  if (options.topic === undefined) return 'Missing required argument "[topic]"';
  return options;
}

function kafkaCall(
  context: TerminalContext,
  pod: Pod,
  options: KafkaClientOptions,
  apiKey: string,
  messages?: string[],
) {
  const match = /^([^:]+):(\d+)$/.exec(options.broker);
  const host = match?.[1] ?? options.broker;
  const port = Number(match?.[2] ?? 9092);
  const result = context.input({
    type: 'pod.traffic',
    request: {
      kind: 'kafka',
      fromPodKey: podKeyOf(pod),
      host,
      port,
      apiKey,
      apiVersion: apiKey === 'produce' ? 2 : 4,
      clientID: apiKey === 'produce' ? 'console-producer' : 'consumer-1',
      topics: [options.topic ?? ''],
      ...(messages !== undefined ? { messages } : {}),
      timeoutMs: 10_000,
    },
  });
  if (!result.ok || result.traffic?.request !== 'kafka') return undefined;
  context.spend(result.traffic.elapsedMs);
  return result.traffic;
}

function unreachable(timeMs: number, broker: string): string {
  return `${kafkaLog(timeMs, 'WARN', `Connection to node -1 (${broker}) could not be established. Broker may not be available. (org.apache.kafka.clients.NetworkClient)`)}\n`;
}

/** `kafka-console-producer.sh --broker-list HOST:PORT --topic TOPIC`, one message per stdin line. */
export function kafkaProducer(
  context: TerminalContext,
  pod: Pod,
  args: string[],
  stdin: string,
  defaultBroker?: string,
): CommandResult {
  const options = parseKafkaArgs(args, '--broker-list', defaultBroker);
  if (typeof options === 'string') return fail(options);
  const messages = stdin.split('\n').filter((line) => line !== '');
  if (messages.length === 0) return { stdout: '>', stderr: '', exitCode: 0 };
  const outcome = kafkaCall(context, pod, options, 'produce', messages);
  const now = context.simulation.state.timeMs;
  const prompt = '>'.repeat(messages.length + 1);
  if (outcome === undefined || outcome.kind !== 'kafka') {
    context.spend(60_000);
    return { stdout: prompt, stderr: unreachable(now, options.broker), exitCode: 1 };
  }
  if (outcome.errorCode === 29) {
    const topic = options.topic ?? '';
    return {
      stdout: prompt,
      stderr:
        `${kafkaLog(now, 'WARN', `Error while fetching metadata with correlation id 1 : {${topic}=TOPIC_AUTHORIZATION_FAILED} (org.apache.kafka.clients.NetworkClient)`)}\n` +
        messages
          .map(
            (message) =>
              `${kafkaLog(now, 'ERROR', `Error when sending message to topic ${topic} with key: null, value: ${new TextEncoder().encode(message).length} bytes with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)`)}\norg.apache.kafka.common.errors.TopicAuthorizationException: Not authorized to access topics: [${topic}]\n`,
          )
          .join(''),
      exitCode: 0,
    };
  }
  return { stdout: prompt, stderr: '', exitCode: 0 };
}

/** `kafka-console-consumer.sh --bootstrap-server HOST:PORT --topic TOPIC [--from-beginning] [--max-messages N]`. */
export function kafkaConsumer(
  context: TerminalContext,
  pod: Pod,
  args: string[],
  defaultBroker?: string,
): CommandResult {
  const options = parseKafkaArgs(args, '--bootstrap-server', defaultBroker);
  if (typeof options === 'string') return fail(options);
  const outcome = kafkaCall(context, pod, options, 'fetch');
  const now = context.simulation.state.timeMs;
  if (outcome === undefined || outcome.kind !== 'kafka') {
    context.spend(60_000);
    return { stdout: '', stderr: unreachable(now, options.broker), exitCode: 1 };
  }
  const topic = options.topic ?? '';
  if (outcome.errorCode === 29)
    return {
      stdout: '',
      stderr:
        `${kafkaLog(now, 'WARN', `Error while fetching metadata with correlation id 2 : {${topic}=TOPIC_AUTHORIZATION_FAILED} (org.apache.kafka.clients.NetworkClient)`)}\n` +
        `${kafkaLog(now, 'ERROR', 'Unknown error when running consumer:  (kafka.tools.ConsoleConsumer$)')}\n` +
        `org.apache.kafka.common.errors.TopicAuthorizationException: Not authorized to access topics: [${topic}]\n`,
      exitCode: 1,
    };
  const wanted = options.maxMessages ?? Infinity;
  const messages = outcome.messages.slice(0, Number.isFinite(wanted) ? wanted : undefined);
  const waited = messages.length < wanted;
  if (waited) context.spend(options.timeoutMs ?? 10_000);
  const note =
    waited && options.timeoutMs === undefined
      ? '(the consumer stopped after 10 s without more messages: a real one waits until Ctrl-C; use --timeout-ms)\n'
      : '';
  return {
    stdout: messages.map((message) => `${message}\n`).join(''),
    stderr: `${note}Processed a total of ${messages.length} messages\n`,
    exitCode: 0,
  };
}
