/**
 * Workloads joining the mesh, and the certificates that give them their Istio identity.
 *
 * - Sidecar mode: the injection webhook adds istio-init and istio-proxy to every pod created in a
 *   namespace labelled `istio-injection=enabled` (so `kubectl get pods` shows READY 2/2). When the
 *   containers start, istio-agent sends a CSR with the pod's projected ServiceAccount token; istiod
 *   checks the token (TokenReview: the token is bound to a pod that still exists) and signs the
 *   identity the token names, `spiffe://cluster.local/ns/<ns>/sa/<sa>`, whatever the CSR asked for.
 * - Ambient mode: pods of a namespace labelled `istio.io/dataplane-mode=ambient` keep one container;
 *   the ztunnel of their node asks for a certificate of each service account with a pod on that node
 *   (impersonation, allowed because ztunnel's own account is trusted and such a pod runs there).
 * - Either holder rotates at 50 % ± 1 % of the certificate's life (24 h), with the world's PRNG.
 *
 * Identity never comes from labels or addresses: only from the pod's ServiceAccount.
 */
import { randomHex } from '../engine/prng';
import { istioRotationTimeMs } from '../istio/rotation';
import { getObject, keyOf } from '../k8s/api-store';
import type { Pod } from '../k8s/objects';
import type { Sandbox, World } from '../world';
import { schedule } from '../world';
import { istiodRunning, ztunnelRunning } from './install';
import {
  dataplaneModeLabel,
  injectionLabel,
  istioNamespace,
  istioVersion,
  meshDefaults,
  meshLog,
  spiffeIdOf,
  type CertificateHolder,
  type MeshCertificate,
  type MeshState,
} from './state';

/** How a namespace takes part in the mesh, from its labels. */
function namespaceDataplane(world: Readonly<World>, namespace: string): 'sidecar' | 'ambient' | undefined {
  const labels =
    world.cluster === undefined
      ? undefined
      : getObject(world.cluster.api, 'Namespace', namespace)?.metadata.labels;
  if (labels?.[injectionLabel] === 'enabled') return 'sidecar';
  if (labels?.[dataplaneModeLabel] === 'ambient') return 'ambient';
  return undefined;
}

/** The service account a pod runs as (the one its token names). */
export function serviceAccountOf(pod: Pod): string {
  return pod.spec.serviceAccountName ?? pod.spec.serviceAccount ?? 'default';
}

/** Whether a pod carries an injected sidecar. */
export function hasSidecar(pod: Pod): boolean {
  return (
    pod.spec.containers.some((container) => container.name === 'istio-proxy') &&
    pod.metadata.namespace !== istioNamespace
  );
}

/** Whether a pod is captured by its node's ztunnel (ambient mode). */
export function inAmbientMesh(world: Readonly<World>, pod: Pod): boolean {
  const mesh = world.cluster?.mesh;
  if (mesh?.components.ztunnel !== true || pod.spec.hostNetwork === true || hasSidecar(pod)) return false;
  const podMode = pod.metadata.labels?.[dataplaneModeLabel];
  if (podMode === 'none') return false;
  return (
    podMode === 'ambient' || namespaceDataplane(world, pod.metadata.namespace ?? 'default') === 'ambient'
  );
}

/**
 * The sidecar injection webhook, a mutating admission plugin (k8s/extension-points.ts): called for a
 * pod about to be created. Adds istio-init and istio-proxy, the labels and annotations the webhook
 * writes, when the namespace asks for it.
 */
