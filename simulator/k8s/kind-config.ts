/**
 * kind's Cluster configuration (kind.x-k8s.io/v1alpha4), reduced to what shapes the model: node
 * roles and images, and the networking block. Reading follows kind's pkg/internal/apis/config
 * (v0.30.0): encoding/load.go decodes strictly (an unknown field is an error with its line, as
 * yaml.v3's KnownFields reports it), v1alpha4/default.go fills the defaults, validate.go checks
 * the result and reports every problem at once.
 */
import { isMap, isScalar, isSeq, parseDocument, type YAMLMap } from 'yaml';
import { parsePrefix } from '../net/ipv4';

export interface KindClusterConfig {
  name: string;
  /** A node without an image boots the default image of the reader's kind release. */
  nodes: { role: 'control-plane' | 'worker'; image?: string }[];
  disableDefaultCNI: boolean;
  podSubnet: string;
  serviceSubnet: string;
  /** `networking.kubeProxyMode`: kind runs kube-proxy in iptables mode unless told `none`. */
  kubeProxyMode?: KubeProxyMode;
}

export type KubeProxyMode = 'iptables' | 'ipvs' | 'nftables' | 'none';
const kubeProxyModes: readonly string[] = ['iptables', 'ipvs', 'nftables', 'none'];

/** `kind create cluster` with no config: one control-plane node, kindnet, default subnets. */
export const defaultKindConfig: KindClusterConfig = {
  name: 'kind',
  nodes: [{ role: 'control-plane' }],
  disableDefaultCNI: false,
  podSubnet: '10.244.0.0/16',
  serviceSubnet: '10.96.0.0/16',
};

/** A config, or kind's error for it (without the `failed to create cluster: ` kind adds). */
export type KindConfigResult = { config: KindClusterConfig } | { error: string };

/** The fields of each v1alpha4 type; anything else is refused by the strict decoder. */
const knownFields = {
  Cluster: [
    'kind',
    'apiVersion',
    'name',
    'featureGates',
    'runtimeConfig',
    'nodes',
    'networking',
    'kubeadmConfigPatches',
    'kubeadmConfigPatchesJSON6902',
    'containerdConfigPatches',
    'containerdConfigPatchesJSON6902',
  ],
  Node: [
    'role',
    'image',
    'labels',
    'extraMounts',
    'extraPortMappings',
    'kubeadmConfigPatches',
    'kubeadmConfigPatchesJSON6902',
  ],
  Networking: [
    'ipFamily',
    'apiServerPort',
    'apiServerAddress',
    'podSubnet',
    'serviceSubnet',
    'disableDefaultCNI',
    'kubeProxyMode',
    'dnsSearch',
  ],
} as const;

/** kind's cluster names (validate.go's validNameRE). */
const validName = /^[a-z0-9.-]+$/;

/** The 1-based line of an offset in a text. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}

/** yaml.v3's KnownFields complaints about one mapping, with their lines. */
function unknownFields(text: string, map: YAMLMap, type: keyof typeof knownFields): string[] {
  const known: readonly string[] = knownFields[type];
  const problems: string[] = [];
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (known.includes(key)) continue;
    const offset = isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0;
    problems.push(`line ${lineAt(text, offset)}: field ${key} not found in type v1alpha4.${type}`);
  }
  return problems;
}

