/**
 * SPIRE's state in the cluster as the world holds it (spire-model.ts runs it): plain data that
 * imports nothing, so world.ts can name it without a cycle.
 */

/** A SPIRE server CA (an X.509 root for the trust domain). */
export interface SpireCa {
  serialHex: string;
  notBeforeMs: number;
  notAfterMs: number;
}

/** An X.509-SVID in one node's delegate store. */
export interface SvidRecord {
  identity: number;
  spiffeId: string;
  /** 128-bit serial number, hex (SPIRE draws it at random). */
  serialHex: string;
  /** Serial of the CA that signed it. */
  issuerSerialHex: string;
  issuedAtMs: number;
  notBeforeMs: number;
  notAfterMs: number;
  /** When this node's SPIRE agent will renew it. */
  rotateAtMs: number;
}

/** A registration entry the operator created for a CiliumIdentity. */
export interface SpireEntry {
  identity: number;
  spiffeId: string;
  parentId: string;
  selectors: string[];
  createdAtMs: number;
}

/** SPIRE in the cluster. */
export interface SpireState {
  trustDomain: string;
  namespace: string;
  serverPod: string;
  serverNode: string;
  /** SPIRE agent pod per node. */
  agentPods: Record<string, string>;
  /** Whether the server has its CA and the operator has registered the existing identities. */
  ready: boolean;
  /** The trust bundle: every CA not yet expired, the active one last. */
  cas: SpireCa[];
  entries: Record<string, SpireEntry>;
  /** Each node's delegate store: identity → its current SVID. */
  stores: Record<string, Record<string, SvidRecord>>;
  /** Offset of each SPIRE agent's sync loop within the 5 s period. */
  syncPhaseMs: Record<string, number>;
}
