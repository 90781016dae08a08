/**
 * Kafka's console clients (`kafka-console-producer.sh`, `kafka-console-consumer.sh`, Kafka 1.x as
 * the Cilium docs' images ship them), speaking to a broker through the datapath and Cilium's Kafka
 * proxy (`pod.traffic` kafka). Each protocol request is one input, in the order the clients send
 * them: the producer asks for the topic's metadata, then produces each line of its input; the
 * consumer asks for metadata, then for the offset to start from (the log's end, or its beginning
 * with `--from-beginning`), then fetches.
 *
 * What the tools print follows Kafka's logging (log4j lines on stderr with the virtual clock's
 * time): a refused metadata request is `WARN Error while fetching metadata … TOPIC_AUTHORIZATION_FAILED`,
 * a refused produce `ERROR Error when sending message …` with the TopicAuthorizationException.
 *
 * A consumer runs until it has `--max-messages`, until `--timeout-ms` passes without a message, or
 * until Ctrl-C. In a terminal that holds commands (the lab's tabs) it keeps fetching whenever the
 * page asks it for news; started with `&` it does the same as a background job; otherwise it waits
 * out its timeout (10 s when none is given, with a note that a real one would wait on).
 */
import type { Pod } from '../k8s/objects';
import type { KafkaOutcome } from '../cilium/kafka';
import { toTimestamp } from '../engine/virtual-time';
import { fail, type CommandResult, type TerminalContext } from './context';

/** A log line as Kafka's tools print it: `[2022-07-29 10:00:29,000] WARN … (logger)`. */
function kafkaLog(timeMs: number, level: string, text: string): string {
  const stamp = toTimestamp(timeMs).replace('T', ' ').replace(/Z$/, '');
  return `[${stamp},${String(timeMs % 1000).padStart(3, '0')}] ${level} ${text}\n`;
}

interface ClientOptions {
  broker: string;
  topic: string;
  fromBeginning: boolean;
  maxMessages?: number;
  timeoutMs?: number;
}

/** The tools' options (joptsimple): each takes a value except `--from-beginning`. */
function parseOptions(args: readonly string[], brokerFlags: readonly string[]): ClientOptions | string {
  let broker = '';
  let topic: string | undefined;
  let fromBeginning = false;
  let maxMessages: number | undefined;
  let timeoutMs: number | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg === '--from-beginning') {
      fromBeginning = true;
      continue;
    }
    const value = args[++index];
    if (value === undefined) return `Option ${arg} requires an argument`;
    if (brokerFlags.includes(arg)) broker = value;
    else if (arg === '--topic') topic = value;
    else if (arg === '--max-messages') maxMessages = Number(value);
    else if (arg === '--timeout-ms') timeoutMs = Number(value);
    else if (
      !['--group', '--property', '--consumer-property', '--producer-property', '--client-id'].includes(arg)
    )
      return `${arg} is not a recognized option`;
  }
  if (broker === '') return `Missing required argument "[${(brokerFlags[0] ?? '').replace(/^--/, '')}]"`;
  if (topic === undefined) return 'Missing required argument "[topic]"';
  return {
    broker,
    topic,
    fromBeginning,
    ...(maxMessages !== undefined ? { maxMessages } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  };
}

/** One client's connection to the broker: its requests in order, with Kafka's correlation ids. */
class KafkaClient {
  private correlationId = 0;
  /**
   * Whether a request's time passes on the terminal's clock: yes while the command runs in the
   * foreground, no once it goes on beside the reader's other commands (held or in the background).
   */
  spendsTime = true;
  constructor(
    private readonly context: TerminalContext,
    private readonly pod: Pod,
    private readonly options: ClientOptions,
    private readonly clientID: string,
  ) {}