/** Every strict-decoding problem of a Cluster document. */
function decodingProblems(text: string, root: YAMLMap): string[] {
  const problems = unknownFields(text, root, 'Cluster');
  const nodes = root.get('nodes', true);
  if (isSeq(nodes)) {
    for (const node of nodes.items) if (isMap(node)) problems.push(...unknownFields(text, node, 'Node'));
  } else if (nodes !== undefined && !(isScalar(nodes) && nodes.value === null)) {
    const line = lineAt(text, isScalar(nodes) || isMap(nodes) ? (nodes.range?.[0] ?? 0) : 0);
    problems.push(`line ${line}: cannot unmarshal !!${isMap(nodes) ? 'map' : 'str'} into []v1alpha4.Node`);
  }
  const networking = root.get('networking', true);
  if (isMap(networking)) problems.push(...unknownFields(text, networking, 'Networking'));
  return problems;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The defaulted config (v1alpha4/default.go) from the decoded document. */
function defaulted(document: Record<string, unknown>, nameOverride: string | undefined): KindClusterConfig {
  const networking = (document.networking ?? {}) as Record<string, unknown>;
  const nodes = Array.isArray(document.nodes) ? (document.nodes as unknown[]) : [];
  const parsedNodes = nodes.map((node) => {
    const fields = (node ?? {}) as Record<string, unknown>;
    const image = text(fields.image);
    const role = (text(fields.role) ?? 'control-plane') as 'control-plane' | 'worker';
    return image === undefined ? { role } : { role, image };
  });
  return {
    name: nameOverride ?? text(document.name) ?? 'kind',
    nodes: parsedNodes.length > 0 ? parsedNodes : [{ role: 'control-plane' }],
    disableDefaultCNI: networking.disableDefaultCNI === true,
    podSubnet: text(networking.podSubnet) ?? defaultKindConfig.podSubnet,
    serviceSubnet: text(networking.serviceSubnet) ?? defaultKindConfig.serviceSubnet,
    ...(networking.kubeProxyMode !== undefined
      ? {
          kubeProxyMode: (text(networking.kubeProxyMode) ??
            JSON.stringify(networking.kubeProxyMode)) as KubeProxyMode,
        }
      : {}),
  };
}

/** validate.go's checks, every problem at once as kind's aggregate error prints them. */
export function validateKindConfig(config: KindClusterConfig): string | undefined {
  const problems: string[] = [];
  if (!validName.test(config.name))
    problems.push(`'${config.name}' is not a valid cluster name, cluster names must match \`^[a-z0-9.-]+$\``);
  config.nodes.forEach((node, index) => {
    if (node.role !== 'control-plane' && node.role !== 'worker')
      problems.push(
        `invalid configuration for node ${index}: ${JSON.stringify(node.role)} is not a valid node role`,
      );
  });
  for (const [label, cidr] of [
    ['pod', config.podSubnet],
    ['service', config.serviceSubnet],
  ] as const) {
    // The model's clusters are IPv4 only; an IPv6 or dual-stack subnet is refused here too.
    if (parsePrefix(cidr, true) === undefined)
      problems.push(
        `invalid ${label} subnet failed to parse cidr value:${JSON.stringify(cidr)} with error: invalid CIDR address: ${cidr}`,
      );
  }
  if (config.kubeProxyMode !== undefined && !kubeProxyModes.includes(config.kubeProxyMode))
    problems.push(`invalid kubeProxyMode: ${config.kubeProxyMode}`);
  const controlPlanes = config.nodes.filter((node) => node.role === 'control-plane').length;
  if (controlPlanes < 1) problems.push('must have at least one control-plane node');
  if (problems.length === 0 && controlPlanes > 1)
    // kind would add a load balancer in front of several control planes; the model has one.
    problems.push('the simulator models one control-plane node per cluster');
  if (problems.length === 0) return undefined;
  return problems.length === 1 ? problems[0] : `[${problems.join(', ')}]`;
}

/**
 * Reads a kind config file as kind does: type first (`unknown apiVersion: …`), then strict
 * decoding and defaulting; `validateKindConfig` comes later, after the check for an existing
 * cluster of that name (create.go). `nameOverride` is `--name` (or KIND_CLUSTER_NAME).
 */
export function parseKindConfig(source: string, nameOverride?: string): KindConfigResult {
  const parsed = parseDocument(source);
  const syntax = parsed.errors[0];
  if (syntax !== undefined) {
    const line = lineAt(source, syntax.pos[0]);
    const reason =
      syntax.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? 'invalid YAML';
    return { error: `could not determine kind / apiVersion for config: yaml: line ${line}: ${reason}` };
  }
  const value: unknown = parsed.toJS({ maxAliasCount: 10 });
  const document = (
    typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}
  ) as Record<string, unknown>;
  const apiVersion = text(document.apiVersion) ?? '';
  if (apiVersion !== 'kind.x-k8s.io/v1alpha4') return { error: `unknown apiVersion: ${apiVersion}` };
  if (document.kind !== 'Cluster')
    return { error: `unknown kind ${text(document.kind) ?? ''} for apiVersion: ${apiVersion}` };
  const problems = isMap(parsed.contents) ? decodingProblems(source, parsed.contents) : [];
  if (problems.length > 0)
    return { error: `unable to decode config: yaml: unmarshal errors:\n  ${problems.join('\n  ')}` };
  return { config: defaulted(document, nameOverride) };
}

/** kind's node container names: `<cluster>-control-plane`, `<cluster>-worker`, `<cluster>-worker2`, … */
export function kindNodeNames(config: KindClusterConfig): string[] {
  let workers = 0;
  return config.nodes.map((node) => {
    if (node.role === 'control-plane') return `${config.name}-control-plane`;
    workers += 1;
    return workers === 1 ? `${config.name}-worker` : `${config.name}-worker${workers}`;
  });
}
