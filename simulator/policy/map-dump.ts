/**
 * The compiled policy map as `cilium bpf policy get <endpoint>` lists it, one row per entry, in a
 * stable order, with the columns of the endpoint's Cilium version.
 */
import { reservedIdentityNames } from '../cilium/reserved-identities';
import type { EndpointPolicy, IdentityDirectory } from './endpoint-policy';
import { labelSetToStrings } from '../cilium/labels';
import { portKeyToString, versionAtLeast } from './policy-key';

/** One row of the policy-map listing. */
export interface PolicyMapRow {
  /** `Allow` or `Deny`. */
  readonly policy: 'Allow' | 'Deny';
  readonly direction: 'Ingress' | 'Egress';
  readonly identity: number;
  /** `reserved:world`, `k8s:app=web ...`, or `ANY` for identity 0. */
  readonly labels: string;
  /** `80/TCP`, `8080-8087/TCP` (LPM only), `any/UDP` (LPM only) or `ANY`. */
  readonly port: string;
  readonly proxyPort: number;
  /** Present from 1.14, when the value gained auth_type. */
  readonly authType?: 'disabled' | 'spire' | 'test-always-fail';
  /** Present with the LPM map (1.16+): bits of protocol and port the key covers. */
  readonly prefixLength?: number;
  /** The rules behind the entry, for the simulator's explanations (not a Cilium column). */
  readonly rules: readonly string[];
}

const authNames = ['disabled', 'spire', 'test-always-fail'] as const;

/** Lists the map of an endpoint, ingress then egress, by identity and port. */
export function policyMapRows(policy: EndpointPolicy, identities?: IdentityDirectory): PolicyMapRow[] {
  const rows: PolicyMapRow[] = [];
  const withAuth = versionAtLeast(policy.ciliumVersion, 1, 14);
  for (const direction of ['ingress', 'egress'] as const) {
    const state = policy[direction];
    const ids = [...state.entries.keys()].sort((a, b) => a - b);
    for (const id of ids) {
      const entries = [...(state.entries.get(id)?.values() ?? [])].sort(
        (a, b) => a.key.protocol - b.key.protocol || a.key.port - b.key.port || b.key.prefix - a.key.prefix,
      );
      for (const entry of entries) {
        const name = reservedIdentityNames[id];
        const labels =
          id === 0
            ? 'ANY'
            : name !== undefined
              ? `reserved:${name}`
              : labelSetToStrings(identities?.labelsOf(id) ?? {}).join(' ') || `identity ${id}`;
        rows.push({
          policy: entry.deny ? 'Deny' : 'Allow',
          direction: direction === 'ingress' ? 'Ingress' : 'Egress',
          identity: id,
          labels,
          port: portKeyToString(entry.key),
          proxyPort: entry.proxyPort,
          rules: entry.derivedFrom.map((reference) => reference.rule),
          ...(withAuth ? { authType: authNames[entry.authType] } : {}),
          ...(policy.layout === 'lpm'
            ? { prefixLength: entry.key.protocol === 0 ? 0 : 8 + entry.key.prefix }
            : {}),
        });
      }
    }
  }
  return rows;
}
