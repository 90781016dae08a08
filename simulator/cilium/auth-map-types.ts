/**
 * The auth map's and the auth manager's state as the world holds it (auth-map.ts reads and prints
 * it): plain data that imports nothing, so world.ts can name it without a cycle.
 */

/** A key of the auth map. */
export interface AuthKey {
  localIdentity: number;
  remoteIdentity: number;
  /** 0 for the local node. */
  remoteNodeId: number;
  /** 1 = spire, 2 = test-always-fail. */
  authType: number;
}

/** One auth map entry, with what the model knows about where it came from. */
export interface AuthMapEntry {
  key: AuthKey;
  /** The value: until when the pair is authenticated (virtual ms; the kernel keeps seconds). */
  expirationMs: number;
  /** When the auth manager wrote it (the authmap cache's storedAt). */
  storedAtMs: number;
  /** Number of the handshake that produced it. */
  handshake: number;
}

/** A certificate as one side of a handshake presented it. */
export interface HandshakeCertificate {
  spiffeId: string;
  serialHex: string;
  issuerSerialHex: string;
  notBeforeMs: number;
  notAfterMs: number;
}

/**
 * One mutual-authentication handshake, as plain data: the node whose datapath asked for it is the
 * TLS client, the node the remote node id points to is the server. Enough for a widget to rebuild
 * the exchange (ClientHello with the SNI, the two certificate chains, the checks each side makes).
 */
export interface HandshakeRecord {
  number: number;
  /** When the agent started it and when it ended (virtual ms). */
  startedAtMs: number;
  atMs: number;
  /** Why it ran: a datapath signal, or a certificate rotation. */
  reason: 'signal' | 'rotation';
  /** The authenticating node (TLS client) and its agent pod. */
  node: string;
  agentPod: string;
  key: AuthKey;
  /** The peer the remote node id resolved to, and where the client dialled. */
  peerNode?: string;
  peerAddress: string;
  port: number;
  trustDomain: string;
  /** `<remote identity>.<trust domain>`. */
  sni: string;
  /** TLS 1.3 is the minimum the agents accept. */
  tlsVersion: 'TLS 1.3';
  /** What the client presented: the SVID of the local identity. */
  clientCertificate?: HandshakeCertificate;
  /** What the server picked by SNI: its SVID of the remote identity. */
  serverCertificate?: HandshakeCertificate;
  /** The checks as each side made them, in order. */
  checks: { side: 'client' | 'server'; check: string; passed: boolean }[];
  result: 'success' | 'failure';
  failure?: string;
  /** The auth map entry's expiration on success: the earlier of the two notAfter. */
  expirationMs?: number;
  sentence: string;
}

/** A node's auth map and its auth manager's bookkeeping. */
export interface NodeAuthState {
  authMap: Record<string, AuthMapEntry>;
  /** Keys with a handshake under way (the manager's `pending` set), with when it ends. */
  pending: Record<
    string,
    { key: AuthKey; startedAtMs: number; dueMs: number; reason: 'signal' | 'rotation' }
  >;
  /** Signals the datapath wrote to the perf ring that the agent has not read yet. */
  signals: { key: AuthKey; atMs: number }[];
}

/** Mutual authentication across the cluster. */
export interface MutualAuthState {
  nodes: Record<string, NodeAuthState>;
  /** The most recent handshakes, oldest first. */
  handshakes: HandshakeRecord[];
  nextHandshakeNumber: number;
}
