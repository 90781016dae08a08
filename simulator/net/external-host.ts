/**
 * A host on the modelled internet (k8s/dns-world.ts lists them): plain data that the datapath's
 * types and the input events name without loading name resolution.
 */

/** A host on the modelled internet. */
export interface ExternalHost {
  name: string;
  /** Addresses its DNS answers with; `rotate` hands out one per query, in turn. */
  addresses: readonly string[];
  ttlSeconds: number;
  rotate?: boolean;
  /** TCP ports an HTTP(S) server answers on. */
  httpPorts: readonly number[];
  /** Whether it answers DNS queries on UDP 53 (a public resolver). */
  resolver?: boolean;
  /** Whether its HTTPS server accepts HTTP/2 in ALPN (false: HTTP/1.1, as the docs show for some). */
  http2?: boolean;
  /**
   * The public root its HTTPS certificate chains to (tls/public-roots.ts): what a client, or Envoy
   * re-encrypting with `originatingTLS`, must trust to accept the server.
   */
  certificateRoot: string;
}