export function injectSidecar(world: Readonly<World>, pod: Pod): void {
  const mesh = world.cluster?.mesh;
  if (mesh?.components.istiod !== true || pod.spec.hostNetwork === true) return;
  const namespace = pod.metadata.namespace ?? 'default';
  if (namespace === istioNamespace || namespaceDataplane(world, namespace) !== 'sidecar') return;
  const optOut =
    pod.metadata.labels?.['sidecar.istio.io/inject'] === 'false' ||
    pod.metadata.annotations?.['sidecar.istio.io/inject'] === 'false';
  if (optOut || hasSidecar(pod)) return;
  const image = `docker.io/istio/proxyv2:${istioVersion}`;
  const appContainers = pod.spec.containers.map((container) => container.name);
  pod.spec = {
    ...pod.spec,
    initContainers: [
      ...(pod.spec.initContainers ?? []),
      {
        name: 'istio-init',
        image,
        args: [
          'istio-iptables',
          '-p',
          '15001',
          '-z',
          '15006',
          '-u',
          '1337',
          '-m',
          'REDIRECT',
          '-i',
          '*',
          '-x',
          '',
          '-b',
          '*',
          '-d',
          '15090,15021,15020',
        ],
      },
    ],
    containers: [
      ...pod.spec.containers,
      {
        name: 'istio-proxy',
        image,
        args: ['proxy', 'sidecar', '--domain', `$(POD_NAMESPACE).svc.${mesh.trustDomain}`],
        ports: [{ containerPort: 15090, name: 'http-envoy-prom', protocol: 'TCP' }],
      },
    ],
  };
  const labels = pod.metadata.labels ?? {};
  pod.metadata.labels = {
    ...labels,
    'security.istio.io/tlsMode': 'istio',
    'service.istio.io/canonical-name':
      labels.app ??
      labels['app.kubernetes.io/name'] ??
      pod.metadata.generateName?.replace(/-[a-z0-9]+-$/, '') ??
      pod.metadata.name,
    'service.istio.io/canonical-revision': labels.version ?? labels['app.kubernetes.io/version'] ?? 'latest',
  };
  pod.metadata.annotations = {
    ...pod.metadata.annotations,
    'kubectl.kubernetes.io/default-container': appContainers[0] ?? 'istio-proxy',
    'sidecar.istio.io/status': JSON.stringify({
      initContainers: ['istio-init'],
      containers: ['istio-proxy'],
      volumes: [
        'workload-socket',
        'credential-socket',
        'workload-certs',
        'istio-envoy',
        'istio-data',
        'istio-podinfo',
        'istio-token',
        'istiod-ca-cert',
      ],
      imagePullSecrets: null,
      revision: 'default',
    }),
  };
}

/** A fresh certificate for an identity, drawn from the world's PRNG (serial and rotation jitter). */
export function issueCertificate(
  world: World,
  mesh: MeshState,
  spiffeId: string,
  generation: number,
): MeshCertificate {
  const issuedAtMs = world.timeMs;
  const serialHex = randomHex(world.random, 32);
  const notAfterMs = Math.min(issuedAtMs + meshDefaults.workloadCertTtlMs, mesh.root.notAfterMs);
  // istio-agent rotates at expire − grace, grace = (0.5 ± up to 0.01) × lifetime (istio/rotation.ts).
  const rotateAtMs = istioRotationTimeMs({ createdAtMs: issuedAtMs, expireAtMs: notAfterMs }, world.random);
  return {
    spiffeId,
    serialHex,
    issuer: mesh.root.subject,
    issuedAtMs,
    notBeforeMs: issuedAtMs - meshDefaults.clockSkewGraceMs,
    notAfterMs,
    rotateAtMs,
    generation,
  };
}

function scheduleRotation(world: World, holder: CertificateHolder, certificate: MeshCertificate): void {
  schedule(world, certificate.rotateAtMs - world.timeMs, {
    type: 'mesh.certificate.rotate',
    holder,
    spiffeId: certificate.spiffeId,
    serialHex: certificate.serialHex,
  });
}

