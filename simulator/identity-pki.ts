/**
 * The certificate and handshake layer: deterministic X.509 (pki/), Istio's identity model (istio/),
 * SPIRE for Cilium mutual authentication (spire/) and the TLS 1.3 mutual handshake with its
 * terminal formatters (tls/). It pulls in @noble/curves, @noble/hashes and @peculiar/asn1-*, so
 * `simulator/index.ts` must not import it statically; load it with `import()` where a page needs it.
 */
export * from './pki/encoding';
export * from './pki/keys';
export * from './pki/certificate';
export * from './pki/authority';
export * from './pki/verify';
export * from './pki/cert-text';
export * from './istio/identity';
export * from './istio/ca-defaults';
export * from './istio/ca';
export * from './istio/rotation';
export * from './istio/peer-authentication';
export * from './istio/authorization';
export * from './spire/spire';
export * from './spire/svid-rules';
export * from './tls/key-schedule';
export * from './tls/handshake';
export * from './tls/handshake-machine';
export * from './tls/s-client';
export * from './tls/handshake-cases';
