/**
 * `cat` inside a container: the files the model knows in it (k8s/container-files.ts), such as the
 * system CA bundle that curl and OpenSSL trust (the TLS-visibility docs copy it out with
 * `kubectl exec POD -- cat /etc/ssl/certs/ca-certificates.crt > ca-certificates.crt`), the
 * kubelet's `/etc/resolv.conf`, and files a reader copied in with `kubectl cp`. A missing file gets
 * the message of the image's cat: busybox's or GNU coreutils'.
 */
import { containerFile, containerImage, tarOf } from '../k8s/container-files';
import type { Pod } from '../k8s/objects';
import type { CommandResult, TerminalContext } from './context';
import { hashString64 } from '../engine/state-hash';

/**
 * The container runtime's answer when an image has no such program. kind's nodes run containerd,
 * whose CRI plugin fails the exec before it starts (`failed to exec in container: failed to start
 * exec "<exec id>": …`, internal/cri/server/container_execsync.go); the kubelet passes that on as
 * an internal error and kubectl exits 1 with it. (Docker's `command terminated with exit code 126`
 * belongs to dockershim clusters.) The exec id, a random 64-digit hex string, is derived from
 * `seed` so that the same world prints the same id.
 */
export function notFoundInImage(program: string, seed = program): CommandResult {
  const execId = [1, 2, 3, 4].map((part) => hashString64(`${seed}#exec${part}`)).join('');
  return {
    stdout: '',
    stderr: `error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "${execId}": OCI runtime exec failed: exec failed: unable to start container process: exec: "${program}": executable file not found in $PATH: unknown\n`,
    exitCode: 1,
  };
}

/** `cat FILE…` inside a container of a pod. */
export function catInPod(
  context: TerminalContext,
  pod: Pod,
  container: string,
  args: readonly string[],
): CommandResult {
  const cluster = context.simulation.state.cluster;
  const flavour = tarOf(containerImage(pod, container));
  // Scratch and distroless images have no coreutils at all.
  if (flavour === undefined) return notFoundInImage('cat');
  const gnu = flavour === 'gnu';
  let stdout = '';
  let stderr = '';
  for (const path of args) {
    const text = cluster === undefined ? undefined : containerFile(cluster, pod, container, path);
    if (text !== undefined) stdout += text;
    else if (path.startsWith('-')) stderr += `cat: ${path}: options are not modelled\n`;
    else
      stderr += gnu
        ? `cat: ${path}: No such file or directory\n`
        : `cat: can't open '${path}': No such file or directory\n`;
  }
  return { stdout, stderr, exitCode: stderr === '' ? 0 : 1 };
}