  /** Sends one request; undefined when the broker could not be reached at all. */
  request(
    apiKey: string,
    extra: { messages?: string[]; offset?: number } = {},
  ): { outcome: Extract<KafkaOutcome, { kind: 'kafka' }>; correlationId: number } | undefined {
    this.correlationId += 1;
    const match = /^([^:]+):(\d+)$/.exec(this.options.broker);
    const result = this.context.input({
      type: 'pod.traffic',
      request: {
        kind: 'kafka',
        fromPodKey: `${this.pod.metadata.namespace ?? 'default'}/${this.pod.metadata.name}`,
        host: match?.[1] ?? this.options.broker,
        port: Number(match?.[2] ?? 9092),
        apiKey,
        apiVersion: apiKey === 'produce' ? 5 : apiKey === 'fetch' ? 7 : 5,
        clientID: this.clientID,
        topics: [this.options.topic],
        ...extra,
        timeoutMs: 10_000,
      },
    });
    if (!result.ok || result.traffic?.request !== 'kafka') return undefined;
    if (this.spendsTime) this.context.spend(result.traffic.elapsedMs);
    if (result.traffic.kind !== 'kafka') return undefined;
    return { outcome: result.traffic, correlationId: this.correlationId };
  }

  /** Metadata until the topic has a leader; the warnings Kafka logs on the way, or undefined. */
  metadata(): { warnings: string; authorized: boolean } | undefined {
    let warnings = '';
    for (let attempt = 0; attempt < 3; attempt++) {
      const answer = this.request('metadata');
      if (answer === undefined) return undefined;
      const { errorCode, errorName } = answer.outcome;
      if (errorCode === 0) return { warnings, authorized: true };
      warnings += kafkaLog(
        this.context.simulation.state.timeMs,
        'WARN',
        `Error while fetching metadata with correlation id ${answer.correlationId} : {${this.options.topic}=${errorName}} (org.apache.kafka.clients.NetworkClient)`,
      );
      if (errorCode === 29) return { warnings, authorized: false };
      // The client asks again after retry.backoff.ms.
      this.context.spend(100);
    }
    return { warnings, authorized: true };
  }
}

function unreachable(context: TerminalContext, broker: string): string {
  return kafkaLog(
    context.simulation.state.timeMs,
    'WARN',
    `Connection to node -1 (${broker}) could not be established. Broker may not be available. (org.apache.kafka.clients.NetworkClient)`,
  );
}

/** The producer's error for each message it could not send. */
function sendErrors(context: TerminalContext, topic: string, messages: readonly string[]): string {
  return messages
    .map(
      (message) =>
        kafkaLog(
          context.simulation.state.timeMs,
          'ERROR',
          `Error when sending message to topic ${topic} with key: null, value: ${new TextEncoder().encode(message).length} bytes with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)`,
        ) +
        `org.apache.kafka.common.errors.TopicAuthorizationException: Not authorized to access topics: [${topic}]\n`,
    )
    .join('');
}

/** `kafka-console-producer.sh --broker-list HOST:PORT --topic TOPIC`: one message per line of input. */
export function kafkaProducer(
  context: TerminalContext,
  pod: Pod,
  args: readonly string[],
  stdin: string,
): CommandResult {
  const options = parseOptions(args, ['--broker-list', '--bootstrap-server']);
  if (typeof options === 'string') return fail(options);
  const messages = stdin.split('\n').filter((line) => line !== '');
  // The producer prompts with `>` before each line it reads, and once more before the end of input.
  const prompts = '>'.repeat(messages.length + 1);
  if (messages.length === 0) return { stdout: prompts, stderr: '', exitCode: 0 };
  const client = new KafkaClient(context, pod, options, 'console-producer');
  const metadata = client.metadata();
  if (metadata === undefined) {
    context.spend(60_000);
    return { stdout: prompts, stderr: unreachable(context, options.broker), exitCode: 1 };
  }
  if (!metadata.authorized)
    return {
      stdout: prompts,
      stderr: metadata.warnings + sendErrors(context, options.topic, messages),
      exitCode: 0,
    };
  const produced = client.request('produce', { messages });
  const refused = produced === undefined || produced.outcome.errorCode !== 0;
  return {
    stdout: prompts,
    stderr: metadata.warnings + (refused ? sendErrors(context, options.topic, messages) : ''),
    exitCode: 0,
  };
}

/** A running consumer: where it reads the topic, what it printed, and how many it has consumed. */
class ConsoleConsumer {
  offset = 0;
  consumed = 0;
  /** Set when a fetch was refused: the consumer logs the error and ends. */
  failure: string | undefined;
  constructor(
    readonly client: KafkaClient,
    private readonly options: ClientOptions,
    private readonly context: TerminalContext,
  ) {}

