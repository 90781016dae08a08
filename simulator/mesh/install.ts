/**
 * Installing Istio: `istioctl install --set profile=default|ambient -y`, or the Helm charts of an
 * ambient installation (base, istiod, cni, ztunnel). istiod (and the default profile's ingress
 * gateway) are Deployments that go through the cluster's own controllers, scheduler and CNI; the
 * istio-cni and ztunnel DaemonSets get one pod per node, as the DaemonSet controller would create.
 * istiod's self-signed root (10 years) is kept as metadata; its PEM is rendered lazily elsewhere.
 */
import { randomHex, randomNameSuffix } from '../engine/prng';
import { applyObjects } from '../k8s/apply';
import { apiPut } from '../k8s/api-writes';
import { listObjects } from '../k8s/api-store';
import { newMetadata } from '../k8s/metadata';
import type { ApiObject, Deployment, Pod, Service } from '../k8s/objects';
import type { World } from '../world';
import { requireCluster } from '../world';
import type { IstioHelmChart, IstioInstallRequest } from './events';
import { istioNamespace, istioVersion, meshDefaults, type IstioProfile, type MeshState } from './state';

/** What an installation reports: the components it installed, or why it could not run. */
export type IstioInstallResult =
  | { ok: true; profile: IstioProfile; installed: (keyof MeshState['components'])[] }
  | { ok: false; error: string };

const hub = 'docker.io/istio';

function deploymentObject(
  name: string,
  labels: Record<string, string>,
  serviceAccount: string,
  image: string,
  containerName: string,
  ports: number[],
): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: istioNamespace,
      labels,
      uid: '',
      resourceVersion: '0',
      creationTimestamp: '',
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels: { ...labels, 'sidecar.istio.io/inject': 'false' } },
        spec: {
          serviceAccountName: serviceAccount,
          containers: [
            {
              name: containerName,
              image,
              ports: ports.map((containerPort) => ({ containerPort, protocol: 'TCP' as const })),
            },
          ],
        },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '100%', maxUnavailable: '25%' } },
    },
    status: {},
  };
}

function serviceObject(
  name: string,
  selector: Record<string, string>,
  ports: [string, number, number][],
): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: istioNamespace,
      labels: selector,
      uid: '',
      resourceVersion: '0',
      creationTimestamp: '',
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: '',
      clusterIPs: [],
      selector,
      ports: ports.map(([portName, port, targetPort]) => ({
        name: portName,
        port,
        targetPort,
        protocol: 'TCP',
      })),
    },
    status: {},
  };
}

const bare = (kind: 'Namespace' | 'ServiceAccount', name: string, namespace?: string): ApiObject =>
  ({
    apiVersion: 'v1',
    kind,
    metadata: {
      name,
      ...(namespace !== undefined ? { namespace } : {}),
      uid: '',
      resourceVersion: '0',
      creationTimestamp: '',
    },
    ...(kind === 'Namespace' ? { spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } } : {}),
  }) as ApiObject;

/** A DaemonSet's pod on one node (the DaemonSet object itself is not modelled). */
function daemonPod(
  world: World,
  daemonSet: string,
  node: string,
  labels: Record<string, string>,
  serviceAccount: string,
  image: string,
  containerName: string,
  ports: number[],
  hostNetwork: boolean,
): Pod {
  const metadata = newMetadata(
    world,
    `${daemonSet}-${randomNameSuffix(world.random, 5)}`,
    istioNamespace,
    labels,
  );
  metadata.generateName = `${daemonSet}-`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec: {
      containers: [
        {
          name: containerName,
          image,
          ports: ports.map((containerPort) => ({ containerPort, protocol: 'TCP' as const })),
        },
      ],
      nodeName: node,
      serviceAccountName: serviceAccount,
      serviceAccount,
      terminationGracePeriodSeconds: hostNetwork ? 5 : 30,
      ...(hostNetwork ? { hostNetwork: true } : {}),
      tolerations: [{ operator: 'Exists' }],
    },
    status: { phase: 'Pending' },
  };
}

/** The components a request installs. */
function componentsOf(request: IstioInstallRequest): (keyof MeshState['components'])[] {
  if (request.tool === 'istioctl')
    return request.profile === 'ambient'
      ? ['base', 'istiod', 'cni', 'ztunnel']
      : ['base', 'istiod', 'ingressGateway'];
  const byChart: Record<IstioHelmChart, keyof MeshState['components']> = {
    base: 'base',
    istiod: 'istiod',
    cni: 'cni',
    ztunnel: 'ztunnel',
  };
  return [byChart[request.chart]];
}

