/**
 * Mutual authentication in the datapath (Cilium 1.14+): after a policy entry that carries an auth
 * type allows a packet, the node's auth map must hold an entry for the pair, or the packet is
 * dropped and the agent's auth manager is asked to run a handshake (auth-manager.ts). Upstream:
 * `auth_lookup` in `bpf/lib/auth.h`, called from the policy stage of `bpf/bpf_lxc.c`.
 */
import type { Cluster, World } from '../world';
import { lookupIpcache } from './agent-ipcache';
import { authMapLookup, projectedAuthEntry, signalAuthRequired } from './auth-manager';
import { toGoString } from '../engine/virtual-time';
import { authTypeNames, remoteNodeIdFor, type AuthKey, type AuthMapEntry } from './auth-map';
import type { AuthDropReason } from './datapath-types';
import type { PolicyVerdict } from '../policy/index';
import type { AgentState } from './state';

/** The auth step's outcome for one packet. */
export type AuthCheck =
  | { ok: true; key?: AuthKey; entry?: AuthMapEntry; peerIP?: string }
  | { ok: false; drop: AuthDropReason; key?: AuthKey; sentence: string };

/**
 * auth_lookup (bpf/lib/auth.h): when the policy entry carries an auth type, the packet passes only
 * if the node's auth map holds an unexpired entry for {local identity, remote identity as this
 * node resolved it, remote node id, auth type}. A miss writes an auth-required signal for the
 * agent and drops the packet; a peer behind a tunnel endpoint the node map does not know drops
 * with "No node ID found". `now` can lie ahead of the clock for a retransmission.
 */
export function checkAuthentication(
  world: World,
  cluster: Cluster,
  agent: AgentState,
  verdict: PolicyVerdict,
  localIdentity: number,
  remoteIdentity: number,
  peerIP: string,
  now: number,
): AuthCheck {
  if (verdict.decision !== 'allowed' || verdict.authType === 0) return { ok: true };
  const tunnelEndpoint = lookupIpcache(cluster, agent, peerIP).hostIP;
  const remoteNodeId = remoteNodeIdFor(cluster, agent, tunnelEndpoint);
  const typeName = authTypeNames[verdict.authType] ?? String(verdict.authType);
  if (remoteNodeId === undefined)
    return {
      ok: false,
      drop: 'NO_NODE_ID',
      sentence: `${agent.node}'s policy entry requires authentication (${typeName}), but its node map has no id for tunnel endpoint ${tunnelEndpoint}, so the packet is dropped with reason 197 "No node ID found".`,
    };
  const key: AuthKey = { localIdentity, remoteIdentity, remoteNodeId, authType: verdict.authType };
  const entry =
    now > world.timeMs
      ? projectedAuthEntry(world, agent.node, key, now)
      : authMapLookup(cluster, agent.node, key, now);
  if (entry !== undefined) return { ok: true, key, entry, peerIP };
  signalAuthRequired(world, agent.node, key, now);
  return {
    ok: false,
    drop: 'AUTH_REQUIRED',
    key,
    sentence: `${agent.node}'s policy entry requires authentication (${typeName}) and its auth map has no valid entry for local ${localIdentity}, remote ${remoteIdentity}, remote node ${remoteNodeId}: the datapath drops the packet with reason 189 "Authentication required" and signals ${agent.podName}'s auth manager.`,
  };
}

/** The sentence for a packet the auth map let through. */
export function authPassSentence(agent: AgentState, check: AuthCheck, now: number): string | undefined {
  if (!check.ok || check.key === undefined || check.entry === undefined) return undefined;
  const { key, entry } = check;
  const written =
    entry.storedAtMs > now || entry.handshake === 0
      ? `written by the handshake that finished at ${toGoString(entry.storedAtMs)}`
      : `written by handshake #${entry.handshake}`;
  return `${agent.node}'s auth map holds local ${key.localIdentity}, remote ${key.remoteIdentity}, remote node ${key.remoteNodeId} (${authTypeNames[key.authType] ?? key.authType}) until ${toGoString(entry.expirationMs)}, ${written}, so the packet passes.`;
}

/**
 * Why the auth map let a packet from a mistaken source through: the key holds the identity the
 * receiver's own ipcache gave the address, and the handshake proved only which agent holds that
 * identity's SVID, never which pod sent the packet.
 */
export function mistakenPastAuthSentence(
  cluster: Cluster,
  receiver: AgentState,
  sender: { node: string; podName: string; identity: number },
  sourceIP: string,
  believedIdentity: number,
): string {
  const peer = Object.values(cluster.nodes).find(
    (node) => node.internalIP === lookupIpcache(cluster, receiver, sourceIP).hostIP,
  );
  return `Mutual authentication does not catch it: the remote identity ${believedIdentity} in the key is what ${receiver.node}'s own ipcache says about ${sourceIP}, and the handshake only proved that the agent on ${peer?.name ?? sender.node} holds identity ${believedIdentity}'s SVID (every agent holds every identity's SVID), not that the packet came from a pod with that identity; it came from ${sender.podName} (identity ${sender.identity}).`;
}
