/**
 * istiod's built-in CA and the istio-agent certificate request (defaults: ca-defaults.ts):
 *
 * - istiod creates a self-signed root, `O=<trust domain>`, valid 10 years
 *   (CITADEL_SELF_SIGNED_CA_CERT_TTL = 3650 days), key usage Certificate Sign only.
 * - istio-agent generates a key pair and a CSR, and calls `IstioCertificateService/CreateCertificate`
 *   on istiod (port 15012) with the pod's projected ServiceAccount token (audience `istio-ca`).
 * - istiod authenticates the token (TokenReview) and signs with the *authenticated* identity as the
 *   only SAN, ignoring whatever SAN the CSR asked for (`sans := caller.Identities`).
 * - The workload certificate has an empty subject (so the SAN is critical), key usage Digital
 *   Signature + Key Encipherment, EKU server + client auth, CA:FALSE. NotBefore is backdated by the
 *   two-minute clock-skew grace period (ClockSkewGracePeriod); NotAfter is now + TTL (default 24 h,
 *   at most MAX_WORKLOAD_CERT_TTL = 90 days), clamped to the root's NotAfter.
 * - The response chain is the leaf, any intermediates, then the root last.
 *
 * Keys are ECDSA P-256 here (istio-agent's default is RSA 2048; ECC_SIGNATURE_ALGORITHM=ECDSA gives
 * P-256). The simulator uses P-256 everywhere because deterministic RSA key generation is too slow
 * for a browser page.
 */
import {
  createSelfSignedRoot,
  createSigningRequest,
  issueLeaf,
  verifySigningRequest,
  type CertificateAuthority,
  type SigningRequest,
} from '../pki/authority';
import { deriveKeyPair, deriveSerialHex, type KeyPair, type PkiSeed } from '../pki/keys';
import { istioDefaults } from './ca-defaults';
import { defaultIstioTrustDomain, istioSpiffeId } from './identity';

const hourMs = 3_600_000;

/** istiod's CA: the self-signed root and the trust domain it signs for. */
export interface IstiodCa {
  seed: PkiSeed;
  trustDomain: string;
  root: CertificateAuthority;
}

/** Creates istiod's self-signed root at a virtual time. */
export function createIstiodCa(options: {
  seed: PkiSeed;
  createdAtMs: number;
  trustDomain?: string;
  rootTtlMs?: number;
}): IstiodCa {
  const trustDomain = options.trustDomain ?? defaultIstioTrustDomain;
  const root = createSelfSignedRoot({
    seed: options.seed,
    keyLabel: `istiod-root:${trustDomain}`,
    subject: [{ attribute: 'O', value: trustDomain }],
    notBeforeMs: options.createdAtMs,
    notAfterMs: options.createdAtMs + (options.rootTtlMs ?? istioDefaults.selfSignedRootTtlMs),
    keyUsage: ['keyCertSign'],
  });
  return { seed: options.seed, trustDomain, root };
}

/**
 * A projected ServiceAccount token as istiod's TokenReview sees it. Plain data standing in for the
 * signed JWT: `issuedByApiServer` is false for a forged token the API server would reject.
 */
export interface ServiceAccountToken {
  namespace: string;
  serviceAccount: string;
  podName: string;
  audiences: readonly string[];
  expiresAtMs: number;
  issuedByApiServer: boolean;
}

/** The token kubelet projects into a pod for istio-agent (audience `istio-ca`, 12 h here). */
export function projectedToken(
  pod: { namespace: string; serviceAccount: string; name: string },
  issuedAtMs: number,
): ServiceAccountToken {
  return {
    namespace: pod.namespace,
    serviceAccount: pod.serviceAccount,
    podName: pod.name,
    audiences: [istioDefaults.tokenAudience],
    expiresAtMs: issuedAtMs + 12 * hourMs,
    issuedByApiServer: true,
  };
}

/** What istio-agent sends to `CreateCertificate`. */
export interface IstioCertificateRequest {
  csr: SigningRequest;
  token: ServiceAccountToken;
  /** Requested lifetime (SECRET_TTL, 24 h by default). */
  validityMs: number;
}

/** istiod's answer: the chain (leaf … root) or a gRPC error. */
export type IstioCertificateResponse =
  | { ok: true; certChainPem: string[]; spiffeId: string; notBeforeMs: number; notAfterMs: number }
  | { ok: false; grpcCode: 'Unauthenticated' | 'InvalidArgument'; message: string };

/**
 * istio-agent's side: a fresh key pair per request (derived from the seed, the pod and the time) and
 * a CSR. The CSR may ask for any SAN; istiod will not use it.
 */
