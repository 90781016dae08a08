/**
 * What the node's Envoy does with a TLS connection a rule with `terminatingTLS` redirected to it
 * (docs: security/tls-visibility; cilium/proxy's cilium.tls_wrapper and network_policy):
 *
 * 1. Downstream, it answers the client's handshake with the certificate and key of the
 *    terminating Secret. Without them it has no server TLS context: the wrapper logs that and, as
 *    the rule forbids a raw socket, closes the connection, so the client's handshake fails.
 * 2. The client checks that certificate (signed by the operator's internal CA, so the client must
 *    trust that CA or skip verification).
 * 3. Upstream, once the HTTP rules allowed the request, Envoy connects to the server. With
 *    `originatingTLS` it speaks TLS and verifies the server's chain against the Secret's `ca.crt`;
 *    a bundle without the server's root fails the handshake and the client gets Envoy's 503. Without
 *    `originatingTLS` the rule has no client TLS context, which the wrapper takes as permission for
 *    a raw socket: the decrypted request goes upstream in clear. The modelled internet's servers
 *    speak only TLS on 443 and close such a connection, which Envoy also reports as a 503.
 *
 * Which CA signed an internet server is the `certificateRoot` of its ExternalHost, and a bundle
 * trusts it when it holds that root certificate (tls/public-roots.ts). Pods in the model have no
 * server certificate, so the upstream leg to a pod is not checked.
 */
import type { HttpResponse } from '../k8s/applications';
import { secretValueText } from '../k8s/secrets';
import type { RuleReference } from '../policy/index';
import {
  bundleCertificateCount,
  bundleTrustsRoot,
  systemCaBundlePath,
} from '../tls/public-root-fingerprints';
import type { Cluster } from '../world';
import type { ExternalHost } from '../k8s/dns-world';
import { envoySecretFor, resolveSecretRef, type TlsSecretUse } from './policy-secrets';
import { policySecretsMode } from './policy-secrets-mode';
import type { AgentState } from './state';
import { clientTrust } from './client-trust';
import { pemBlocks } from '../pki/encoding';
import { readCertificate } from '../tls/openssl-files';

/** The connection Envoy intercepts, as its TLS wrapper sees it. */
export interface InterceptedConnection {
  /** The node whose Envoy intercepts, and its agent. */
  node: string;
  observer: AgentState;
  direction: 'INGRESS' | 'EGRESS';
  /** The rule with `terminatingTLS` (and maybe `originatingTLS`). */
  reference: RuleReference;
  /** The pod whose policy redirected the connection (the client for egress, the server for ingress). */
  podIP: string;
  /** The other side's address and identity, as the wrapper logs them. */
  remoteIP: string;
  remoteIdentity: number;
  port: number;
  sni?: string;
  /** The server, when it is a host on the modelled internet. */
  server?: ExternalHost;
  /** What the client trusts (curl's -k and --cacert). */
  client: { insecure: boolean; caFile?: string };
  /** The name the client connected to, for its error messages. */
  host: string;
  atMs: number;
}

/** Envoy refused the handshake (a curl error), or it intercepted, maybe failing upstream later. */
export type InterceptionOutcome =
  { kind: 'handshake-failed'; message: string } | { kind: 'intercepted'; upstreamFailure?: HttpResponse };

/** How many Envoy warnings each node keeps for its log. */
const proxyLogCapacity = 200;

/** Keeps one of the node's Envoy warnings for `kubectl logs` (logfmt, as the agent relays them). */
function logProxyWarning(agent: AgentState, atMs: number, message: string): void {
  const log = (agent.proxyLog ??= []);
  log.push({ atMs, text: `level=warning msg="${message.replace(/"/g, '\\"')}" subsys=envoy-misc` });
  if (log.length > proxyLogCapacity) log.splice(0, log.length - proxyLogCapacity);
}

/** cilium.tls_wrapper's warning when a rule needs TLS but Envoy has no context for it. */
function noContextWarning(connection: InterceptedConnection, side: 'server' | 'client'): string {
  const where = connection.direction === 'INGRESS' ? 'source' : 'destination';
  return `cilium.tls_wrapper: Could not get ${side} TLS context for pod ${connection.podIP} on ${where} IP ${connection.remoteIP} (id ${connection.remoteIdentity}) port ${connection.port} sni "${connection.sni ?? ''}" and raw socket is not allowed`;
}

/**
 * Envoy's 503 when its upstream connection fails before the response headers. Envoy 1.27 (Cilium
 * 1.15+) split "connection failure" into local and remote and framed TLS errors as
 * `TLS_error:|…:TLS_error_end`; earlier releases print the older form.
 */
