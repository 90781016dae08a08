/**
 * kind's Cluster configuration (kind.x-k8s.io/v1alpha4), reduced to what shapes the model: node
 * roles and the networking block. Defaults follow kind's v1alpha4 API defaulting.
 */

export interface KindClusterConfig {
  name: string;
  nodes: { role: 'control-plane' | 'worker' }[];
  disableDefaultCNI: boolean;
  podSubnet: string;
  serviceSubnet: string;
}

/** `kind create cluster` with no config: one control-plane node, kindnet, default subnets. */
export const defaultKindConfig: KindClusterConfig = {
  name: 'kind',
  nodes: [{ role: 'control-plane' }],
  disableDefaultCNI: false,
  podSubnet: '10.244.0.0/16',
  serviceSubnet: '10.96.0.0/16',
};

/** A problem with a kind config, phrased as kind reports it. */
export interface KindConfigError {
  path: string;
  message: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads a parsed kind config (one YAML document); unknown top-level fields are refused as kind's strict
 * decoding does; fields the model does not use are accepted and ignored.
 */
export function kindConfigFromDocument(
  yamlDocument: unknown,
  name = 'kind',
): { config?: KindClusterConfig; errors: KindConfigError[] } {
  const errors: KindConfigError[] = [];
  if (yamlDocument === null || yamlDocument === undefined)
    return { config: { ...defaultKindConfig, name }, errors };
  if (!isRecord(yamlDocument)) return { errors: [{ path: '', message: 'config must be a YAML mapping' }] };
  if (yamlDocument.kind !== 'Cluster')
    errors.push({ path: 'kind', message: `unknown kind "${String(yamlDocument.kind)}", expected Cluster` });
  if (yamlDocument.apiVersion !== 'kind.x-k8s.io/v1alpha4') {
    errors.push({
      path: 'apiVersion',
      message: `unknown apiVersion "${String(yamlDocument.apiVersion)}", expected kind.x-k8s.io/v1alpha4`,
    });
  }
  const known = new Set([
    'kind',
    'apiVersion',
    'name',
    'nodes',
    'networking',
    'featureGates',
    'runtimeConfig',
    'kubeadmConfigPatches',
    'containerdConfigPatches',
  ]);
  for (const key of Object.keys(yamlDocument)) {
    if (!known.has(key)) errors.push({ path: key, message: `unknown field "${key}"` });
  }
  const nodes: KindClusterConfig['nodes'] = [];
  if (yamlDocument.nodes !== undefined) {
    if (!Array.isArray(yamlDocument.nodes)) errors.push({ path: 'nodes', message: 'nodes must be a list' });
    else {
      yamlDocument.nodes.forEach((node: unknown, index) => {
        const role = isRecord(node) ? node.role : undefined;
        if (role === 'control-plane' || role === 'worker') nodes.push({ role });
        else
          errors.push({
            path: `nodes[${index}].role`,
            message: `invalid role "${String(role)}": must be control-plane or worker`,
          });
      });
    }
  }
  if (nodes.length === 0 && yamlDocument.nodes === undefined) nodes.push({ role: 'control-plane' });
  if (nodes.filter((node) => node.role === 'control-plane').length !== 1 && errors.length === 0) {
    errors.push({ path: 'nodes', message: 'the model supports exactly one control-plane node' });
  }
  const networking = isRecord(yamlDocument.networking) ? yamlDocument.networking : {};
  const disableDefaultCNI = networking.disableDefaultCNI === true;
  const podSubnet =
    typeof networking.podSubnet === 'string' ? networking.podSubnet : defaultKindConfig.podSubnet;
  const serviceSubnet =
    typeof networking.serviceSubnet === 'string' ? networking.serviceSubnet : defaultKindConfig.serviceSubnet;
  const clusterName = typeof yamlDocument.name === 'string' ? yamlDocument.name : name;
  if (errors.length > 0) return { errors };
  return { config: { name: clusterName, nodes, disableDefaultCNI, podSubnet, serviceSubnet }, errors };
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
