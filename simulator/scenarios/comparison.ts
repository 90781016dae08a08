/**
 * The stale-address experiment under each architecture the guides discuss, run by the same
 * simulator with the same seed, so a reader can compare the verdicts side by side: Cilium with the
 * identity read from the receiver's ipcache or carried in the tunnel, with and without mutual
 * authentication, and Istio in sidecar and ambient mode.
 */
import { scenarios } from './catalog';
import { runScenario } from './runner';
import type { ScenarioVariant } from './types';
import { istioMistakenIdentityVariants } from './istio-mistaken-identity';
import { mutualAuthTunnelIdentityVariant } from './mutual-auth';

/** One architecture of the comparison. */
export interface ArchitectureCase {
  id: string;
  label: string;
  scenario: string;
  variant: ScenarioVariant;
  /** Where the receiving side learns who sent the connection. */
  identitySource: string;
}

export const architectureCases: readonly ArchitectureCase[] = [
  {
    id: 'cilium-1.12-wireguard',
    label: 'Cilium 1.12, WireGuard',
    scenario: 'mistaken-identity',
    variant: {},
    identitySource: 'the receiving node’s ipcache (address → identity)',
  },
  {
    id: 'cilium-1.15-wireguard',
    label: 'Cilium 1.15, WireGuard',
    scenario: 'mistaken-identity',
    variant: { ciliumVersion: '1.15.0' },
    identitySource: 'the tunnel header, written by the sending node',
  },
  {
    id: 'cilium-1.14-mutual-auth',
    label: 'Cilium 1.14, WireGuard + mutual authentication',
    scenario: 'mutual-auth',
    variant: {},
    identitySource: 'the receiving node’s ipcache; the agents then authenticate that identity',
  },
  {
    id: 'cilium-1.15-mutual-auth',
    label: 'Cilium 1.15, WireGuard + mutual authentication',
    scenario: 'mutual-auth',
    variant: mutualAuthTunnelIdentityVariant,
    identitySource: 'the tunnel header; the agents then authenticate that identity',
  },
  {
    id: 'istio-sidecar',
    label: 'Istio sidecars, STRICT mTLS',
    scenario: 'istio-mistaken-identity',
    variant: {},
    identitySource: 'the client certificate the sidecar verified (service account)',
  },
  {
    id: 'istio-ambient',
    label: 'Istio ambient (ztunnel)',
    scenario: 'istio-mistaken-identity',
    variant: istioMistakenIdentityVariants.ambient,
    identitySource: 'the certificate ztunnel verified over HBONE (service account)',
  },
  {
    id: 'istio-shared-service-account',
    label: 'Istio sidecars, sleep-v1 and v2 share one service account',
    scenario: 'istio-mistaken-identity',
    variant: istioMistakenIdentityVariants['shared-service-account'],
    identitySource: 'the client certificate, which names the shared service account',
  },
];

/** What one architecture did with the pod at the recycled address. */
export interface ArchitectureVerdict {
  id: string;
  label: string;
  identitySource: string;
  /** Whether the wrong pod got helloworld-v1's answer. */
  letIn: boolean;
  /** The final curl as the transcript reports it. */
  outcome: string;
  /** The model's reasons, in order. */
  reasons: string[];
  /** Undefined when the run did not get as far as the curl (no address was recycled in time). */
  reusedIp: string | undefined;
}

/** Runs one architecture's experiment with a seed. */
export function runArchitecture(architecture: ArchitectureCase, seed: number): ArchitectureVerdict {
  const scenario = scenarios[architecture.scenario];
  if (scenario === undefined) throw new Error(`unknown scenario ${architecture.scenario}`);
  const transcript = runScenario(scenario, seed, architecture.variant);
  const last = transcript.steps.at(-1);
  const curl = last?.observations.find((observation) => observation.kind === 'curl');
  return {
    id: architecture.id,
    label: architecture.label,
    identitySource: architecture.identitySource,
    letIn: curl?.outcome.kind === 'response' && curl.outcome.body.startsWith('Hello version: v1'),
    outcome: last?.lines[0] ?? 'The run stopped before the final curl.',
    reasons: (last?.lines.slice(1) ?? []).map((line) => line.replace(/^\s*·\s*/, '')),
    reusedIp: transcript.facts.reusedAddress,
  };
}
