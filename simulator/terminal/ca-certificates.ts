/**
 * Debian's `update-ca-certificates` in an Ubuntu container (the TLS-visibility walkthrough runs it
 * in mediabot after `kubectl cp myCA.crt …:/usr/local/share/ca-certificates/myCA.crt`): the system
 * bundle `/etc/ssl/certs/ca-certificates.crt` is rebuilt from the distribution's certificates and
 * every `*.crt` under /usr/local/share/ca-certificates, and the counts of certificates added and
 * removed since the last run are printed. Its rehash step warns about the bundle itself, which
 * holds more than one certificate; the docs tell readers to ignore that warning.
 */
import { containerFile } from '../k8s/container-files';
import type { Pod } from '../k8s/objects';
import { systemCaBundle, systemCaBundlePath } from '../tls/public-roots';
import { fail, type CommandResult, type TerminalContext } from './context';

const localDirectory = '/usr/local/share/ca-certificates/';

/** The local certificates a container holds, by path, in path order. */
function localCertificates(context: TerminalContext, pod: Pod, container: string): [string, string][] {
  const cluster = context.simulation.state.cluster;
  const node = pod.spec.nodeName === undefined ? undefined : cluster?.nodes[pod.spec.nodeName];
  const written = node?.kubelet.sandboxes[pod.metadata.uid]?.files?.[container] ?? {};
  return Object.entries(written)
    .filter(([path]) => path.startsWith(localDirectory) && path.endsWith('.crt'))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `update-ca-certificates [--fresh]` in a container. */
export function updateCaCertificates(
  context: TerminalContext,
  pod: Pod,
  container: string,
  args: readonly string[],
): CommandResult {
  const unknown = args.find((arg) => !['--fresh', '-f', '--verbose', '-v'].includes(arg));
  if (unknown !== undefined) return fail(`update-ca-certificates: unknown option ${unknown}`, 1);
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('no cluster');
  const previous = containerFile(cluster, pod, container, systemCaBundlePath) ?? '';
  const local = localCertificates(context, pod, container);
  const text = (certificate: string): string =>
    certificate.endsWith('\n') ? certificate : `${certificate}\n`;
  const bundle = systemCaBundle() + local.map(([, certificate]) => text(certificate)).join('');
  const added = local.filter(([, certificate]) => !previous.includes(text(certificate).trim())).length;
  const removedText = previous.startsWith(systemCaBundle()) ? previous.slice(systemCaBundle().length) : '';
  const removed =
    removedText === ''
      ? 0
      : removedText.split('-----END CERTIFICATE-----').length - 1 - (local.length - added);
  const podKey = `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
  const written = context.input({
    type: 'pod.file.write',
    podKey,
    container,
    path: systemCaBundlePath,
    content: bundle,
  });
  if (!written.ok) return fail(written.error);
  context.spend(1200);
  return {
    stdout: `Updating certificates in /etc/ssl/certs...\n${added} added, ${Math.max(0, removed)} removed; done.\nRunning hooks in /etc/ca-certificates/update.d...\ndone.\n`,
    stderr: 'WARNING: ca-certificates.crt does not contain exactly one certificate or CRL: skipping\n',
    exitCode: 0,
  };
}
