import { describe, expect, it } from 'vitest';
import { ScenarioPlayer, authFlowPicture, keyHoldersPicture, scenarios } from '../../../simulator/index';

// The seed 002 article's figures 6 and 7: which keys protect the traffic, and who can read it.
function finished(id: string) {
  const player = new ScenarioPlayer(scenarios[id]!);
  while (player.next() !== undefined) {
    // Run every step.
  }
  return keyHoldersPicture(player.simulation.state);
}

describe('pictures: who holds the keys', () => {
  it('shows Cilium’s handshake keys protecting nothing and WireGuard keys shared per node pair', () => {
    const keys = finished('mutual-auth');
    const handshakes = keys.filter((key) => key.key.includes('mutual-auth handshake'));
    expect(handshakes.length).toBeGreaterThan(0);
    for (const handshake of handshakes) {
      expect(handshake.protects).toEqual([]);
      expect(handshake.holders.every((holder) => holder.startsWith('cilium-agent on '))).toBe(true);
    }
    const tunnels = keys.filter((key) => key.key.startsWith('WireGuard session keys'));
    expect(tunnels.length).toBeGreaterThan(0);
    for (const tunnel of tunnels) {
      const [a, b] = tunnel.key.replace('WireGuard session keys of ', '').split(' ↔ ');
      expect(tunnel.holders).toEqual([
        `the kernel of ${a ?? ''} (anyone root on it)`,
        `the kernel of ${b ?? ''} (anyone root on it)`,
      ]);
      expect(tunnel.note).toMatch(/replaced about every 2 minutes/);
    }
  });

  it('shows one static WireGuard key pair per node, published in its CiliumNode, protecting nothing', () => {
    const keys = finished('mutual-auth');
    const tunnelNodes = new Set(
      keys
        .filter((key) => key.key.startsWith('WireGuard session keys of '))
        .flatMap((key) => key.key.replace('WireGuard session keys of ', '').split(' ↔ ')),
    );
    const statics = keys.filter((key) => key.key.startsWith('WireGuard static key pair of '));
    expect(statics.map((key) => key.key.replace('WireGuard static key pair of ', ''))).toEqual(
      [...tunnelNodes].sort(),
    );
    for (const key of statics) {
      expect(key.protects).toEqual([]);
      expect(key.holders).toHaveLength(1);
      expect(key.note).toContain('network.cilium.io/wg-pub-key');
    }
  });

  it('gives every Istio connection its own keys, held by its two sidecars only', () => {
    const keys = finished('istio-mistaken-identity').filter((key) => key.key.includes('(mTLS)'));
    expect(keys.length).toBeGreaterThanOrEqual(5);
    for (const key of keys) {
      expect(key.protects).toHaveLength(1);
      expect(key.holders).toHaveLength(2);
      expect(key.holders.every((holder) => holder.endsWith("'s istio-proxy"))).toBe(true);
    }
    expect(new Set(keys.map((key) => key.key)).size).toBe(keys.length);
  });
});

describe('pictures: the mutual-authentication flow', () => {
  it('tells the first authenticated connection as drop, signal, handshake, entry, retransmission', () => {
    const player = new ScenarioPlayer(scenarios['mutual-auth']!);
    expect(authFlowPicture(player.simulation.state)).toBeUndefined();
    for (let step = 0; step < 3; step++) player.next();
    const flow = authFlowPicture(player.simulation.state);
    expect(flow?.steps.map((step) => step.outcome)).toEqual([
      'dropped',
      'signal',
      'handshake',
      'stored',
      'allowed',
    ]);
    const [dropped, , handshake, stored, allowed] = flow?.steps ?? [];
    expect(handshake?.label).toMatch(/TLS 1\.3 to [\d.]+:4250, SNI \d+\.spiffe\.cilium: success/);
    expect(stored?.atMs).toBeGreaterThanOrEqual(handshake?.atMs ?? Infinity);
    // The client's TCP stack retransmits its SYN a second later; by then the entry exists.
    expect((allowed?.atMs ?? 0) - (dropped?.atMs ?? 0)).toBe(1000);
    expect(stored?.atMs).toBeLessThan(allowed?.atMs ?? 0);
  });
});
