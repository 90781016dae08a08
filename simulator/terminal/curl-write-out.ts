/**
 * curl's `-w/--write-out` format, as curl 8.5.0 expands it (src/tool_writeout.c `ourWriteOut` at
 * tag curl-8_5_0): `%{name}` variables, `%header{name}`, `%%`, and the backslash escapes `\n`,
 * `\r` and `\t`; any other backslash pair (`\\` included) is printed as it is. An unknown variable
 * is reported on stderr and skipped; `%{stderr}`/`%{stdout}` switch the stream and `%{onerror}`
 * stops the output when the transfer succeeded.
 */

/** Every variable curl 8.5.0 knows (the `variables` table of src/tool_writeout.c). */
const knownVariables = new Set(
  (
    'certs content_type conn_id errormsg exitcode filename_effective ftp_entry_path header_json ' +
    'http_code http_connect http_version json local_ip local_port method num_certs num_connects ' +
    'num_headers num_redirects onerror proxy_ssl_verify_result redirect_url referer remote_ip ' +
    'remote_port response_code scheme size_download size_header size_request size_upload ' +
    'speed_download speed_upload ssl_verify_result stderr stdout time_appconnect time_connect ' +
    'time_namelookup time_pretransfer time_redirect time_starttransfer time_total url url.scheme ' +
    'url.user url.password url.options url.host url.port url.path url.query url.fragment url.zoneid ' +
    'urle.scheme urle.user urle.password urle.options urle.host urle.port urle.path urle.query ' +
    'urle.fragment urle.zoneid url_effective urlnum xfer_id'
  ).split(' '),
);

/** What a finished transfer tells `-w`: variable values, response headers, and whether it failed. */
export interface WriteOutContext {
  values: Readonly<Record<string, string>>;
  headers: Readonly<Record<string, string>>;
  failed: boolean;
}

/** The text `-w FORMAT` adds to stdout and to stderr. */
export function expandWriteOut(format: string, context: WriteOutContext): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  let stream: 'stdout' | 'stderr' = 'stdout';
  let index = 0;
  while (index < format.length) {
    const char = format[index] ?? '';
    const next = format[index + 1];
    if (char === '%' && next !== undefined) {
      const step = expandPercent(format, index, context, out, stream);
      if (step.stop === true) break;
      if (step.stream !== undefined) stream = step.stream;
      index = step.next;
    } else if (char === '\\' && next !== undefined) {
      out[stream] += next === 'n' ? '\n' : next === 'r' ? '\r' : next === 't' ? '\t' : `\\${next}`;
      index += 2;
    } else {
      out[stream] += char;
      index += 1;
    }
  }
  return out;
}

interface PercentStep {
  next: number;
  stream?: 'stdout' | 'stderr';
  stop?: true;
}

/** Expands the `%…` at `index`; returns where to go on. */
function expandPercent(
  format: string,
  index: number,
  context: WriteOutContext,
  out: { stdout: string; stderr: string },
  stream: 'stdout' | 'stderr',
): PercentStep {
  const next = format[index + 1] ?? '';
  if (next === '%') {
    out[stream] += '%';
    return { next: index + 2 };
  }
  if (next === '{') {
    const end = format.indexOf('}', index);
    if (end < 0) {
      out[stream] += '%{';
      return { next: index + 2 };
    }
    const name = format.slice(index + 2, end);
    if (name === 'stdout' || name === 'stderr') return { next: end + 1, stream: name };
    if (name === 'onerror') return context.failed ? { next: end + 1 } : { next: end + 1, stop: true };
    if (!knownVariables.has(name)) out.stderr += `curl: unknown --write-out variable: '${name}'\n`;
    else out[stream] += name === 'json' ? jsonOf(context) : (context.values[name] ?? '');
    return { next: end + 1 };
  }
  if (format.startsWith('header{', index + 1)) {
    const end = format.indexOf('}', index);
    if (end < 0) {
      out[stream] += '%header{';
      return { next: index + 8 };
    }
    out[stream] += context.headers[format.slice(index + 8, end).toLowerCase()] ?? '';
    return { next: end + 1 };
  }
  out[stream] += `%${next}`;
  return { next: index + 2 };
}

/** `%{json}`: the transfer's variables as one JSON object (numbers where curl writes numbers). */
function jsonOf(context: WriteOutContext): string {
  const entries = Object.entries(context.values)
    .filter(([name]) => knownVariables.has(name))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([name, value]) =>
        `${JSON.stringify(name)}:${/^\d+(\.\d+)?$/.test(value) && name !== 'http_version' ? value : JSON.stringify(value)}`,
    );
  return `{${entries.join(',')}}`;
}

/** A duration as curl's `writeTime` prints it: seconds with six decimals. */
export function formatSeconds(ms: number): string {
  const micros = Math.max(0, Math.round(ms * 1000));
  return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
}
