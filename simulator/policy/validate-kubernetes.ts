/**
 * Validates a networking.k8s.io/v1 NetworkPolicy. Kubernetes validates these itself (no CRD), so
 * every refusal here is the API server's (pkg/apis/networking/validation/validation.go,
 * ValidateNetworkPolicyPeer; selectors through apimachinery's ValidateLabelSelector).
 */
import { parsePrefix, prefixContains } from './cidr';
import { readObject, type ObjectReader, type ValidationContext } from './field-reader';
import type {
  CidrRule,
  KubernetesNetworkPolicy,
  KubernetesPeer,
  KubernetesPort,
  KubernetesRule,
} from './model';
import { emptySelector } from './model';
import { joinPath } from './policy-error';
import { readSelector } from './read-selector';
import type { KindDecoder } from './parse-documents';
import type { SourceNode } from './source-tree';

function readIpBlock(context: ValidationContext, reader: ObjectReader): CidrRule | undefined {
  const block = reader.object('ipBlock', ['cidr', 'except']);
  if (!block) return undefined;
  const cidr = block.string('cidr');
  if (!cidr) {
    context.invalid(block.childPath('cidr'), block.position, 'Required value');
    return undefined;
  }
  const outer = parsePrefix(cidr.value);
  if (!outer || !cidr.value.includes('/')) {
    context.invalid(
      cidr.path,
      cidr.position,
      `Invalid value: "${cidr.value}": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)`,
    );
    return undefined;
  }
  const except: string[] = [];
  block.list('except', (item, itemPath) => {
    const text = item.type === 'scalar' && typeof item.value === 'string' ? item.value : undefined;
    const inner = text === undefined ? undefined : parsePrefix(text);
    if (text === undefined || !inner) {
      context.invalid(
        itemPath,
        item.position,
        `Invalid value: "${String(text)}": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)`,
      );
      return undefined;
    }
    // The API server requires each except to be strictly inside the block.
    if (!prefixContains(outer, inner) || inner.length === outer.length) {
      context.invalid(
        itemPath,
        item.position,
        `Invalid value: "${text}": must be a strict subset of \`cidr\``,
      );
      return undefined;
    }
    except.push(text);
    return text;
  });
  return { cidr: cidr.value, except };
}

function readPeer(context: ValidationContext, node: SourceNode, path: string): KubernetesPeer | undefined {
  const peer = readObject(context, node, path, ['podSelector', 'namespaceSelector', 'ipBlock']);
  if (!peer) return undefined;
  const podNode = peer.node('podSelector');
  const namespaceNode = peer.node('namespaceSelector');
  const ipBlock = readIpBlock(context, peer);
  if (ipBlock && (podNode || namespaceNode)) {
    context.invalid(path, peer.position, 'Forbidden: may not specify both ipBlock and another peer');
    return undefined;
  }
  if (!ipBlock && !podNode && !namespaceNode) {
    context.invalid(path, peer.position, 'Required value: must specify a peer');
    return undefined;
  }
  const podSelector = podNode
    ? readSelector(context, podNode, peer.childPath('podSelector'), true)
    : undefined;
  const namespaceSelector = namespaceNode
    ? readSelector(context, namespaceNode, peer.childPath('namespaceSelector'), true)
    : undefined;
  return {
    ...(podSelector ? { podSelector } : {}),
    ...(namespaceSelector ? { namespaceSelector } : {}),
    ...(ipBlock ? { ipBlock } : {}),
  };
}

