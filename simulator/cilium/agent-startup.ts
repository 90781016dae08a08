/**
 * Checks the cilium-agent makes on its own configuration before it initialises the daemon. The
 * agent reads its configuration from `cilium-config` when its container starts
 * (cilium/agent-pod.ts); a failed check makes it log a fatal line and exit, and the kubelet
 * restarts the container with its CrashLoopBackOff back-off (k8s/container-lifecycle.ts), so the
 * node's CNI never becomes ready.
 */
import type { CiliumConfig } from './config';

/**
 * The fatal message the agent exits with for this configuration, or undefined when it starts.
 *
 * Up to 1.13 WireGuard and the L7 proxy used the same skb mark bits, and the agent refuses the pair:
 * cilium/cilium v1.12.0 daemon/cmd/daemon_main.go (the `EnableWireguard` switch before
 * `wireguard.NewAgent`) calls log.Fatalf with this text. Commit aa7ab0b ("daemon: Drop L7 check for
 * WireGuard", first released in 1.14) removed the check; cilium-cli therefore sets `l7Proxy=false`
 * with WireGuard for charts below 1.14 (cilium-cli install/helm.go).
 */
export function agentStartRefusal(config: CiliumConfig): string | undefined {
  if (config.encryption === 'wireguard' && config.l7Proxy && config.versionMinor <= 13)
    return 'Wireguard (--enable-wireguard) is not compatible with L7 proxy (--enable-l7-proxy)';
  return undefined;
}

/**
 * The fatal message for a cilium-config that turns on WireGuard and IPsec together, which the model's
 * configuration cannot even hold (one encryption type): the WireGuard agent's constructor refuses
 * it in every release (v1.12.0 daemon/cmd/daemon_main.go; `newWireguardAgent` in the agent's cells
 * later), spelled "WireGuard … IPsec" since the 1.14 renames.
 */
export function encryptionConflict(
  minor: number,
  data: Readonly<Record<string, string>>,
): string | undefined {
  if (data['enable-wireguard'] !== 'true' || data['enable-ipsec'] !== 'true') return undefined;
  return minor <= 13
    ? 'Wireguard (--enable-wireguard) cannot be used with IPSec (--enable-ipsec)'
    : 'WireGuard (--enable-wireguard) cannot be used with IPsec (--enable-ipsec)';
}