  /** Fetches what the topic gained since the last fetch, up to --max-messages. */
  fetch(): string {
    if (this.failure !== undefined) return '';
    const answer = this.client.request('fetch', { offset: this.offset });
    if (answer?.outcome.errorCode === 29) {
      // A Kafka rule added while the consumer runs refuses its next fetch, which ends it.
      this.failure =
        kafkaLog(
          this.context.simulation.state.timeMs,
          'ERROR',
          'Error processing message, terminating consumer process:  (kafka.tools.ConsoleConsumer$)',
        ) +
        `org.apache.kafka.common.errors.TopicAuthorizationException: Not authorized to access topics: [${this.options.topic}]\n`;
      return '';
    }
    if (answer === undefined || answer.outcome.errorCode !== 0) return '';
    const wanted = (this.options.maxMessages ?? Infinity) - this.consumed;
    const messages = answer.outcome.messages.slice(0, Math.max(0, wanted));
    this.offset += messages.length;
    this.consumed += messages.length;
    return messages.map((message) => `${message}\n`).join('');
  }

  get done(): boolean {
    return this.options.maxMessages !== undefined && this.consumed >= this.options.maxMessages;
  }

  summary(): string {
    return `Processed a total of ${this.consumed} messages\n`;
  }
}

/** The consumer's start: metadata and the offset to read from, or how it failed. */
function startConsumer(
  context: TerminalContext,
  client: KafkaClient,
  options: ClientOptions,
): { consumer: ConsoleConsumer; warnings: string } | CommandResult {
  const metadata = client.metadata();
  if (metadata === undefined) {
    context.spend(60_000);
    return { stdout: '', stderr: unreachable(context, options.broker), exitCode: 1 };
  }
  const now = context.simulation.state.timeMs;
  if (!metadata.authorized)
    return {
      stdout: '',
      stderr:
        metadata.warnings +
        kafkaLog(now, 'ERROR', 'Unknown error when running consumer:  (kafka.tools.ConsoleConsumer$)') +
        `org.apache.kafka.common.errors.TopicAuthorizationException: Not authorized to access topics: [${options.topic}]\n`,
      exitCode: 1,
    };
  const consumer = new ConsoleConsumer(client, options, context);
  // Without --from-beginning a new consumer group starts at the end of the log (auto.offset.reset=latest).
  if (!options.fromBeginning) consumer.offset = client.request('offsets')?.outcome.highWatermark ?? 0;
  return { consumer, warnings: metadata.warnings };
}

/** `kafka-console-consumer.sh --bootstrap-server HOST:PORT --topic TOPIC [--from-beginning] [--max-messages N] [--timeout-ms MS]`. */
export function kafkaConsumer(context: TerminalContext, pod: Pod, args: readonly string[]): CommandResult {
  const options = parseOptions(args, ['--bootstrap-server', '--broker-list']);
  if (typeof options === 'string') return fail(options);
  const client = new KafkaClient(context, pod, options, 'consumer-1');
  const started = startConsumer(context, client, options);
  if ('exitCode' in started) return started;
  const { consumer, warnings } = started;
  const first = consumer.fetch();
  if (consumer.done) return { stdout: first, stderr: warnings + consumer.summary(), exitCode: 0 };
  const job = {
    poll: () => {
      const stdout = consumer.done ? '' : consumer.fetch();
      if (consumer.failure === undefined && !consumer.done) return { stdout, stderr: '' };
      return { stdout, stderr: (consumer.failure ?? '') + consumer.summary(), done: true };
    },
    stop: () => ({ stdout: '', stderr: consumer.summary() }),
  };
  if (context.startJob?.(job) !== undefined || context.holdForeground?.(job) === true) {
    consumer.client.spendsTime = false;
    return { stdout: first, stderr: warnings, exitCode: 0 };
  }
  // Nothing else runs while this terminal waits, so one wait and a last fetch see what arrives.
  context.spend(options.timeoutMs ?? 10_000);
  const later = consumer.fetch();
  const note =
    options.timeoutMs === undefined
      ? '(the consumer stopped after 10 simulated seconds without more messages: a real one waits until Ctrl-C; use --timeout-ms, or start it with &)\n'
      : kafkaLog(
          context.simulation.state.timeMs,
          'ERROR',
          'Error processing message, terminating consumer process:  (kafka.tools.ConsoleConsumer$)',
        ) + 'org.apache.kafka.common.errors.TimeoutException\n';
  return { stdout: first + later, stderr: warnings + note + consumer.summary(), exitCode: 0 };
}