function readPort(context: ValidationContext, node: SourceNode, path: string): KubernetesPort | undefined {
  const port = readObject(context, node, path, ['port', 'endPort', 'protocol']);
  if (!port) return undefined;
  const protocolText = port.string('protocol');
  let protocol: KubernetesPort['protocol'] = 'TCP';
  if (protocolText) {
    if (protocolText.value !== 'TCP' && protocolText.value !== 'UDP' && protocolText.value !== 'SCTP') {
      context.invalid(
        protocolText.path,
        protocolText.position,
        `Unsupported value: "${protocolText.value}": supported values: "SCTP", "TCP", "UDP"`,
      );
      return undefined;
    }
    protocol = protocolText.value;
  }
  const portNode = port.node('port');
  const portPath = joinPath(path, 'port');
  let value: number | string | undefined;
  if (portNode?.type === 'scalar' && typeof portNode.value === 'number') {
    if (!Number.isInteger(portNode.value) || portNode.value < 1 || portNode.value > 65535) {
      context.invalid(
        portPath,
        portNode.position,
        `Invalid value: ${portNode.value}: must be between 1 and 65535, inclusive`,
      );
      return undefined;
    }
    value = portNode.value;
  } else if (portNode?.type === 'scalar' && typeof portNode.value === 'string') {
    if (
      !/^[a-z0-9](?:-?[a-z0-9])*$/.test(portNode.value) ||
      !/[a-z]/.test(portNode.value) ||
      portNode.value.length > 15
    ) {
      context.invalid(
        portPath,
        portNode.position,
        `Invalid value: "${portNode.value}": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)`,
      );
      return undefined;
    }
    value = portNode.value;
  } else if (portNode) {
    context.invalid(portPath, portNode.position, 'Invalid value: port must be an integer or a string');
    return undefined;
  }
  const endPort = port.integer('endPort');
  if (endPort) {
    if (typeof value !== 'number') {
      context.invalid(
        endPort.path,
        endPort.position,
        'Invalid value: may not be specified when `port` is non-numeric',
      );
      return undefined;
    }
    if (endPort.value < value || endPort.value > 65535) {
      context.invalid(
        endPort.path,
        endPort.position,
        `Invalid value: ${endPort.value}: must be greater than or equal to \`port\``,
      );
      return undefined;
    }
  }
  return {
    protocol,
    ...(value !== undefined ? { port: value } : {}),
    ...(endPort && endPort.value > (value as number) ? { endPort: endPort.value } : {}),
  };
}

function readRule(
  context: ValidationContext,
  node: SourceNode,
  path: string,
  ingress: boolean,
): KubernetesRule | undefined {
  const peerKey = ingress ? 'from' : 'to';
  const rule = readObject(context, node, path, [peerKey, 'ports']);
  if (!rule) return undefined;
  const peers = rule.list(peerKey, (item, itemPath) => readPeer(context, item, itemPath));
  const ports = rule.list('ports', (item, itemPath) => readPort(context, item, itemPath));
  // Kubernetes treats an empty `from`/`ports` list exactly like an omitted one: no restriction.
  return {
    ...(peers && peers.length > 0 ? { peers } : {}),
    ...(ports && ports.length > 0 ? { ports } : {}),
  };
}

/** Reads the spec of a NetworkPolicy whose metadata was already read. */
function readKubernetesPolicy(
  context: ValidationContext,
  spec: SourceNode | undefined,
  name: string,
  namespace: string,
): KubernetesNetworkPolicy | undefined {
  if (!spec)
    return {
      kind: 'NetworkPolicy',
      name,
      namespace,
      podSelector: emptySelector,
      policyTypes: ['Ingress'],
      ingress: [],
      egress: [],
    };
  const reader = readObject(context, spec, 'spec', ['podSelector', 'policyTypes', 'ingress', 'egress']);
  if (!reader) return undefined;
  const podNode = reader.node('podSelector');
  const podSelector = podNode ? readSelector(context, podNode, 'spec.podSelector', true) : emptySelector;
  const ingress = reader.list('ingress', (item, itemPath) => readRule(context, item, itemPath, true)) ?? [];
  const egress = reader.list('egress', (item, itemPath) => readRule(context, item, itemPath, false)) ?? [];
  const typesWritten = reader.list('policyTypes', (item, itemPath) => {
    if (item.type === 'scalar' && (item.value === 'Ingress' || item.value === 'Egress')) return item.value;
    context.invalid(
      itemPath,
      item.position,
      `Unsupported value: "${String(item.type === 'scalar' ? item.value : item.type)}": supported values: "Egress", "Ingress"`,
    );
    return undefined;
  });
  // Without policyTypes, Kubernetes implies Ingress, plus Egress when there are egress rules.
  const policyTypes =
    typesWritten ?? (egress.length > 0 ? (['Ingress', 'Egress'] as const) : (['Ingress'] as const));
  if (!podSelector) return undefined;
  return {
    kind: 'NetworkPolicy',
    name,
    namespace,
    podSelector,
    policyTypes: [...policyTypes],
    ingress,
    egress,
  };
}

/**
 * The API server's reader of NetworkPolicy objects, a built-in kind of networking.k8s.io/v1
 * (pkg/apis/networking/types.go): its name must be a DNS subdomain (ValidateNetworkPolicy).
 */
export const networkPolicyDecoder: KindDecoder = {
  apiVersion: 'networking.k8s.io/v1',
  rootKeys: ['apiVersion', 'kind', 'metadata', 'spec', 'status'],
  nameIsDnsSubdomain: true,
  decode: (context, root, name, namespace) =>
    readKubernetesPolicy(context, root.node('spec'), name, namespace ?? 'default'),
};
