/**
 * How a cilium-agent writes a log line, per release. Up to 1.17 it logs through logrus's text
 * formatter without timestamps (pkg/logging/logging.go): `level=… msg=…`, then the fields sorted by
 * key, `subsys` among them. From 1.18 it logs through slog's text handler with the default
 * `text-ts` format (pkg/logging/slog.go): `time=` in RFC 3339 with nanoseconds, a lower-case level
 * (`warn`, not `warning`), `msg=`, then the logger's own attributes and the call's, in the order
 * they were added. Values that need it are quoted as Go quotes strings; slog also quotes an empty
 * value, logrus leaves it bare.
 */
import { virtualDate } from '../engine/virtual-time';
import type { CiliumConfig } from './config';

export type LogLevel = 'info' | 'warning' | 'fatal';

/** One line as the agent code writes it: the message, then its attributes in the order given. */
export interface AgentLogEntry {
  readonly atMs: number;
  readonly level: LogLevel;
  readonly msg: string;
  /** Attributes in the order the code adds them (logger attributes first). */
  readonly fields: readonly (readonly [string, string])[];
}

const bare = /^[A-Za-z0-9\-._/@^+]+$/;

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** logrus: quote when a character outside its safe set appears; an empty value stays bare. */
function logrusValue(value: string): string {
  return value === '' || bare.test(value) ? value : quote(value);
}

/** slog: quote empty values, spaces, quotes, `=` and control characters. */
function slogValue(value: string): string {
  return value !== '' && !/[\s"=\\]/.test(value) && /^[\x21-\x7e]+$/.test(value) ? value : quote(value);
}

/** time.RFC3339Nano of a virtual instant: fractional seconds without trailing zeros. */
function rfc3339Nano(atMs: number): string {
  const date = virtualDate(atMs);
  const pad = (value: number): string => String(value).padStart(2, '0');
  const millis = ((atMs % 1000) + 1000) % 1000;
  const fraction = millis === 0 ? '' : `.${String(millis).padStart(3, '0').replace(/0+$/, '')}`;
  return `${date.year}-${pad(date.month)}-${pad(date.day)}T${pad(date.hours)}:${pad(date.minutes)}:${pad(date.seconds)}${fraction}Z`;
}

/** The release a line is written by: only its version decides the format. */
type Release = Pick<CiliumConfig, 'versionMajor' | 'versionMinor'>;

/** Whether this release logs through slog (1.18+). */
export function logsWithSlog(config: Release): boolean {
  return config.versionMajor > 1 || config.versionMinor >= 18;
}

/** The line as the agent of this release prints it. */
export function agentLogLine(config: Release, entry: AgentLogEntry): string {
  if (logsWithSlog(config)) {
    const level = entry.level === 'warning' ? 'warn' : entry.level;
    const fields = entry.fields.map(([key, value]) => `${key}=${slogValue(value)}`);
    return [
      `time=${rfc3339Nano(entry.atMs)}`,
      `level=${level}`,
      `msg=${slogValue(entry.msg)}`,
      ...fields,
    ].join(' ');
  }
  const fields = [...entry.fields]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${logrusValue(value)}`);
  return [`level=${entry.level}`, `msg=${logrusValue(entry.msg)}`, ...fields].join(' ');
}
