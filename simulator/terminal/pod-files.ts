/**
 * The files a client container has that a reader may want out of it: the system CA bundle that
 * curl and OpenSSL trust by default (the TLS-visibility docs copy it into the `originatingTLS`
 * Secret). `kubectl exec POD -- cat /etc/ssl/certs/ca-certificates.crt > ca-certificates.crt`
 * brings it to the reader's shell. The model has no other files in containers, and says so.
 */
import { systemCaBundle, systemCaBundlePath } from '../tls/public-roots';
import type { CommandResult } from './context';

/** `cat FILE…` inside a client container. */
export function catInPod(args: readonly string[]): CommandResult {
  let stdout = '';
  let stderr = '';
  for (const path of args) {
    if (path === systemCaBundlePath) stdout += systemCaBundle();
    else if (path.startsWith('-')) stderr += `cat: ${path}: options are not modelled\n`;
    else
      stderr += `cat: ${path}: not modelled (the simulator's containers hold only ${systemCaBundlePath})\n`;
  }
  if (args.length === 0) return { stdout: '', stderr: '', exitCode: 0 };
  // kubectl exec reports a non-zero exit status of the remote command on its own line.
  return stderr === ''
    ? { stdout, stderr, exitCode: 0 }
    : { stdout, stderr: `${stderr}command terminated with exit code 1\n`, exitCode: 1 };
}