function profileOf(request: IstioInstallRequest, existing: MeshState | undefined): IstioProfile {
  if (request.tool === 'istioctl') return request.profile;
  if (request.values?.profile === 'ambient' || request.chart === 'ztunnel' || request.chart === 'cni')
    return 'ambient';
  return existing?.profile ?? 'default';
}

/** Creates what one component consists of. */
function installComponent(world: World, component: keyof MeshState['components']): void {
  const cluster = requireCluster(world);
  const nodes = Object.keys(cluster.nodes).sort();
  switch (component) {
    case 'base':
      applyObjects(world, [bare('Namespace', istioNamespace)]);
      return;
    case 'istiod': {
      const labels = { app: 'istiod', istio: 'pilot' };
      applyObjects(world, [
        bare('ServiceAccount', 'istiod', istioNamespace),
        serviceObject('istiod', labels, [
          ['grpc-xds', 15010, 15010],
          ['https-dns', 15012, 15012],
          ['https-webhook', 443, 15017],
          ['http-monitoring', 15014, 15014],
        ]),
        deploymentObject(
          'istiod',
          labels,
          'istiod',
          `${hub}/pilot:${istioVersion}`,
          'discovery',
          [8080, 15010, 15012, 15014, 15017],
        ),
      ]);
      return;
    }
    case 'ingressGateway': {
      const labels = { app: 'istio-ingressgateway', istio: 'ingressgateway' };
      applyObjects(world, [
        bare('ServiceAccount', 'istio-ingressgateway-service-account', istioNamespace),
        serviceObject('istio-ingressgateway', labels, [
          ['status-port', 15021, 15021],
          ['http2', 80, 8080],
          ['https', 443, 8443],
        ]),
        deploymentObject(
          'istio-ingressgateway',
          labels,
          'istio-ingressgateway-service-account',
          `${hub}/proxyv2:${istioVersion}`,
          'istio-proxy',
          [15021, 8080, 8443, 15090],
        ),
      ]);
      return;
    }
    case 'cni':
      applyObjects(world, [bare('ServiceAccount', 'istio-cni', istioNamespace)]);
      for (const node of nodes)
        apiPut(
          world,
          daemonPod(
            world,
            'istio-cni-node',
            node,
            { 'k8s-app': 'istio-cni-node', 'sidecar.istio.io/inject': 'false' },
            'istio-cni',
            `${hub}/install-cni:${istioVersion}`,
            'install-cni',
            [15014],
            true,
          ),
        );
      return;
    case 'ztunnel': {
      applyObjects(world, [bare('ServiceAccount', 'ztunnel', istioNamespace)]);
      const mesh = cluster.mesh;
      for (const node of nodes) {
        const pod = daemonPod(
          world,
          'ztunnel',
          node,
          { app: 'ztunnel', 'sidecar.istio.io/inject': 'false' },
          'ztunnel',
          `${hub}/ztunnel:${istioVersion}`,
          'istio-proxy',
          [15020, 15021],
          false,
        );
        apiPut(world, pod);
        if (mesh !== undefined) mesh.ztunnels[node] = { node, podName: pod.metadata.name, certificates: {} };
      }
      return;
    }
  }
}

