/** Small worlds for kubectl tests: a kind cluster with its default CNI, and manifests we did not write. */
import { Simulation } from '../../../simulator/simulation';
import { TerminalSession } from '../../../simulator/terminal/session';
import { clusterWithCilium } from '../simulator/support';
import { ciliumExample } from '../cilium-examples';
import { labHelmRepositories } from '../../../simulator/scenarios/types';

/**
 * The Star Wars demo of Cilium's getting-started guide, as cilium/cilium ships it in
 * examples/minikube/http-sw-app.yaml (v1.18.5): a Service and a Deployment for the deathstar, and two
 * bare Pods, tiefighter and xwing, with no owner.
 */
export const starWarsDemo = ciliumExample('minikube/http-sw-app.yaml');

/**
 * A kind cluster with kindnet (no Cilium): one control plane and `workers` workers, nodes Ready;
 * with `disableDefaultCNI`, as the Cilium guides create it, the nodes wait for a CNI.
 */
export function kindCluster(
  seed = 5,
  workers = 1,
  options: { disableDefaultCNI?: boolean } = {},
): Simulation {
  const simulation = new Simulation(seed);
  simulation.input({
    type: 'kind.cluster.create',
    config: {
      name: 'kind',
      nodes: [
        { role: 'control-plane' },
        ...Array.from({ length: workers }, () => ({ role: 'worker' as const })),
      ],
      disableDefaultCNI: options.disableDefaultCNI ?? false,
      podSubnet: '10.244.0.0/16',
      serviceSubnet: '10.96.0.0/16',
    },
  });
  simulation.advance(5_000);
  return simulation;
}

/** A terminal on a fresh kind cluster, with files in its home directory. */
export function kindShell(files: Record<string, string> = {}, seed = 5): TerminalSession {
  return new TerminalSession(kindCluster(seed), files);
}

/** A terminal on a kind cluster with Cilium 1.18 (its agents, operator and chart RBAC). */
export function ciliumShell(files: Record<string, string> = {}, seed = 7): TerminalSession {
  return new TerminalSession(clusterWithCilium(seed, 1, '1.18.5', { 'encryption.enabled': 'false' }), files);
}

/**
 * The terminal options of a reader who follows the site's pages: Helm's cilium and istio chart
 * repositories already added, as a lab's terminal starts (scenarios/types.ts labHelmRepositories).
 */
export const withSiteRepositories = { helmRepositories: labHelmRepositories } as const;
