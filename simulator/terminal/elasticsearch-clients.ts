/**
 * The four Python clients of Cilium's Elasticsearch walkthrough (image cilium/esclient:v2, run as
 * `python upload_logs.py` and so on), each a short script over elasticsearch-py 5 talking to
 * `elasticsearch:9200`. Every request goes through the datapath and Envoy (`pod.connect`), and
 * the scripts print what the server answered with Python's `print`:
 *
 * - upload_logs.py: indexes the Endor troop log as `troop_logs/log/1` and prints the result;
 * - upload_diagnostics.py: indexes the tiefighter's critical engine report as
 *   `spaceship_diagnostics/stats/1` and prints the result;
 * - search.py: searches both indices (match_all) and prints the number of hits and each hit;
 * - update.py: overwrites `spaceship_diagnostics/stats/1` with a harmless report, waits 2 s and
 *   prints the diagnostics index's hits.
 *
 * An answer of 300 or more makes elasticsearch-py log `METHOD URL [status:N request:Ts]` and raise
 * the exception for the status (`AuthorizationException` for Envoy's 403), which ends the script
 * with a traceback; its library frames are left out here (the docs elide them too).
 */
import type { ConnectionOutcome } from '../cilium/datapath-types';
import type { Pod } from '../k8s/objects';
import type { PythonClient } from '../k8s/image-contents';
import type { CommandResult, TerminalContext } from './context';
import { parsePythonJson, pythonItem, pythonRepr, pythonStringRepr, type PythonValue } from './python-values';

const server = { host: 'elasticsearch', port: 9200 };
/** elasticsearch-py's default request timeout. */
const requestTimeoutMs = 10_000;
/** Interpreter start and the elasticsearch import. */
const startupMs = 400;

/** The documents the scripts write, as their dict literals order the keys. */
const troopLog = {
  outpost: 'Endor',
  datetime: '33 ABY 4AM DST',
  title: 'Endor Corps 1: Morning Drill',
  notes: '5100 PRESENT; 15 ABSENT; 130 CODE-RED BELOW PAR PERFORMANCE',
};
const diagnostics = (stats: string) => ({
  spaceshipid: '3459B78XNZTF',
  type: 'tiefighter',
  title: 'Engine Diagnostics',
  stats,
});

/** One call of the script: where it stands in the file, for the traceback. */
interface CallSite {
  script: string;
  line: number;
  text: string;
}

/** Raised out of a script: the lines Python prints on its way out. */
class ScriptFailure extends Error {}

/** elasticsearch-py's exception class for an HTTP status. */
function exceptionFor(status: number): string {
  const classes: Record<number, string> = {
    400: 'RequestError',
    401: 'AuthenticationException',
    403: 'AuthorizationException',
    404: 'NotFoundError',
    409: 'ConflictError',
  };
  return classes[status] ?? 'TransportError';
}

/** `TransportError(status, error[, reason])` as elasticsearch-py 5 prints its errors. */
function transportErrorText(status: number, body: string): string {
  let parsed: PythonValue | undefined;
  try {
    parsed = parsePythonJson(body);
  } catch {
    parsed = undefined;
  }
  const error = pythonItem(parsed, 'error');
  const type = pythonItem(error, 'type');
  const rootCause = pythonItem(error, 'root_cause');
  const firstCause = Array.isArray(rootCause) ? rootCause[0] : undefined;
  const reason = pythonItem(firstCause, 'reason');
  const message = typeof type === 'string' ? type : typeof error === 'string' ? error : body;
  const cause = typeof reason === 'string' ? `, ${pythonStringRepr(reason)}` : '';
  return `TransportError(${status}, ${pythonStringRepr(message)}${cause})`;
}

class ElasticsearchScript {
  stdout = '';
  constructor(
    private readonly context: TerminalContext,
    private readonly pod: Pod,
  ) {}

  print(line: string): void {
    this.stdout += `${line}\n`;
  }

  /** One REST call; raises ScriptFailure with the log line and traceback when it fails. */
  call(method: string, path: string, site: CallSite, body?: object): PythonValue {
    const started = this.context.simulation.state.timeMs;
    const result = this.context.input({
      type: 'pod.connect',
      request: {
        fromPodKey: `${this.pod.metadata.namespace ?? 'default'}/${this.pod.metadata.name}`,
        host: server.host,
        port: server.port,
        protocol: 'TCP',
        http: {
          method,
          path,
          headers: { 'content-type': 'application/json', connection: 'keep-alive' },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        },
        timeoutMs: requestTimeoutMs,
      },
    });
    const outcome: ConnectionOutcome | undefined = result.ok ? result.connection : undefined;
    const elapsedMs = outcome?.elapsedMs ?? 0;
    this.context.spend(elapsedMs);
    const url = `http://${server.host}:${server.port}${path}`;
    const seconds = ((this.context.simulation.state.timeMs - started) / 1000).toFixed(3);
    if (outcome?.kind !== 'response')
      throw new ScriptFailure(this.connectionFailure(method, url, outcome, site));
    const { status, body: text } = outcome.response;
    if (status >= 300) {
      const log = `${method} ${url} [status:${status} request:${seconds}s]\n`;
      throw new ScriptFailure(
        `${log}${this.traceback(site)}elasticsearch.exceptions.${exceptionFor(status)}: ${transportErrorText(status, text)}\n`,
      );
    }
    return parsePythonJson(text);
  }

