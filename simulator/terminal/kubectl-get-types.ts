/**
 * The resource types and names a `kubectl get` command line asks for, read as kubectl's resource
 * builder reads its arguments (k8s.io/cli-runtime/pkg/resource/builder.go at v0.33.0:
 * ResourceTypeOrNameArgs, splitResourceTypeName, MultipleTypesRequested): `TYPE[,TYPE…] [NAME…]`,
 * or `TYPE/NAME…` in any number, never both; the `all` category expands to the workload kinds.
 */

/** One type and the names asked for in it (none: list them all). */
export interface TypeRequest {
  readonly typeName: string;
  readonly names: readonly string[];
}

/**
 * The `all` category as a kind cluster's discovery lists it, in discovery order (core, apps,
 * batch); StatefulSets, HorizontalPodAutoscalers and CronJobs are in it too, but the simulated
 * API server serves none of them, so they would only ever print nothing.
 */
const allCategory = [
  'pods',
  'replicationcontrollers',
  'services',
  'daemonsets.apps',
  'deployments.apps',
  'replicasets.apps',
  'jobs.batch',
] as const;

/** Splits `TYPE,TYPE` and expands `all`, keeping the first of any repeated type. */
function typeNamesOf(text: string): string[] {
  const names: string[] = [];
  for (const part of text.split(',')) {
    if (part === '') continue;
    for (const name of part === 'all' ? allCategory : [part]) if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** What the arguments ask for, and whether several types were asked for (names then carry their type). */
export function requestedTypes(
  positionals: readonly string[],
): { several: boolean; groups: TypeRequest[] } | { error: string } {
  const [first = '', ...rest] = positionals;
  const slashed = positionals.filter((argument) => argument.includes('/'));
  if (slashed.length > 0) {
    if (slashed.length !== positionals.length)
      return {
        error:
          "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'",
      };
    const groups: { typeName: string; names: string[] }[] = [];
    for (const argument of positionals) {
      const [typeName = '', name = ''] = argument.split('/');
      if (name === '')
        return { error: `error: arguments in resource/name form must have a single resource and name` };
      const group = groups.find((candidate) => candidate.typeName === typeName);
      if (group === undefined) groups.push({ typeName, names: [name] });
      else group.names.push(name);
    }
    return { several: groups.length > 1, groups };
  }
  const typeNames = typeNamesOf(first);
  const several = typeNames.length > 1 || first.split(',').includes('all');
  return { several, groups: typeNames.map((typeName) => ({ typeName, names: rest })) };
}

/**
 * Resource types a real kind cluster serves that the simulated API server does not have, by the
 * names readers type for them (kubectl api-resources on kind v1.33). For these, the error says the
 * simulator lacks them rather than letting the reader think kind does.
 */
const unmodelledTypes = new Set([
  'events',
  'event',
  'ev',
  'events.events.k8s.io',
  'endpointslices',
  'endpointslice',
  'endpointslices.discovery.k8s.io',
  'storageclasses',
  'storageclass',
  'sc',
  'persistentvolumes',
  'persistentvolume',
  'pv',
  'persistentvolumeclaims',
  'persistentvolumeclaim',
  'pvc',
  'statefulsets',
  'statefulset',
  'sts',
  'cronjobs',
  'cronjob',
  'cj',
  'horizontalpodautoscalers',
  'horizontalpodautoscaler',
  'hpa',
  'ingresses',
  'ingress',
  'ing',
  'ingressclasses',
  'ingressclass',
  'leases',
  'lease',
  'limitranges',
  'limits',
  'resourcequotas',
  'quota',
  'poddisruptionbudgets',
  'pdb',
  'priorityclasses',
  'pc',
]);

/** kubectl's error for a type the server lacks, with a note when a real kind cluster has it. */
export function unknownTypeError(typeName: string): string {
  const error = `error: the server doesn't have a resource type "${typeName}"`;
  return unmodelledTypes.has(typeName.toLowerCase())
    ? `${error} (a kind cluster serves it; the simulator does not model ${typeName} yet)`
    : error;
}
