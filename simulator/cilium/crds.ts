/**
 * The CustomResourceDefinitions Cilium's operator registers when it starts. The list depends on the
 * release and on a few Helm values (agentCRDResourceNames and AllCiliumCRDResourceNames in
 * pkg/k8s/synced/crd.go, v1.12–v1.18; CreateCustomResourceDefinitions in
 * pkg/k8s/apis/cilium.io/client/register.go creates each one). The chart itself installs none.
 */
import type { CustomResourceNames } from '../k8s/extension-points';
import type { CiliumConfig } from './config';

/** The API group of every Cilium CRD. */
export const ciliumApiGroup = 'cilium.io';

/** One of Cilium's CRDs as the API server learns it: kind, names, scope and subresources. */
export interface CiliumCrd {
  kind: string;
  names: CustomResourceNames;
  /** `spec.names.categories`: every Cilium CRD is in `cilium`, the policies in `ciliumpolicy` too. */
  categories: readonly string[];
  scope: 'Namespaced' | 'Cluster';
  /** The versions the CRD serves. */
  versions: readonly string[];
  subresources?: { status?: Record<string, never> };
}

const cilium = ['cilium'] as const;
const ciliumPolicy = ['cilium', 'ciliumpolicy'] as const;
const v2 = ['v2'] as const;

/**
 * The CRDs whose objects the model stores: the API server serves them once the operator has run
 * (custom-kinds.ts registers them). Names, categories, scope, versions and subresources as in
 * pkg/k8s/apis/cilium.io/client/crds/v2/<plural>.yaml (cilium/cilium v1.18): the policy CRDs and
 * CiliumNode have a status subresource, which the operator and the agents write.
 */
export const ciliumCrds: readonly CiliumCrd[] = [
  {
    kind: 'CiliumEndpoint',
    categories: cilium,
    versions: v2,
    names: { plural: 'ciliumendpoints', singular: 'ciliumendpoint', shortNames: ['cep', 'ciliumep'] },
    scope: 'Namespaced',
  },
  {
    kind: 'CiliumIdentity',
    categories: cilium,
    versions: v2,
    names: { plural: 'ciliumidentities', singular: 'ciliumidentity', shortNames: ['ciliumid'] },
    scope: 'Cluster',
  },
  {
    kind: 'CiliumNode',
    categories: cilium,
    versions: v2,
    names: { plural: 'ciliumnodes', singular: 'ciliumnode', shortNames: ['cn', 'ciliumn'] },
    scope: 'Cluster',
    subresources: { status: {} },
  },
  {
    kind: 'CiliumNetworkPolicy',
    categories: ciliumPolicy,
    versions: v2,
    names: {
      plural: 'ciliumnetworkpolicies',
      singular: 'ciliumnetworkpolicy',
      shortNames: ['cnp', 'ciliumnp'],
    },
    scope: 'Namespaced',
    subresources: { status: {} },
  },
  {
    kind: 'CiliumClusterwideNetworkPolicy',
    categories: ciliumPolicy,
    versions: v2,
    names: {
      plural: 'ciliumclusterwidenetworkpolicies',
      singular: 'ciliumclusterwidenetworkpolicy',
      shortNames: ['ccnp'],
    },
    scope: 'Cluster',
    subresources: { status: {} },
  },
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