export function createAgentRequest(options: {
  seed: PkiSeed;
  pod: { namespace: string; serviceAccount: string; name: string };
  atMs: number;
  token?: ServiceAccountToken;
  requestedUris?: readonly string[];
  validityMs?: number;
}): { keyPair: KeyPair; request: IstioCertificateRequest } {
  const { pod } = options;
  const keyPair = deriveKeyPair(options.seed, `istio-agent:${pod.namespace}/${pod.name}@${options.atMs}`);
  const requestedUris = options.requestedUris ?? [istioSpiffeId(pod.namespace, pod.serviceAccount)];
  return {
    keyPair,
    request: {
      csr: createSigningRequest(keyPair, [], requestedUris),
      token: options.token ?? projectedToken(pod, options.atMs),
      validityMs: options.validityMs ?? istioDefaults.workloadCertTtlMs,
    },
  };
}

/** TokenReview as istiod's Kubernetes JWT authenticator performs it. */
function reviewToken(
  token: ServiceAccountToken,
  atMs: number,
): { ok: true; identity: { namespace: string; serviceAccount: string } } | { ok: false; reason: string } {
  if (!token.issuedByApiServer) return { ok: false, reason: 'token not issued by the Kubernetes API server' };
  if (atMs >= token.expiresAtMs) return { ok: false, reason: 'token expired' };
  if (!token.audiences.includes(istioDefaults.tokenAudience))
    return { ok: false, reason: `token audience does not include ${istioDefaults.tokenAudience}` };
  return { ok: true, identity: { namespace: token.namespace, serviceAccount: token.serviceAccount } };
}

/** istiod's `CreateCertificate`: authenticate, then sign the caller's identity (never the CSR's SAN). */
export function signWorkloadCertificate(
  ca: IstiodCa,
  request: IstioCertificateRequest,
  atMs: number,
  limits: { maxTtlMs?: number; defaultTtlMs?: number } = {},
): IstioCertificateResponse {
  const review = reviewToken(request.token, atMs);
  if (!review.ok) return { ok: false, grpcCode: 'Unauthenticated', message: 'request authenticate failure' };
  if (!verifySigningRequest(request.csr))
    return { ok: false, grpcCode: 'InvalidArgument', message: 'CSR signature does not match its public key' };
  const maxTtlMs = limits.maxTtlMs ?? istioDefaults.maxWorkloadCertTtlMs;
  const ttlMs =
    request.validityMs > 0 ? request.validityMs : (limits.defaultTtlMs ?? istioDefaults.workloadCertTtlMs);
  if (ttlMs > maxTtlMs)
    return {
      ok: false,
      grpcCode: 'InvalidArgument',
      message: `requested TTL ${ttlMs / 1000}s is greater than the max allowed TTL ${maxTtlMs / 1000}s`,
    };
  if (atMs >= ca.root.notAfterMs)
    return { ok: false, grpcCode: 'InvalidArgument', message: 'signing certificate has expired' };
  const spiffeId = istioSpiffeId(review.identity.namespace, review.identity.serviceAccount, ca.trustDomain);
  const notBeforeMs = atMs - istioDefaults.clockSkewGracePeriodMs;
  const notAfterMs = Math.min(atMs + ttlMs, ca.root.notAfterMs);
  const leaf = issueLeaf(ca.root, request.csr.publicKeyHex, {
    serialNumberHex: deriveSerialHex(
      ca.seed,
      `istio-workload:${spiffeId}:${request.csr.publicKeyHex}@${atMs}`,
    ),
    subject: [],
    notBeforeMs,
    notAfterMs,
    uris: [spiffeId],
    keyUsage: ['digitalSignature', 'keyEncipherment'],
    extendedKeyUsage: ['serverAuth', 'clientAuth'],
  });
  return {
    ok: true,
    certChainPem: [leaf.certificatePem, ca.root.certificatePem],
    spiffeId,
    notBeforeMs: leaf.certificate.notBeforeMs,
    notAfterMs: leaf.certificate.notAfterMs,
  };
}

/**
 * What istio-agent keeps and serves to Envoy over SDS (resource `default`; the root is `ROOTCA`):
 * the chain, the private key, and when it was created and expires.
 */
export interface WorkloadSecret {
  spiffeId: string;
  certChainPem: string[];
  rootCertPem: string;
  privateKeyHex: string;
  createdAtMs: number;
  expireAtMs: number;
}

/** Runs the whole CSR flow for a pod at a virtual time: agent request, then istiod signing. */
export function issueWorkloadSecret(
  ca: IstiodCa,
  pod: { namespace: string; serviceAccount: string; name: string },
  atMs: number,
): WorkloadSecret {
  const { keyPair, request } = createAgentRequest({ seed: ca.seed, pod, atMs });
  const response = signWorkloadCertificate(ca, request, atMs);
  if (!response.ok) throw new Error(`istiod refused the CSR: ${response.message}`);
  return {
    spiffeId: response.spiffeId,
    certChainPem: response.certChainPem,
    rootCertPem: ca.root.certificatePem,
    privateKeyHex: keyPair.privateKeyHex,
    createdAtMs: atMs,
    expireAtMs: response.notAfterMs,
  };
}