/** Runs `istioctl install` or one `helm install`; reports what it did. */
export function installIstio(world: World, request: IstioInstallRequest): IstioInstallResult {
  const cluster = world.cluster;
  if (cluster === undefined)
    return {
      ok: false,
      error:
        'Error: check minimum supported Kubernetes version: error getting Kubernetes version: no cluster: run `kind create cluster` first',
    };
  const existing = cluster.mesh;
  const wanted = componentsOf(request);
  if (request.tool === 'helm' && request.chart !== 'base' && existing?.components.base !== true)
    return {
      ok: false,
      error: `INSTALLATION FAILED: unable to build kubernetes objects from release manifest: resource mapping not found: install the base chart (istio/base) first`,
    };
  if (request.tool === 'helm' && existing?.components[wanted[0] ?? 'base'] === true)
    return { ok: false, error: 'INSTALLATION FAILED: cannot re-use a name that is still in use' };
  const profile = profileOf(request, existing);
  cluster.mesh ??= {
    profile,
    version: istioVersion,
    trustDomain: meshDefaults.trustDomain,
    installedAtMs: world.timeMs,
    components: { base: false, istiod: false, cni: false, ztunnel: false, ingressGateway: false },
    root: {
      subject: `O=${meshDefaults.trustDomain}`,
      serialHex: randomHex(world.random, 32),
      notBeforeMs: world.timeMs,
      notAfterMs: world.timeMs + meshDefaults.rootTtlMs,
    },
    sidecars: {},
    ztunnels: {},
    connections: [],
    nextConnectionNumber: 1,
    log: [],
  };
  const mesh = cluster.mesh;
  mesh.profile = profile;
  const installed: (keyof MeshState['components'])[] = [];
  for (const component of wanted) {
    if (mesh.components[component]) {
      installed.push(component);
      continue;
    }
    installComponent(world, component);
    mesh.components[component] = true;
    installed.push(component);
  }
  return { ok: true, profile, installed };
}

/** Whether istiod is up: its pod runs (so the CA and the injection webhook answer). */
export function istiodRunning(world: Readonly<World>): boolean {
  const cluster = world.cluster;
  if (cluster?.mesh?.components.istiod !== true) return false;
  return listObjects(cluster.api, 'Pod').some(
    (pod) =>
      pod.metadata.namespace === istioNamespace &&
      pod.metadata.labels?.app === 'istiod' &&
      pod.status.phase === 'Running' &&
      pod.metadata.deletionTimestamp === undefined,
  );
}

/** Whether a node's ztunnel pod runs. */
export function ztunnelRunning(world: Readonly<World>, node: string): boolean {
  const cluster = world.cluster;
  const podName = cluster?.mesh?.ztunnels[node]?.podName;
  if (cluster === undefined || podName === undefined) return false;
  return listObjects(cluster.api, 'Pod').some(
    (pod) =>
      pod.metadata.name === podName &&
      pod.metadata.namespace === istioNamespace &&
      pod.status.phase === 'Running',
  );
}

const componentLines: Record<keyof MeshState['components'], string> = {
  base: '✔ Istio core installed ⛵️',
  istiod: '✔ Istiod installed 🧠',
  cni: '✔ CNI installed 🪢',
  ztunnel: '✔ Ztunnel installed 🔒',
  ingressGateway: '✔ Ingress gateways installed 🛬',
};

/** The question `istioctl install` asks without `-y` / `--skip-confirmation`. */
export function istioctlInstallPrompt(profile: IstioProfile): string {
  const components =
    profile === 'ambient'
      ? 'Istio core, Istiod, CNI, and Ztunnel'
      : 'Istio core, Istiod, and Ingress gateways';
  return `This will install the Istio ${istioVersion} "${profile}" profile (with components: ${components}) into the cluster. Proceed? (y/N) `;
}

/** What `istioctl install --set profile=… -y` prints after it ran (standard output). */
export function istioctlInstallOutput(result: IstioInstallResult): string {
  if (!result.ok) return '';
  const order: (keyof MeshState['components'])[] =
    result.profile === 'ambient'
      ? ['base', 'istiod', 'cni', 'ztunnel']
      : ['base', 'istiod', 'ingressGateway'];
  const lines = order
    .filter((component) => result.installed.includes(component))
    .map((c) => componentLines[c]);
  lines.push('✔ Installation complete');
  lines.push(
    result.profile === 'ambient'
      ? 'The ambient profile has been installed successfully, enjoy Istio without sidecars!'
      : 'Made this installation the default for cluster-wide operations.',
  );
  return `${lines.join('\n')}\n`;
}

/** What `helm install <release> istio/<chart> -n istio-system` prints (the first lines of its notes). */
export function helmInstallOutput(
  chart: IstioHelmChart,
  release: string,
  result: IstioInstallResult,
  revision = 1,
): string {
  if (!result.ok) return '';
  return [
    `NAME: ${release}`,
    `NAMESPACE: ${istioNamespace}`,
    'STATUS: deployed',
    `REVISION: ${revision}`,
    'TEST SUITE: None',
    'NOTES:',
    `"${release}" successfully installed!`,
    chart === 'base' ? '' : `Chart istio/${chart} ${istioVersion} is running in ${istioNamespace}.`,
  ]
    .filter((line) => line !== '')
    .join('\n')
    .concat('\n');
}