/** kubelet hook: a pod's containers started on a node. */
export function meshContainersStarted(world: World, node: string, sandbox: Sandbox): void {
  const cluster = world.cluster;
  const mesh = cluster?.mesh;
  if (cluster === undefined || mesh === undefined) return;
  const pod = getObject(cluster.api, 'Pod', sandbox.podKey);
  if (pod === undefined || pod.metadata.uid !== sandbox.podUid) return;
  const namespace = pod.metadata.namespace ?? 'default';
  if (hasSidecar(pod)) {
    mesh.sidecars[sandbox.podKey] = {
      podKey: sandbox.podKey,
      podUid: sandbox.podUid,
      namespace,
      serviceAccount: serviceAccountOf(pod),
      node,
      csrCount: 0,
    };
    schedule(world, meshDefaults.csrRoundTripMs, {
      type: 'mesh.sidecar.csr',
      podKey: sandbox.podKey,
      podUid: sandbox.podUid,
    });
    return;
  }
  if (inAmbientMesh(world, pod) && mesh.ztunnels[node] !== undefined) {
    const spiffeId = spiffeIdOf(mesh, namespace, serviceAccountOf(pod));
    if (mesh.ztunnels[node].certificates[spiffeId] === undefined)
      schedule(world, meshDefaults.csrRoundTripMs, {
        type: 'mesh.ztunnel.csr',
        node,
        namespace,
        serviceAccount: serviceAccountOf(pod),
      });
  }
}

/** kubelet hook: a pod's sandbox is gone; its sidecar and its key go with it. */
export function meshSandboxRemoved(world: World, sandbox: Sandbox): void {
  const mesh = world.cluster?.mesh;
  const sidecar = mesh?.sidecars[sandbox.podKey];
  if (mesh !== undefined && sidecar?.podUid === sandbox.podUid) delete mesh.sidecars[sandbox.podKey];
}

/** istiod's answer to istio-agent's CSR: signs the identity the pod's ServiceAccount token names. */
export function handleSidecarCsr(world: World, podKey: string, podUid: string): void {
  const cluster = world.cluster;
  const mesh = cluster?.mesh;
  const sidecar = mesh?.sidecars[podKey];
  if (cluster === undefined || mesh === undefined || sidecar?.podUid !== podUid) return;
  sidecar.csrCount += 1;
  if (!istiodRunning(world)) {
    // The agent keeps retrying with back-off until istiod answers.
    const delay = Math.min(60_000, meshDefaults.csrRetryMs * 2 ** Math.min(sidecar.csrCount - 1, 5));
    meshLog(
      mesh,
      world.timeMs,
      `${podKey}: CSR to istiod.istio-system.svc:15012 failed (no istiod); retrying in ${delay / 1000} s`,
    );
    schedule(world, delay, { type: 'mesh.sidecar.csr', podKey, podUid });
    return;
  }
  // TokenReview: a bound token is valid only while its pod exists with the same uid.
  const pod = getObject(cluster.api, 'Pod', podKey);
  if (pod === undefined || pod.metadata.uid !== podUid) {
    meshLog(
      mesh,
      world.timeMs,
      `${podKey}: istiod refused the CSR: the ServiceAccount token's pod no longer exists`,
    );
    return;
  }
  const spiffeId = spiffeIdOf(mesh, sidecar.namespace, serviceAccountOf(pod));
  const generation = (sidecar.certificate?.spiffeId === spiffeId ? sidecar.certificate.generation : 0) + 1;
  sidecar.certificate = issueCertificate(world, mesh, spiffeId, generation);
  meshLog(
    mesh,
    world.timeMs,
    `${podKey}: istiod signed ${spiffeId} (serial ${sidecar.certificate.serialHex})`,
  );
  scheduleRotation(world, { kind: 'sidecar', podKey, podUid }, sidecar.certificate);
}

/** Whether a pod with this service account runs on the node (istiod's impersonation check). */
function serviceAccountOnNode(
  world: Readonly<World>,
  node: string,
  namespace: string,
  serviceAccount: string,
): boolean {
  const cluster = world.cluster;
  if (cluster === undefined) return false;
  return Object.values(cluster.nodes[node]?.kubelet.sandboxes ?? {}).some((sandbox) => {
    if (sandbox.state !== 'running') return false;
    const pod = getObject(cluster.api, 'Pod', sandbox.podKey);
    return (
      pod !== undefined &&
      (pod.metadata.namespace ?? 'default') === namespace &&
      serviceAccountOf(pod) === serviceAccount
    );
  });
}

