/**
 * `openssl s_client -connect HOST:PORT [-showcerts]` output for a session against a simulated server,
 * in the OpenSSL build of the container it runs in (openssl-builds.ts; 1.1.1 as in the istio-proxy
 * image the seed article ran it from, unless told otherwise). The verify callback
 * lines, chain listing, CA names from CertificateRequest, signature and key-exchange lines, session
 * summary and verify code follow s_client's layout. A fatal alert the server sends after s_client
 * considers the handshake done (TLS 1.3 client authentication fails that way) is printed as the
 * OpenSSL error line, and the exit code is 1. Byte counts are the sizes of the model's records.
 */
import { parseCertificate, type DistinguishedName, type ParsedCertificate } from '../pki/certificate';
import { opensslName, opensslTime } from '../pki/cert-text';
import { fromHex } from '../pki/encoding';
import { verifyChain } from '../pki/verify';
import type { CipherSuiteName } from './key-schedule';
import type { HandshakeContext } from './handshake-machine';
import { formatThreadId, opensslBuilds, type OpensslBuild } from './openssl-builds';

/** The signature algorithms Envoy's BoringSSL lists in CertificateRequest, as s_client names them. */
export const envoyRequestedSignatureAlgorithms =
  'ECDSA+SHA256:RSA-PSS+SHA256:RSA+SHA256:ECDSA+SHA384:RSA-PSS+SHA384:RSA+SHA384:RSA-PSS+SHA512:RSA+SHA512:RSA+SHA1';

/** What one s_client run saw. */
export interface SClientSession {
  host: string;
  port: number;
  /** The chain the server sent, leaf first. */
  serverChainPem: readonly string[];
  /** `-CAfile` roots; empty when none was given (s_client then trusts nothing). */
  caFilePem: readonly string[];
  /** The virtual time of the connection (for the validity checks). */
  atMs: number;
  cipherSuite: CipherSuiteName;
  /** CA names of the server's CertificateRequest; undefined when the server asked for no certificate. */
  acceptableClientCaNames: readonly DistinguishedName[] | undefined;
  requestedSignatureAlgorithms?: string;
  /** False prints `Can't use SSL_get_servername` (the server did not acknowledge SNI). */
  sniAcknowledged: boolean;
  alpnProtocol?: string;
  /** Whether s_client sent a client certificate (`-cert`). */
  clientCertificateSent: boolean;
  /** A fatal alert the server sent after the handshake, e.g. 116 certificate_required. */
  alertAfterHandshake?: { code: number };
  showCerts: boolean;
  /** The socket file descriptor printed by CONNECTED(…); 3 by default. */
  fileDescriptor?: number;
  /** The OpenSSL build that runs s_client (its texts and error line); 1.1.1f when not given. */
  openssl?: OpensslBuild;
  /** The thread id OpenSSL prefixes error lines with; the seed article's when not given. */
  threadId?: bigint;
}

/** OpenSSL reason strings and codes for received alerts (SSL_R_…_ALERT_…, the same in 1.1.1 and 3.0). */
const alertReasons: Readonly<Record<number, { reason: number; text: string }>> = {
  42: { reason: 0x412, text: 'sslv3 alert bad certificate' },
  45: { reason: 0x415, text: 'sslv3 alert certificate expired' },
  46: { reason: 0x416, text: 'sslv3 alert certificate unknown' },
  48: { reason: 0x418, text: 'tlsv1 alert unknown ca' },
  51: { reason: 0x41b, text: 'tlsv1 alert decrypt error' },
  116: { reason: 0x45c, text: 'tlsv13 alert certificate required' },
};

/** The thread id of the seed article's s_client run (OpenSSL 1.1.1 prints it in decimal). */
const seedThreadId = 140555461989696n;

/**
 * The OpenSSL error line for a received fatal alert, in the build's format (openssl-builds.ts): the
 * reason code is the alert number plus SSL_AD_REASON_OFFSET (1000), packed with library 20 (SSL)
 * and, in 1.1.1, function 148 (ssl3_read_bytes).
 */
