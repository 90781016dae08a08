/**
 * The CustomResourceDefinitions Cilium's operator registers when it starts. The list depends on the
 * release and on a few Helm values (agentCRDResourceNames and AllCiliumCRDResourceNames in
 * pkg/k8s/synced/crd.go, v1.12–v1.18; CreateCustomResourceDefinitions in
 * pkg/k8s/apis/cilium.io/client/register.go creates each one). The chart itself installs none.
 */
import type { CiliumConfig } from './config';

/**
 * The kinds of Cilium's CRDs whose manifests the lab applies: the API server serves them once the
 * operator has run (composition.ts registers them as custom kinds).
 */
export const ciliumCrds: readonly string[] = [
  'CiliumNetworkPolicy',
  'CiliumClusterwideNetworkPolicy',
  'CiliumEndpoint',
  'CiliumIdentity',
  'CiliumNode',
];

/** A Helm value read as the chart's boolean. */
function enabled(config: CiliumConfig, key: string): boolean {
  return config.values[key] === 'true';
}

/** The plural names (without `.cilium.io`) of the CRDs the operator of this release creates. */
export function ciliumCrdPlurals(config: CiliumConfig): string[] {
  const minor = config.versionMinor;
  const names = ['ciliumnodes', 'ciliumidentities', 'ciliumendpoints'];
  // 1.17 lets either policy kind be switched off; both are on by default.
  if (minor < 17 || config.values['enableCiliumNetworkPolicy'] !== 'false')
    names.push('ciliumnetworkpolicies');
  if (minor < 17 || config.values['enableCiliumClusterwideNetworkPolicy'] !== 'false')
    names.push('ciliumclusterwidenetworkpolicies');
  if (minor >= 14) names.push('ciliumcidrgroups', 'ciliumpodippools', 'ciliuml2announcementpolicies');
  if (minor >= 13) names.push('ciliumnodeconfigs', 'ciliumloadbalancerippools');
  // External workloads were removed in 1.18.
  if (minor <= 17) names.push('ciliumexternalworkloads');
  if (enabled(config, 'ciliumEndpointSlice.enabled') || enabled(config, 'enableCiliumEndpointSlice'))
    names.push('ciliumendpointslices');
  if (enabled(config, 'egressGateway.enabled')) {
    names.push('ciliumegressgatewaypolicies');
    if (minor <= 12) names.push('ciliumegressnatpolicies');
  }
  if (enabled(config, 'localRedirectPolicy')) names.push('ciliumlocalredirectpolicies');
  // The chart sets enable-envoy-config for envoyConfig (1.14+), the ingress controller or the
  // Gateway API; before 1.14 only an extraConfig entry sets it besides the ingress controller.
  if (
    [
      'envoyConfig.enabled',
      'ingressController.enabled',
      'gatewayAPI.enabled',
      'extraConfig.enable-envoy-config',
    ].some((key) => enabled(config, key))
  )
    names.push('ciliumenvoyconfigs', 'ciliumclusterwideenvoyconfigs');
  if (minor >= 18 && enabled(config, 'gatewayAPI.enabled')) names.push('ciliumgatewayclassconfigs');
  if (enabled(config, 'bgpControlPlane.enabled')) {
    names.push('ciliumbgppeeringpolicies');
    if (minor <= 12) names.push('ciliumbgploadbalancerippools');
    if (minor >= 16)
      names.push(
        'ciliumbgpclusterconfigs',
        'ciliumbgpadvertisements',
        'ciliumbgppeerconfigs',
        'ciliumbgpnodeconfigs',
        'ciliumbgpnodeconfigoverrides',
      );
  }
  return names.sort();
}
