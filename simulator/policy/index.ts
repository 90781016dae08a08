/**
 * The Cilium network-policy engine: read manifests and validate policies (each kind's reader
 * given by the caller: cilium/policy-documents.ts), hold them in a repository,
 * compile an endpoint's policy map, look connections up in it, cross-check with the oracle, and
 * answer L7 requests as the proxies would.
 */
export {
  readManifestDocuments,
  parseLimits,
  schemaFor,
  type KindDecoder,
  type KindDecoders,
  type ParsedObject,
  type ParseOptions,
  type ParseResult,
} from './parse-documents';
export { networkPolicyDecoder } from './validate-kubernetes';
export { readCiliumRule } from './validate-cilium';
export type { SchemaFeatures } from './field-reader';
export type { PolicyError, PolicyErrorStage } from './policy-error';
export { agentImportError } from './import-error';
export type * from './model';
export { PolicyRepository, policyKey, type AgentRefusal } from './repository';
export {
  dropReasonText,
  proxyPorts,
  resolveIdentityLabels,
  type DirectionPolicy,
  type EndpointPolicy,
  type IdentityDirectory,
  type L7Policy,
  type PolicyEndpoint,
  type PolicyEngineConfig,
  type PolicyExplanation,
  type PolicyMapEntry,
  type PolicyQuery,
  type PolicyVerdict,
  type RuleReference,
  type DecisionLayer,
} from './endpoint-policy';
export { computeEndpointPolicy } from './compile';
export { lookupPolicy } from './lookup';
export { evaluatePolicyOracle } from './oracle';
export { enforcementText } from './enforcement';
export {
  accessDeniedBody,
  evaluateDnsQuery,
  evaluateHttpRequest,
  evaluateKafkaRequest,
  evaluateL7,
  type DnsQuestion,
  type HttpRequest,
  type KafkaRequest,
  type L7Answer,
  type L7Request,
} from './l7-proxy';
export {
  layoutFor,
  matchTypeNumbers,
  portKeyToString,
  type MapLayout,
  type MatchType,
  type NamedPortValue,
  type PortKey,
} from './policy-key';
export {
  originToString,
  protocolNumbers,
  type Direction,
  type FlowProtocol,
  type RuleOrigin,
} from './normalize';
export type { ServiceInfo } from './peer-matchers';
export { MapIdentityDirectory } from './identity-directory';
export { dnsNameMatches } from './dns-match';
export { policyMapRows, type PolicyMapRow } from './map-dump';
export { selectorCache, type SelectorCacheEntry } from './selector-cache';
