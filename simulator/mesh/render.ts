/**
 * Real certificates for the mesh's metadata: istiod's root and a workload's leaf rendered as X.509
 * from what the world recorded (serial, validity, SPIFFE ID), with keys derived from the world's
 * seed. Only the terminal and widgets load this (it brings the crypto libraries); the same world
 * always renders the same bytes.
 */
import { createSelfSignedRoot, issueLeaf, type CertificateAuthority } from '../pki/authority';
import { deriveKeyPair } from '../pki/keys';
import { formatOpensslSClient, envoyRequestedSignatureAlgorithms } from '../tls/s-client';
import type { OpensslBuild } from '../tls/openssl-builds';
import type { MeshCertificate, MeshRootCertificate } from './state';

/** istiod's root as a CA, from its metadata. */
function renderMeshRoot(
  seed: number,
  root: MeshRootCertificate,
  trustDomain = 'cluster.local',
): CertificateAuthority {
  return createSelfSignedRoot({
    seed,
    keyLabel: `istiod-root:${trustDomain}`,
    subject: [{ attribute: 'O', value: trustDomain }],
    serialNumberHex: root.serialHex,
    notBeforeMs: root.notBeforeMs,
    notAfterMs: root.notAfterMs,
    keyUsage: ['keyCertSign'],
  });
}

/** A workload's chain (leaf, then the root, as istiod returns it) and the leaf's private key. */
function renderWorkloadChain(
  seed: number,
  root: CertificateAuthority,
  certificate: MeshCertificate,
): { chainPem: string[]; privateKeyHex: string } {
  const keyPair = deriveKeyPair(
    seed,
    `istio-agent:${certificate.spiffeId}#${certificate.generation}@${certificate.issuedAtMs}`,
  );
  const leaf = issueLeaf(root, keyPair.publicKeyHex, {
    serialNumberHex: certificate.serialHex,
    subject: [],
    notBeforeMs: certificate.notBeforeMs,
    notAfterMs: certificate.notAfterMs,
    uris: [certificate.spiffeId],
    keyUsage: ['digitalSignature', 'keyEncipherment'],
    extendedKeyUsage: ['serverAuth', 'clientAuth'],
  });
  return { chainPem: [leaf.certificatePem, root.certificatePem], privateKeyHex: keyPair.privateKeyHex };
}

/**
 * `openssl s_client -connect HOST:PORT [-showcerts]` from an istio-proxy container to a sidecar: the
 * server sends its chain and a CertificateRequest, s_client has no client certificate, so the
 * sidecar ends the handshake with alert 116 (certificate_required), as in the L7 article.
 */
export function sClientToSidecar(options: {
  seed: number;
  root: MeshRootCertificate;
  server: MeshCertificate;
  host: string;
  port: number;
  atMs: number;
  showCerts: boolean;
  openssl?: OpensslBuild;
  threadId?: bigint;
}): { output: string; exitCode: number } {
  const root = renderMeshRoot(options.seed, options.root);
  const { chainPem } = renderWorkloadChain(options.seed, root, options.server);
  return formatOpensslSClient({
    host: options.host,
    port: options.port,
    serverChainPem: chainPem,
    caFilePem: [],
    atMs: options.atMs,
    cipherSuite: 'TLS_AES_256_GCM_SHA384',
    acceptableClientCaNames: [root.name],
    requestedSignatureAlgorithms: envoyRequestedSignatureAlgorithms,
    sniAcknowledged: false,
    clientCertificateSent: false,
    alertAfterHandshake: { code: 116 },
    showCerts: options.showCerts,
    ...(options.openssl !== undefined ? { openssl: options.openssl } : {}),
    ...(options.threadId !== undefined ? { threadId: options.threadId } : {}),
  });
}
