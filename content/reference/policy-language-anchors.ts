/**
 * Where the sections of the policy-language page went when it was split into one page per part of
 * the docs' policy language (layer 3, layer 4, layer 7, deny, disk-based and host policies). A link
 * to `/reference/policy-language/#<old anchor>` made before the split is sent on to the section's
 * new place by `src/components/MovedAnchors.astro`; `test/unit/reference/moved-anchors.test.ts`
 * checks that every old anchor is here and that every target heading exists.
 */
export const movedAnchors: Readonly<Record<string, string>> = {
  'layer-3-who-may-talk': '/reference/policy-language/layer-3/',
  endpoints: '/reference/policy-language/layer-3/#endpoints',
  'additional-label-requirements-fromrequires-torequires':
    '/reference/policy-language/layer-3/#additional-label-requirements-fromrequires-torequires',
  services: '/reference/policy-language/layer-3/#services',
  entities: '/reference/policy-language/layer-3/#entities',
  nodes: '/reference/policy-language/layer-3/#nodes',
  'ip-and-cidr': '/reference/policy-language/layer-3/#ip-and-cidr',
  'dns-names-tofqdns': '/reference/policy-language/dns-names/',
  'layer-4-ports-and-protocols': '/reference/policy-language/layer-4/',
  'icmp-and-icmpv6-types': '/reference/policy-language/layer-4/#icmp-and-icmpv6-types',
  'tls-server-names': '/reference/policy-language/layer-4/#tls-server-names',
  'layer-7-requests': '/reference/policy-language/layer-7/',
  http: '/reference/policy-language/layer-7/#http',
  'kafka-beta': '/reference/policy-language/layer-7/#kafka-beta',
  dns: '/reference/policy-language/layer-7/#dns',
  'watching-dns-without-blocking-it': '/reference/policy-language/layer-7/#watching-dns-without-blocking-it',
  'when-a-refused-lookup-breaks-the-search-list':
    '/reference/policy-language/layer-7/#when-a-refused-lookup-breaks-the-search-list',
  'deny-policies': '/reference/policy-language/deny-policies/',
  'policies-from-files-on-the-node': '/reference/policy-language/disk-based/',
  'host-policies': '/reference/policy-language/host-policies/',
};