export function opensslAlertLine(
  code: number,
  build: OpensslBuild = opensslBuilds.focal,
  threadId: bigint = seedThreadId,
): string {
  const reason = alertReasons[code] ?? { reason: 0x410 + (code % 0x100), text: `alert number ${code}` };
  const packed = (build.flavour === '1.1.1' ? 0x14094000 + reason.reason : (20 << 23) + reason.reason)
    .toString(16)
    .toUpperCase()
    .padStart(8, '0');
  return `${formatThreadId(build, threadId)}:error:${packed}:SSL routines:ssl3_read_bytes:${reason.text}:../ssl/record/rec_layer_s3.c:${build.alertSourceLine}:SSL alert number ${code}`;
}

/** OpenSSL 3.0 spells "self-signed" with a hyphen in its verify texts (crypto/x509/x509_txt.c). */
function verifyText(build: OpensslBuild, text: string): string {
  return build.flavour === '3.0' ? text.replace('self signed', 'self-signed') : text;
}

const hashLength = (suite: CipherSuiteName): number => (suite === 'TLS_AES_256_GCM_SHA384' ? 48 : 32);
const encryptedRecord = (length: number): number => 5 + length + 1 + 16;
const derLength = (pem: string): number => parseCertificate(pem).derHex.length / 2;

function certificateMessageLength(chain: readonly string[]): number {
  return 4 + 1 + 3 + chain.reduce((sum, pem) => sum + 3 + derLength(pem) + 2, 0);
}

/** The verify-callback lines s_client prints, from the top of the chain down, and the final code. */
function verifyLines(session: SClientSession): { lines: string[]; code: number; text: string } {
  const build = session.openssl ?? opensslBuilds.focal;
  const verification = verifyChain(session.serverChainPem, session.caFilePem, session.atMs, {
    usage: 'serverAuth',
  });
  const lines: string[] = [];
  let code = 0;
  let text = 'ok';
  const nameAt = (certificate: ParsedCertificate | undefined): string =>
    opensslName(certificate?.subject ?? []);
  for (let depth = verification.path.length - 1; depth >= 0; depth--) {
    const certificate = verification.path[depth];
    for (const problem of verification.problems.filter((item) => item.depth === depth)) {
      const reported: [number, string][] =
        problem.code === 'unknown-ca'
          ? depth === 0
            ? [
                [20, 'unable to get local issuer certificate'],
                [21, 'unable to verify the first certificate'],
              ]
            : [[20, 'unable to get local issuer certificate']]
          : [[problem.opensslCode, problem.opensslText]];
      for (const [number, message] of reported) {
        lines.push(
          `depth=${depth} ${nameAt(certificate)}`,
          `verify error:num=${number}:${verifyText(build, message)}`,
        );
        if (problem.code === 'expired' && certificate !== undefined)
          lines.push(`notAfter=${opensslTime(certificate.notAfterMs)}`);
        if (problem.code === 'not-yet-valid' && certificate !== undefined)
          lines.push(`notBefore=${opensslTime(certificate.notBeforeMs)}`);
        lines.push('verify return:1');
        code = number;
        text = verifyText(build, message);
      }
    }
    lines.push(`depth=${depth} ${nameAt(certificate)}`, 'verify return:1');
  }
  return { lines, code, text };
}

