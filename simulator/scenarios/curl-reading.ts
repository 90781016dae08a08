/**
 * How the scenarios' narration reads a curl, in one place: curl's exit status (0 for any HTTP
 * answer, since the scripts run `curl -s` without `-f`; 6, 7 and 28 for the failures curl 8.5.0
 * reports from `lib/url.c`, `lib/connect.c` and `lib/multi.c`; the datapath's own `curl: (N)`
 * words otherwise), a
 * few words on what came back, and the line curl itself prints. Each reads the outcome a curl
 * observation records (observations.ts), so the prose and the observation never disagree.
 */
import type { ConnectionOutcome } from '../cilium/datapath-types';
import { formatDuration } from '../engine/virtual-time';
import { curlOutcomeOf } from './observations';

/** curl's exit status for an outcome, as `curl -s … && echo success` sees it. */
export function curlExitCode(connection: ConnectionOutcome | undefined): number {
  const outcome = curlOutcomeOf(connection);
  switch (outcome.kind) {
    case 'response':
      return 0;
    case 'timeout':
      return 28;
    case 'resolve-failed':
      return 6;
    case 'error': {
      const code = /curl: \((\d+)\)/.exec(outcome.message)?.[1];
      return code === undefined ? 1 : Number(code);
    }
    case 'refused':
    case 'none':
      return 7;
  }
}

/**
 * What came back, in a few words: `HTTP 200: Hello…` (or, with `quoteBody`, `HTTP 403, body
 * "RBAC: access denied"`), `timed out after 2.0s`, `connection refused`, `could not resolve host`.
 */
export function curlSummary(
  connection: ConnectionOutcome | undefined,
  options: { quoteBody?: boolean } = {},
): string {
  const outcome = curlOutcomeOf(connection);
  switch (outcome.kind) {
    case 'response':
      return options.quoteBody === true
        ? `HTTP ${outcome.status}, body "${outcome.body.trim()}"`
        : `HTTP ${outcome.status}: ${outcome.body.trim()}`;
    case 'timeout':
      return `timed out after ${formatDuration(connection?.elapsedMs ?? 0)}`;
    case 'refused':
      return 'connection refused';
    case 'resolve-failed':
      return 'could not resolve host';
    case 'error':
      return outcome.message;
    case 'none':
      return 'no outcome';
  }
}

/** What curl itself prints: the body (marked when Envoy wrote it), or its error line. */
export function curlPrinted(connection: ConnectionOutcome | undefined, timeoutMs: number): string {
  const outcome = curlOutcomeOf(connection);
  switch (outcome.kind) {
    case 'response':
      return `${outcome.body.trimEnd()}   [HTTP ${outcome.status}${outcome.server === 'envoy' ? ', written by Envoy' : ''}]`;
    case 'timeout':
      return outcome.stalled
        ? `curl: (28) Operation timed out after ${timeoutMs + 1} milliseconds with 0 bytes received`
        : `curl: (28) Connection timed out after ${timeoutMs + 1} milliseconds`;
    case 'refused':
      return 'curl: (7) Connection refused';
    case 'resolve-failed':
      return 'curl: (6) Could not resolve host';
    case 'error':
      return outcome.message;
    case 'none':
      return 'no outcome';
  }
}
