/**
 * Whether a client pod trusts the certificate Envoy presents when it terminates TLS for an egress
 * rule (docs: security/tls-visibility, "Add the internal CA as a trusted CA inside the client pod"):
 * curl verifies it against the pod's system bundle (`/etc/ssl/certs/ca-certificates.crt`, which
 * `update-ca-certificates` rebuilds) or the file given with `--cacert`, and checks the name it
 * connected to against the certificate's subject alternative names or, when it has none, its
 * common name (OpenSSL's X509_check_host).
 *
 * Only certificates the model can read are checked (the reader's openssl writes them:
 * tls/openssl-files.ts); for any other text the answer is `unreadable`, and the caller keeps its
 * older rule (a `--cacert` file is taken to be the interception CA).
 */
import { containerFile } from '../k8s/container-files';
import { listObjects } from '../k8s/api-store';
import { pemBlocks } from '../pki/encoding';
import { readCertificate, type ReadCertificate } from '../tls/openssl-files';
import { systemCaBundlePath } from '../tls/public-roots';
import type { Cluster } from '../world';

export type ClientTrust = 'trusted' | 'unknown-issuer' | 'name-mismatch' | 'unreadable';

/** The certificates of a PEM bundle the model can read. */
function readableCertificates(text: string): ReadCertificate[] {
  return pemBlocks(text, 'CERTIFICATE').flatMap((der) => readCertificate(der) ?? []);
}

/** The trust store of the client pod holding an address: its `--cacert` file or its system bundle. */
function trustStore(cluster: Cluster, clientIP: string, caFile: string | undefined): string | undefined {
  const pod = listObjects(cluster.api, 'Pod').find((candidate) => candidate.status.podIP === clientIP);
  const container = pod?.spec.containers[0]?.name;
  if (pod === undefined || container === undefined) return undefined;
  return containerFile(cluster, pod, container, caFile ?? systemCaBundlePath);
}

/** Whether a certificate names a host (the common name; the model's certificates carry no SANs). */
function namesHost(certificate: ReadCertificate, host: string): boolean {
  const name = certificate.subject.find((entry) => entry.attribute === 'CN')?.value;
  if (name === undefined) return false;
  if (name.startsWith('*.'))
    return host.endsWith(name.slice(1)) && !host.slice(0, -name.length + 1).includes('.');
  return name.toLowerCase() === host.toLowerCase();
}

/** How the client at `clientIP` judges the certificate Envoy presents for `host`. */
export function clientTrust(
  cluster: Cluster,
  clientIP: string,
  caFile: string | undefined,
  presentedPem: string,
  host: string,
): ClientTrust {
  const [presented] = readableCertificates(presentedPem);
  if (presented === undefined) return 'unreadable';
  const store = trustStore(cluster, clientIP, caFile);
  if (store === undefined) return 'unknown-issuer';
  const issuers = readableCertificates(store);
  const chained = issuers.some(
    (issuer) =>
      JSON.stringify(issuer.subject) === JSON.stringify(presented.issuer) &&
      presented.signedBy(issuer.modulusHex),
  );
  if (!chained) return 'unknown-issuer';
  return namesHost(presented, host) ? 'trusted' : 'name-mismatch';
}