/** Renders an s_client run; returns the terminal text (stdout and stderr interleaved) and exit code. */
export function formatOpensslSClient(session: SClientSession): { output: string; exitCode: number } {
  const lines: string[] = [`CONNECTED(${String(session.fileDescriptor ?? 3).padStart(8, '0')})`];
  if (!session.sniAcknowledged) lines.push("Can't use SSL_get_servername");
  const verify = verifyLines(session);
  lines.push(...verify.lines, '---', 'Certificate chain');
  const chain = session.serverChainPem.map((pem) => parseCertificate(pem));
  chain.forEach((certificate, index) => {
    lines.push(` ${index} s:${opensslName(certificate.subject)}`, `   i:${opensslName(certificate.issuer)}`);
    if (session.showCerts) lines.push((session.serverChainPem[index] ?? '').trimEnd());
  });
  const leaf = chain[0];
  lines.push('---', 'Server certificate');
  if (!session.showCerts && session.serverChainPem[0] !== undefined)
    lines.push(session.serverChainPem[0].trimEnd());
  lines.push(
    `subject=${opensslName(leaf?.subject ?? [])}`,
    '',
    `issuer=${opensslName(leaf?.issuer ?? [])}`,
    '',
    '---',
  );
  if (session.acceptableClientCaNames !== undefined) {
    const requested = session.requestedSignatureAlgorithms ?? envoyRequestedSignatureAlgorithms;
    lines.push(
      'Acceptable client certificate CA names',
      ...session.acceptableClientCaNames.map((name) => opensslName(name)),
      `Requested Signature Algorithms: ${requested}`,
      `Shared Requested Signature Algorithms: ${requested
        .split(':')
        .filter((algorithm) => !algorithm.endsWith('SHA1'))
        .join(':')}`,
    );
  }
  lines.push(
    'Peer signing digest: SHA256',
    'Peer signature type: ECDSA',
    'Server Temp Key: X25519, 253 bits',
    '---',
  );

  const hash = hashLength(session.cipherSuite);
  const caNamesLength = (session.acceptableClientCaNames ?? []).reduce(
    (sum, name) => sum + 2 + 2 + name.length * 30,
    0,
  );
  const read =
    127 +
    6 +
    encryptedRecord(6 + (session.alpnProtocol === undefined ? 0 : 7 + session.alpnProtocol.length)) +
    (session.acceptableClientCaNames === undefined
      ? 0
      : encryptedRecord(4 + 1 + 2 + 26 + 6 + caNamesLength)) +
    encryptedRecord(certificateMessageLength(session.serverChainPem)) +
    encryptedRecord(4 + 4 + 72) +
    encryptedRecord(4 + hash);
  const written =
    273 +
    session.host.length +
    6 +
    (session.clientCertificateSent ? encryptedRecord(4 + 4 + 72) : encryptedRecord(8)) +
    encryptedRecord(4 + hash);
  lines.push(`SSL handshake has read ${read} bytes and written ${written} bytes`);
  lines.push(verify.code === 0 ? 'Verification: OK' : `Verification error: ${verify.text}`, '---');
  lines.push(
    `New, TLSv1.3, Cipher is ${session.cipherSuite}`,
    `Server public key is ${leaf === undefined ? 0 : (fromHex(leaf.publicKeyHex).length - 1) * 4} bit`,
    'Secure Renegotiation IS NOT supported',
    'Compression: NONE',
    'Expansion: NONE',
    session.alpnProtocol === undefined ? 'No ALPN negotiated' : `ALPN protocol: ${session.alpnProtocol}`,
    'Early data was not sent',
    `Verify return code: ${verify.code} (${verify.text})`,
    '---',
  );
  let exitCode = 0;
  if (session.alertAfterHandshake !== undefined) {
    lines.push(opensslAlertLine(session.alertAfterHandshake.code, session.openssl, session.threadId));
    exitCode = 1;
  }
  return { output: `${lines.join('\n')}\n`, exitCode };
}

/**
 * The s_client session of a handshake the simulator ran with s_client as the client: the server's
 * chain and CertificateRequest come from the handshake, and a server alert on the client's
 * Certificate arrives after s_client has printed the session.
 */
export function sClientSessionFromHandshake(
  context: HandshakeContext,
  options: { host: string; port: number; caFilePem?: readonly string[]; showCerts?: boolean },
): SClientSession {
  const alert = context.alert;
  return {
    host: options.host,
    port: options.port,
    serverChainPem: context.input.server.certChainPem,
    caFilePem: options.caFilePem ?? [],
    atMs: context.input.atMs,
    cipherSuite: context.cipherSuite,
    acceptableClientCaNames: context.input.server.trustAnchorsPem.map((pem) => parseCertificate(pem).subject),
    sniAcknowledged: context.input.policy !== 'istio',
    clientCertificateSent: context.input.client.certChainPem.length > 0,
    ...(alert !== undefined && alert.sentBy === 'server'
      ? { alertAfterHandshake: { code: alert.code } }
      : {}),
    showCerts: options.showCerts ?? true,
  };
}
