/**
 * `kubectl top node|pod`: a kind cluster has no metrics-server, so the Metrics API group
 * (metrics.k8s.io) is missing from discovery and kubectl stops before asking for any metrics
 * (k8s.io/kubectl/pkg/cmd/top/top_node.go and top_pod.go at v1.33.0: RunTopNode / RunTopPod check
 * SupportedMetricsAPIVersionAvailable and return `Metrics API not available`).
 */
import { fail, ok, type CommandResult } from './context';

/** The subcommands of `kubectl top`, with their cobra aliases (top.go, top_node.go, top_pod.go). */
const topKinds: Readonly<Record<string, 'node' | 'pod'>> = {
  node: 'node',
  nodes: 'node',
  no: 'node',
  pod: 'pod',
  pods: 'pod',
  po: 'pod',
};

/** kubectl's short help for `kubectl top` with no resource. */
const topHelp = `Display resource (CPU/memory) usage.

 The top command allows you to see the resource consumption for nodes or pods.

 This command requires Metrics Server to be correctly configured and working on the server.

Available Commands:
  node          Display resource (CPU/memory) usage of nodes
  pod           Display resource (CPU/memory) usage of pods

Usage:
  kubectl top [flags] [options]

Use "kubectl <command> --help" for more information about a given command.
Use "kubectl options" for a list of global command-line options (applies to all commands).
`;

/** Runs `kubectl top [node|pod] [NAME]` on a cluster without the Metrics API. */
export function top(positionals: readonly string[], flags: ReadonlyMap<string, string>): CommandResult {
  const [resource, ...names] = positionals;
  if (resource === undefined) return ok(topHelp);
  const kind = topKinds[resource];
  if (kind === undefined) return ok(topHelp);
  // Validate() runs before the discovery check (top_node.go, top_pod.go).
  const sortBy = flags.get('--sort-by');
  if (sortBy !== undefined && sortBy !== '' && sortBy !== 'cpu' && sortBy !== 'memory')
    return fail('error: --sort-by accepts only cpu or memory');
  if (names.length > 1)
    return fail(`error: ${kind} [NAME | -l label]\nSee 'kubectl top ${kind} -h' for help and examples`);
  if (names.length === 1 && flags.has('--selector'))
    return fail('error: only one of NAME or --selector can be provided');
  return fail('error: Metrics API not available');
}
