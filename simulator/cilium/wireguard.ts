/**
 * Cilium's WireGuard (pkg/wireguard/agent at v1.12.0): each agent creates one static key pair for its
 * node when it first starts (the private key stays in /var/lib/cilium/cilium_wg0.key across
 * restarts) and publishes the public key in its CiliumNode's `network.cilium.io/wg-pub-key`
 * annotation; every other agent adds the node as a peer of its cilium_wg0 device with that key
 * and the node's pod addresses as allowed IPs. Traffic is not encrypted with the static keys: the
 * kernel's Noise handshake between two peers derives session keys for that pair, and WireGuard
 * replaces them with a new handshake about every two minutes (REKEY_AFTER_TIME = 120 s,
 * drivers/net/wireguard/messages.h).
 */
import { nextUint32 } from '../engine/prng';
import { toBase64 } from '../pki/encoding';
import type { World } from '../world';
import type { CiliumConfig } from './config';
import type { AgentState } from './state';

/** cilium_wg0's listen port (wireguard.ListenPort). */
const wireguardListenPort = 51871;

/** The CiliumNode annotation that carries a node's WireGuard public key. */
export const wireguardPublicKeyAnnotation = 'network.cilium.io/wg-pub-key';

/** How often a pair of peers replaces its session keys (REKEY_AFTER_TIME). */
export const wireguardRekeyAfterMs = 120_000;

/**
 * Gives an agent its node's static key pair the first time it starts with WireGuard: the model keeps
 * the public key only (32 random bytes from the world's generator, base64 as `wg` prints it).
 */
export function ensureWireguardKey(world: World, agent: AgentState, config: CiliumConfig): void {
  if (config.encryption !== 'wireguard' || agent.wireguardPublicKey !== undefined) return;
  const bytes = new Uint8Array(32);
  for (let index = 0; index < bytes.length; index += 4) {
    const word = nextUint32(world.random);
    bytes[index] = word >>> 24;
    bytes[index + 1] = (word >>> 16) & 0xff;
    bytes[index + 2] = (word >>> 8) & 0xff;
    bytes[index + 3] = word & 0xff;
  }
  agent.wireguardPublicKey = toBase64(bytes);
}

/**
 * The `Encryption:` value of `cilium status` with WireGuard (FormatStatusResponse in
 * pkg/client/client.go): the mode, then the device with its public key, port and peer count; from
 * 1.14 the node-encryption setting comes first (cilium/cilium#24399).
 */
export function wireguardStatusValue(config: CiliumConfig, agent: AgentState, peers: number): string {
  const device = `cilium_wg0 (Pubkey: ${agent.wireguardPublicKey ?? ''}, Port: ${wireguardListenPort}, Peers: ${peers})`;
  if (config.versionMinor < 14) return `Wireguard   [${device}]`;
  const nodeEncryption = config.values['encryption.nodeEncryption'] === 'true' ? 'Enabled' : 'Disabled';
  return `Wireguard   [NodeEncryption: ${nodeEncryption}, ${device}]`;
}