function upstreamFailure(cluster: Cluster, reason: 'termination' | 'tls', tlsError?: string): HttpResponse {
  const modern = (cluster.cilium?.config.versionMinor ?? 18) >= 15;
  const detail =
    reason === 'termination'
      ? 'reset reason: connection termination'
      : modern
        ? `reset reason: remote connection failure, transport failure reason: ${tlsError ?? ''}`
        : `reset reason: connection failure, transport failure reason: ${tlsError ?? ''}`;
  const body = `upstream connect error or disconnect/reset before headers. ${detail}`;
  return {
    status: 503,
    headers: { 'content-length': String(body.length), 'content-type': 'text/plain', server: 'envoy' },
    body,
  };
}

/** BoringSSL's certificate verification failure, in the Envoy release's framing. */
function verifyFailedText(cluster: Cluster): string {
  return (cluster.cilium?.config.versionMinor ?? 18) >= 15
    ? 'TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:TLS_error_end'
    : 'TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED';
}

/** The tls_wrapper's failure reason when the SDS secret it waits for never came. */
const notSuppliedBySds = 'TLS error: Secret is not supplied by SDS';

function useOf(
  connection: InterceptedConnection,
  direction: TlsSecretUse['direction'],
): TlsSecretUse | undefined {
  const ref =
    direction === 'terminating' ? connection.reference.terminatingTLS : connection.reference.originatingTLS;
  if (ref === undefined) return undefined;
  return {
    direction,
    namespace: resolveSecretRef(ref, connection.reference.origin.namespace),
    name: ref.name,
  };
}

const secretName = (use: TlsSecretUse): string =>
  `${use.namespace === '' ? '' : `${use.namespace}/`}${use.name}`;

/** curl's report of a server certificate it could not verify. */
const curlUntrusted = [
  'curl: (60) SSL certificate problem: unable to get local issuer certificate',
  'More details here: https://curl.se/docs/sslcerts.html',
  '',
  'curl failed to verify the legitimacy of the server and therefore could not',
  'establish a secure connection to it. To learn more about this situation and',
  'how to fix it, please visit the web page mentioned above.',
].join('\n');

/**
 * A TLS connection no proxy intercepts reaches the internet server itself, whose chain ends at a
 * public root. curl trusts the system bundle unless `--cacert` names another file, which then
 * replaces it; the model takes any other CA file to be the interception CA, which did not sign the
 * server's certificate. Returns curl's error, or undefined when the client accepts the server.
 */
export function directTlsFailure(
  server: ExternalHost | undefined,
  client: { insecure: boolean; caFile?: string } | undefined,
  explanation: string[],
): string | undefined {
  if (server === undefined || client === undefined || client.insecure) return undefined;
  const caFile = client.caFile;
  if (caFile === undefined || caFile === systemCaBundlePath) return undefined;
  explanation.push(
    `No proxy intercepts the TLS connection, so ${server.name} presents its own certificate, which chains to ${server.certificateRoot}. curl trusts only --cacert ${caFile} (taken to be the interception CA), so verification fails.`,
  );
  return curlUntrusted;
}

/** Runs the interception for one connection; explanation lines say what happened at each step. */
export function interceptTlsConnection(
  cluster: Cluster,
  connection: InterceptedConnection,
  explanation: string[],
): InterceptionOutcome {
  const where = `${connection.node}'s Envoy (${connection.direction.toLowerCase()})`;
  const terminating = useOf(connection, 'terminating');
  if (terminating === undefined) return { kind: 'intercepted' };
  const downstream = envoySecretFor(cluster, connection.observer, terminating);
  if (!downstream.ok) {
    explanation.push(
      `${where} must terminate TLS with the certificate of secret ${secretName(terminating)} (${connection.reference.rule}), but has none: ${downstream.reason}. cilium.tls_wrapper finds no server TLS context, a raw socket is not allowed on this rule, and the connection is closed during the handshake.`,
    );
    logProxyWarning(connection.observer, connection.atMs, noContextWarning(connection, 'server'));
    return {
      kind: 'handshake-failed',
      message: `curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to ${connection.host}:${connection.port}`,
    };
  }
  const originating = useOf(connection, 'originating');
  explanation.push(
    `${where} terminates TLS with the certificate of secret ${secretName(terminating)} (${connection.reference.rule})${originating !== undefined ? ` and re-encrypts to the server, verifying it with the CA bundle of secret ${secretName(originating)}` : ''}.`,
  );
  const refusal = clientRefusal(
    cluster,
    connection,
    secretValueText(downstream.data['tls.crt']),
    explanation,
  );
  if (refusal !== undefined) return { kind: 'handshake-failed', message: refusal };
  return { kind: 'intercepted', ...upstreamLeg(cluster, connection, originating, explanation) };
}

