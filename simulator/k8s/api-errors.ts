/**
 * The API server's refusals as data (a reason and a message, or Invalid with one cause per field),
 * and how kubectl prints them: `Error from server (Reason): …`, with `error when creating "FILE": `
 * before the message when the object came from a file (cmdutil.AddSourceToErr), and
 * `The Kind "name" is invalid: …` for Invalid (cmdutil.checkErr; kubectl staging
 * pkg/cmd/util/helpers.go at v0.33.0).
 */

/** Why the API server refused a request. */
export type ApiRefusal =
  | {
      reason: 'BadRequest' | 'NotFound' | 'Forbidden' | 'AlreadyExists' | 'Conflict' | 'MethodNotAllowed';
      message: string;
    }
  | { reason: 'Invalid'; kind: string; name: string; causes: string[] };

/** Go's StatusError.Error(): the message, or `Kind "name" is invalid: causes` for Invalid. */
export function refusalText(refusal: ApiRefusal): string {
  if (refusal.reason !== 'Invalid') return refusal.message;
  const causes = refusal.causes.length === 1 ? (refusal.causes[0] ?? '') : `[${refusal.causes.join(', ')}]`;
  return `${refusal.kind} "${refusal.name}" is invalid: ${causes}`;
}

/**
 * What kubectl prints for a refusal. `source` is the file an object came from (`-f a.yaml`, or
 * `STDIN`), named with the verb kubectl was doing when the server said no.
 */
export function refusalForKubectl(
  refusal: ApiRefusal,
  source?: { verb: 'creating' | 'deleting' | 'patching' | 'applying'; file: string },
): string {
  if (refusal.reason === 'Invalid') {
    // kubectl's MultilineError: one cause on the same line, several as a bulleted list.
    if (refusal.causes.length === 1)
      return `The ${refusal.kind} "${refusal.name}" is invalid: ${refusal.causes[0] ?? ''}`;
    return `The ${refusal.kind} "${refusal.name}" is invalid: \n${refusal.causes.map((cause) => `* ${cause}`).join('\n')}`;
  }
  const where = source === undefined ? '' : `error when ${source.verb} "${source.file}": `;
  return `Error from server (${refusal.reason}): ${where}${refusal.message}`;
}
