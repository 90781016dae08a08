/**
 * Certificate path validation at a virtual time (a subset of RFC 5280 section 6): build the path from
 * the leaf through the presented intermediates to a trust anchor, then check every signature, every
 * validity period, that every issuer is a CA, and the leaf's extended key usage. Every problem found
 * is reported, in the order OpenSSL's verifier meets them, with OpenSSL's error number and text so the
 * `openssl s_client` formatter can print them; callers that model another TLS library pick the
 * problem that library reports first.
 */
import { parseCertificate, sameName, type ExtendedKeyUsageName, type ParsedCertificate } from './certificate';
import { fromHex } from './encoding';
import { verifySha256 } from './keys';

/** Why a chain does not verify. */
export type ChainProblemCode =
  | 'empty-chain'
  | 'unknown-ca'
  | 'self-signed-not-trusted'
  | 'bad-signature'
  | 'not-yet-valid'
  | 'expired'
  | 'issuer-not-ca'
  | 'wrong-usage';

/** One problem, at a depth of the built path (0 = leaf). */
export interface ChainProblem {
  code: ChainProblemCode;
  depth: number;
  /** OpenSSL's X509_V_ERR number and text (OpenSSL 1.1.1 wording). */
  opensslCode: number;
  opensslText: string;
  message: string;
}

/** The outcome of verifying one presented chain. */
export interface ChainVerification {
  ok: boolean;
  problems: ChainProblem[];
  /** The built path, leaf first, ending at the trust anchor when one was found. */
  path: ParsedCertificate[];
  /** Whether the path ends at one of the trust anchors. */
  anchored: boolean;
}

/** Options for a verification. */
export interface VerifyOptions {
  /** The extended key usage the leaf must allow (serverAuth for a server, clientAuth for a client). */
  usage?: ExtendedKeyUsageName;
}

/** Signature checks already made (pure, so caching only saves time); bounded and cleared whole. */
const signatureResults = new Map<string, boolean>();

function signedBy(certificate: ParsedCertificate, issuer: ParsedCertificate): boolean {
  const key = `${certificate.derHex}|${issuer.publicKeyHex}`;
  const cached = signatureResults.get(key);
  if (cached !== undefined) return cached;
  const valid = verifySha256(
    issuer.publicKeyHex,
    fromHex(certificate.tbsHex),
    fromHex(certificate.signatureHex),
  );
  if (signatureResults.size >= 1024) signatureResults.clear();
  signatureResults.set(key, valid);
  return valid;
}

function isSelfIssued(certificate: ParsedCertificate): boolean {
  return sameName(certificate.issuer, certificate.subject);
}

function problem(code: ChainProblemCode, depth: number, message: string): ChainProblem {
  const openssl: Record<ChainProblemCode, [number, string]> = {
    'empty-chain': [0, 'no certificate presented'],
    'unknown-ca': [
      depth === 0 ? 21 : 20,
      depth === 0 ? 'unable to verify the first certificate' : 'unable to get local issuer certificate',
    ],
    'self-signed-not-trusted': [
      depth === 0 ? 18 : 19,
      depth === 0 ? 'self signed certificate' : 'self signed certificate in certificate chain',
    ],
    'bad-signature': [7, 'certificate signature failure'],
    'not-yet-valid': [9, 'certificate is not yet valid'],
    expired: [10, 'certificate has expired'],
    'issuer-not-ca': [24, 'invalid CA certificate'],
    'wrong-usage': [26, 'unsupported certificate purpose'],
  };
  const [opensslCode, opensslText] = openssl[code];
  return { code, depth, opensslCode, opensslText, message };
}

/**
 * Verifies a presented chain (PEM strings, leaf first) against trust anchors (PEM strings) at a
 * virtual time.
 */
export function verifyChain(
  presentedPem: readonly string[],
  trustAnchorsPem: readonly string[],
  atMs: number,
  options: VerifyOptions = {},
): ChainVerification {
  const presented = presentedPem.map((pem) => parseCertificate(pem));
  const anchors = trustAnchorsPem.map((pem) => parseCertificate(pem));
  const leaf = presented[0];
  if (leaf === undefined)
    return {
      ok: false,
      problems: [problem('empty-chain', 0, 'the peer sent no certificate')],
      path: [],
      anchored: false,
    };

  const problems: ChainProblem[] = [];
  const path: ParsedCertificate[] = [leaf];
  const unused = presented.slice(1);
  let anchored = false;
  // Build the path first, as OpenSSL does: up from the leaf, preferring a trust anchor as issuer.
  for (;;) {
    const current = path[path.length - 1];
    if (current === undefined) break;
    if (anchors.some((anchor) => anchor.derHex === current.derHex)) {
      anchored = true;
      break;
    }
    // An anchor with the issuer's name (and, when both carry one, the matching key identifier) is the
    // issuer; a bad signature is then reported below as OpenSSL's "certificate signature failure".
    // Two meshes' roots both named O=cluster.local differ by key identifier: an unknown issuer.
    // A self-issued certificate is its own issuer: it is trusted only if it is an anchor itself.
    const namedAnchors = anchors.filter(
      (anchor) =>
        !isSelfIssued(current) &&
        sameName(anchor.subject, current.issuer) &&
        (current.authorityKeyIdHex === undefined ||
          anchor.subjectKeyIdHex === undefined ||
          current.authorityKeyIdHex === anchor.subjectKeyIdHex),
    );
    const anchorIssuer = namedAnchors.find((anchor) => signedBy(current, anchor)) ?? namedAnchors[0];
    if (anchorIssuer !== undefined) {
      path.push(anchorIssuer);
      anchored = true;
      break;
    }
    if (isSelfIssued(current)) {
      problems.push(
        problem(
          'self-signed-not-trusted',
          path.length - 1,
          'the chain ends at a self-signed certificate that is not among the trust anchors',
        ),
      );
      break;
    }
    const index = unused.findIndex((candidate) => sameName(candidate.subject, current.issuer));
    const next = unused[index];
    if (next === undefined) {
      problems.push(
        problem(
          'unknown-ca',
          path.length - 1,
          'no trust anchor or presented certificate issued this certificate',
        ),
      );
      break;
    }
    unused.splice(index, 1);
    path.push(next);
  }

  // Then check each certificate from the top of the path down to the leaf.
  for (let depth = path.length - 1; depth >= 0; depth--) {
    const certificate = path[depth];
    if (certificate === undefined) continue;
    const issuer = path[depth + 1] ?? (isSelfIssued(certificate) ? certificate : undefined);
    if (issuer !== undefined && !signedBy(certificate, issuer))
      problems.push(problem('bad-signature', depth, 'the signature does not verify with the issuer’s key'));
    if (depth > 0 && certificate.basicConstraints?.ca !== true)
      problems.push(problem('issuer-not-ca', depth, 'an issuing certificate is not marked CA:TRUE'));
    if (atMs < certificate.notBeforeMs)
      problems.push(problem('not-yet-valid', depth, 'the current time is before NotBefore'));
    if (atMs > certificate.notAfterMs)
      problems.push(problem('expired', depth, 'the current time is after NotAfter'));
  }
  const usages = leaf.extendedKeyUsage?.usages;
  if (options.usage !== undefined && usages !== undefined && !usages.includes(options.usage))
    problems.push(problem('wrong-usage', 0, `the leaf does not allow ${options.usage}`));

  return { ok: problems.length === 0 && anchored, problems, path, anchored };
}