/** curl's report of a certificate issued for another name (no subject alternative names, so the CN). */
function curlNameMismatch(certificatePem: string, host: string): string {
  const name = /CN = ([^,\n]+)/.exec(certificatePem)?.[1];
  return `curl: (60) SSL: certificate subject name '${name ?? ''}' does not match target host name '${host}'\n${curlUntrusted.split('\n').slice(1).join('\n')}`;
}

/**
 * Whether the client refuses the certificate Envoy presents (client-trust.ts): curl's error, or
 * undefined when it goes on. A certificate the model cannot read keeps the older rule: a
 * `--cacert` file is taken to be the interception CA, the system bundle is not.
 */
function clientRefusal(
  cluster: Cluster,
  connection: InterceptedConnection,
  presentedPem: string,
  explanation: string[],
): string | undefined {
  if (connection.client.insecure) return undefined;
  const trust =
    connection.direction === 'EGRESS'
      ? clientTrust(cluster, connection.podIP, connection.client.caFile, presentedPem, connection.host)
      : 'unreadable';
  if (trust === 'trusted') {
    explanation.push(
      'The client trusts Envoy’s certificate: its CA is in the pod’s trust store, and it names the host.',
    );
    return undefined;
  }
  if (trust === 'unreadable' && connection.client.caFile !== undefined) return undefined;
  if (trust === 'name-mismatch') {
    explanation.push(`Envoy’s certificate is not issued for ${connection.host}, so curl refuses it.`);
    const readable = pemBlocks(presentedPem, 'CERTIFICATE')[0];
    const subject = readable === undefined ? undefined : readCertificate(readable)?.subject;
    return curlNameMismatch(
      subject === undefined ? '' : `CN = ${subject.find((entry) => entry.attribute === 'CN')?.value ?? ''}`,
      connection.host,
    );
  }
  explanation.push(
    'The client does not trust the CA that signed Envoy’s certificate (it is not in the pod’s CA bundle nor in a --cacert file, and there is no -k), so certificate verification fails.',
  );
  return curlUntrusted;
}

/** Envoy's own connection to the server; returns the 503 it answers with when that fails. */
function upstreamLeg(
  cluster: Cluster,
  connection: InterceptedConnection,
  originating: TlsSecretUse | undefined,
  explanation: string[],
): { upstreamFailure?: HttpResponse } {
  const server = connection.server;
  const serverName = server === undefined ? `port ${connection.port}` : `${server.name}:${connection.port}`;
  if (originating === undefined) {
    if (server === undefined || connection.port !== 443) {
      explanation.push(
        `Without originatingTLS the rule gives Envoy no client TLS context, so it forwards the decrypted request upstream in clear (cilium.tls_wrapper allows a raw socket).`,
      );
      return {};
    }
    explanation.push(
      `Without originatingTLS the rule gives Envoy no client TLS context, so it sends the decrypted request to ${serverName} in clear; the server speaks only TLS there and closes the connection, and Envoy answers 503.`,
    );
    return { upstreamFailure: upstreamFailure(cluster, 'termination') };
  }
  const bundle = envoySecretFor(cluster, connection.observer, originating);
  if (!bundle.ok) {
    explanation.push(
      `Envoy has no CA bundle to verify ${serverName} with: ${bundle.reason}. Its upstream TLS context is missing, the connection fails, and Envoy answers 503.`,
    );
    logProxyWarning(connection.observer, connection.atMs, noContextWarning(connection, 'client'));
    const mode = cluster.cilium?.config === undefined ? undefined : policySecretsMode(cluster.cilium.config);
    return {
      upstreamFailure: upstreamFailure(
        cluster,
        'tls',
        mode?.kind === 'sds' ? notSuppliedBySds : verifyFailedText(cluster),
      ),
    };
  }
  if (server === undefined) {
    explanation.push(
      `Envoy re-encrypts to ${serverName}; the model gives pods no server certificate, so this handshake is not checked.`,
    );
    return {};
  }
  const caText = secretValueText(bundle.data['ca.crt']);
  const count = bundleCertificateCount(caText);
  if (count > 0 && bundleTrustsRoot(caText, server.certificateRoot)) {
    explanation.push(
      `Envoy's TLS connection to ${serverName} succeeds: its chain ends at ${server.certificateRoot}, which the CA bundle (${count} certificate${count === 1 ? '' : 's'}) contains.`,
    );
    return {};
  }
  explanation.push(
    `Envoy's TLS connection to ${serverName} fails: the server's chain ends at ${server.certificateRoot}, which the CA bundle in ${secretName(originating)} ${count === 0 ? 'does not hold (it has no certificate at all)' : `(${count} certificate${count === 1 ? '' : 's'}) does not contain`}; BoringSSL reports CERTIFICATE_VERIFY_FAILED and Envoy answers 503.`,
  );
  return { upstreamFailure: upstreamFailure(cluster, 'tls', verifyFailedText(cluster)) };
}