/** istiod's answer to ztunnel's CSR for an identity it impersonates. Returns the certificate, if signed. */
export function handleZtunnelCsr(
  world: World,
  node: string,
  namespace: string,
  serviceAccount: string,
): MeshCertificate | undefined {
  const mesh = world.cluster?.mesh;
  const ztunnel = mesh?.ztunnels[node];
  if (mesh === undefined || ztunnel === undefined || !ztunnelRunning(world, node)) return undefined;
  const spiffeId = spiffeIdOf(mesh, namespace, serviceAccount);
  if (!istiodRunning(world)) {
    meshLog(mesh, world.timeMs, `${ztunnel.podName}: CSR for ${spiffeId} failed (no istiod)`);
    schedule(world, meshDefaults.csrRetryMs, { type: 'mesh.ztunnel.csr', node, namespace, serviceAccount });
    return undefined;
  }
  if (!serviceAccountOnNode(world, node, namespace, serviceAccount)) {
    meshLog(
      mesh,
      world.timeMs,
      `${ztunnel.podName}: istiod refused to impersonate ${spiffeId}: no pod with that identity runs on ${node}`,
    );
    return undefined;
  }
  const existing = ztunnel.certificates[spiffeId];
  const certificate = issueCertificate(world, mesh, spiffeId, (existing?.generation ?? 0) + 1);
  ztunnel.certificates[spiffeId] = certificate;
  meshLog(
    mesh,
    world.timeMs,
    `${ztunnel.podName}: istiod signed ${spiffeId} for ${node} (serial ${certificate.serialHex})`,
  );
  scheduleRotation(world, { kind: 'ztunnel', node }, certificate);
  return certificate;
}

/** A holder's rotation time: it asks for a new certificate if it still holds the one that is due. */
export function handleRotation(
  world: World,
  holder: CertificateHolder,
  spiffeId: string,
  serialHex: string,
): void {
  const mesh = world.cluster?.mesh;
  if (mesh === undefined) return;
  if (holder.kind === 'sidecar') {
    const sidecar = mesh.sidecars[holder.podKey];
    if (sidecar?.podUid !== holder.podUid || sidecar.certificate?.serialHex !== serialHex) return;
    meshLog(mesh, world.timeMs, `${holder.podKey}: istio-agent rotates ${spiffeId} (serial ${serialHex})`);
    handleSidecarCsr(world, holder.podKey, holder.podUid);
    return;
  }
  const ztunnel = mesh.ztunnels[holder.node];
  if (ztunnel?.certificates[spiffeId]?.serialHex !== serialHex) return;
  const parsed = /\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(spiffeId);
  if (parsed === null) return;
  const signed = handleZtunnelCsr(world, holder.node, parsed[1] ?? '', parsed[2] ?? '');
  // No pod of that identity left on the node: ztunnel lets the certificate lapse.
  if (signed === undefined && !serviceAccountOnNode(world, holder.node, parsed[1] ?? '', parsed[2] ?? ''))
    delete ztunnel.certificates[spiffeId];
}

/** The workload certificate currently held for a pod: its sidecar's, or its node's ztunnel's for its identity. */
export function certificateForPod(
  world: Readonly<World>,
  pod: Pod,
  node: string,
): MeshCertificate | undefined {
  const mesh = world.cluster?.mesh;
  if (mesh === undefined) return undefined;
  const key = keyOf(pod);
  if (hasSidecar(pod)) {
    const sidecar = mesh.sidecars[key];
    return sidecar?.podUid === pod.metadata.uid ? sidecar.certificate : undefined;
  }
  return mesh.ztunnels[node]?.certificates[
    spiffeIdOf(mesh, pod.metadata.namespace ?? 'default', serviceAccountOf(pod))
  ];
}