  private traceback(site: CallSite): string {
    return `Traceback (most recent call last):\n  File "${site.script}", line ${site.line}, in <module>\n    ${site.text}\n`;
  }

  /** A request that got no HTTP answer: refused, unresolvable, or timed out after 10 s. */
  private connectionFailure(
    method: string,
    url: string,
    outcome: ConnectionOutcome | undefined,
    site: CallSite,
  ): string {
    const connection = '<urllib3.connection.HTTPConnection object at 0x7f6e1c2b5d30>';
    const seconds = ((outcome?.elapsedMs ?? 0) / 1000).toFixed(3);
    const log = `${method} ${url} [status:N/A request:${seconds}s]\n`;
    if (outcome?.kind === 'timeout')
      return `${log}${this.traceback(site)}elasticsearch.exceptions.ConnectionTimeout: ConnectionTimeout caused by - ConnectTimeoutError(${connection}, 'Connection to ${server.host} timed out. (connect timeout=10)')\n`;
    const errno =
      outcome?.kind === 'resolve-failed'
        ? '[Errno -2] Name or service not known'
        : '[Errno 111] Connection refused';
    return `${log}${this.traceback(site)}elasticsearch.exceptions.ConnectionError: ConnectionError(${connection}: Failed to establish a new connection: ${errno}) caused by: NewConnectionError(${connection}: Failed to establish a new connection: ${errno})\n`;
  }

  /** `res = es.index(...)` then `print(res['result'], ": ", res)`. */
  index(index: string, type: string, document: object, site: CallSite, printResult: boolean): void {
    const result = this.call('PUT', `/${index}/${type}/1`, site, document);
    const word = pythonItem(result, 'result');
    if (printResult) this.print(`${typeof word === 'string' ? word : 'None'} :  ${pythonRepr(result)}`);
  }

  /** `res = es.search(index=…, match_all)`; prints the count when asked, then every hit. */
  search(index: string, site: CallSite, printCount: boolean): void {
    const result = this.call('GET', `/${index}/_search`, site, { query: { match_all: {} } });
    const hits = pythonItem(result, 'hits');
    const total = pythonItem(hits, 'total');
    const list = pythonItem(hits, 'hits');
    if (printCount)
      this.print(
        `Got ${total !== null && typeof total === 'object' && !Array.isArray(total) && total.kind === 'int' ? total.value : 0} Hits:`,
      );
    for (const hit of Array.isArray(list) ? list : []) this.print(pythonRepr(hit));
  }
}

/** The call sites of each script (file, line, source) for tracebacks. */
function site(script: string, line: number, text: string): CallSite {
  return { script, line, text };
}

function runScript(
  script: ElasticsearchScript,
  client: PythonClient,
  name: string,
  context: TerminalContext,
): void {
  switch (client) {
    case 'es-upload-logs':
      script.print('Uploading Stormtroopers Performance Logs');
      script.index(
        'troop_logs',
        'log',
        troopLog,
        site(name, 9, 'res = es.index(index="troop_logs", doc_type="log", id=1, body=log1)'),
        true,
      );
      return;
    case 'es-upload-diagnostics':
      script.print('Uploading Spaceship Diagnostics');
      script.index(
        'spaceship_diagnostics',
        'stats',
        diagnostics('[CRITICAL] [ENGINE BURN @SPEED 5000 km/s] [CHANCE 80%]'),
        site(name, 10, 'res = es.index(index="spaceship_diagnostics", doc_type="stats", id=1, body=fd1)'),
        true,
      );
      return;
    case 'es-search':
      script.print('Searching for Spaceship Diagnostics');
      script.search(
        'spaceship_diagnostics',
        site(name, 6, 'res = es.search(index="spaceship_diagnostics", body={"query": {"match_all": {}}})'),
        true,
      );
      script.print('Searching for Stormtroopers Performance Logs');
      script.search(
        'troop_logs',
        site(name, 13, 'res = es.search(index="troop_logs", body={"query": {"match_all": {}}})'),
        true,
      );
      return;
    default:
      script.print('Uploading Spaceship Diagnostics');
      script.index(
        'spaceship_diagnostics',
        'stats',
        diagnostics('[OK] [ENGINE OK @SPEED 5000 km/s]'),
        site(name, 10, 'res = es.index(index="spaceship_diagnostics", doc_type="stats", id=1, body=fd1)'),
        false,
      );
      // The script sleeps before searching, so the update is visible.
      context.spend(2000);
      script.search(
        'spaceship_diagnostics',
        site(name, 13, 'res = es.search(index="spaceship_diagnostics", body={"query": {"match_all": {}}})'),
        false,
      );
  }
}

/** Runs one of the Elasticsearch clients in a pod; `name` is the script as typed (`search.py`). */
export function elasticsearchClient(
  context: TerminalContext,
  pod: Pod,
  client: PythonClient,
  name: string,
): CommandResult {
  context.spend(startupMs);
  const script = new ElasticsearchScript(context, pod);
  try {
    runScript(script, client, name, context);
    return { stdout: script.stdout, stderr: '', exitCode: 0 };
  } catch (error) {
    if (!(error instanceof ScriptFailure)) throw error;
    return { stdout: script.stdout, stderr: error.message, exitCode: 1 };
  }
}
