/**
 * The API server's handling of a Service when it is created or updated: validation
 * (pkg/apis/core/validation/validation.go `ValidateService`), defaults (pkg/apis/core/v1/defaults.go)
 * and the allocation of cluster IPs and node ports (pkg/registry/core/service/storage/alloc.go,
 * pkg/registry/core/service/portallocator), all at Kubernetes v1.24 with the changes later
 * releases made where the cluster runs one.
 *
 * NodePort and LoadBalancer Services get a node port per port from --service-node-port-range
 * (30000-32767 by default), picked at random and scanned forward from there; from Kubernetes 1.28
 * (ServiceNodePortStaticSubrange, on by default) random picks prefer the upper band and leave the
 * first min(max(16, size/32), 128) ports for ports users choose. A port a user gives must be in
 * the range and free. `externalTrafficPolicy` defaults to Cluster and exists only on externally
 * reachable Services; a LoadBalancer Service with the Local policy also gets a
 * `healthCheckNodePort`. kind has no load-balancer controller, so a LoadBalancer Service keeps an
 * empty status and kubectl shows its EXTERNAL-IP as <pending>.
 */
import { serverMinor } from './kubernetes-versions';
import { nextInt } from '../engine/prng';
import type { World } from '../world';
import { requireCluster } from '../world';
import { keyOf, listObjects } from './api-store';
import { allocateClusterIP } from './cluster-create';
import type { Service, ServicePort, ServiceType } from './objects';
import type { ApiRefusal } from './api-errors';
import { requestedClusterIPCauses, serviceEnumCauses, servicePortCauses } from './service-validation';

/** kube-apiserver's --service-node-port-range default. */
const nodePortRange = { base: 30000, size: 2768 } as const;

const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] as const;

/** The Service as stored, or the API server's refusal. */
export type ServiceAdmission = { service: Service } | { refusal: ApiRefusal };

/** Node ports other Services hold. */
function nodePortsInUse(world: World, key: string): Set<number> {
  const used = new Set<number>();
  for (const other of listObjects(requireCluster(world).api, 'Service')) {
    if (keyOf(other) === key) continue;
    for (const port of other.spec.ports) if (port.nodePort !== undefined) used.add(port.nodePort);
    if (other.spec.healthCheckNodePort !== undefined) used.add(other.spec.healthCheckNodePort);
  }
  return used;
}

/** The cluster IPs Services hold. */
function clusterIPsInUse(world: World): Set<string> {
  return new Set(listObjects(requireCluster(world).api, 'Service').map((service) => service.spec.clusterIP));
}

/** A port without a node port (ClusterIP Services, and LoadBalancers that allocate none). */
function withoutNodePort(port: ServicePort): ServicePort {
  const copy = { ...port };
  delete copy.nodePort;
  return copy;
}

/** A free node port, as the port allocator picks one (portallocator/allocator.go `AllocateNext`). */
function allocateNodePort(world: World, used: Set<number>): number | undefined {
  const { base, size } = nodePortRange;
  const scan = (from: number, to: number): number | undefined => {
    const start = from + nextInt(world.random, to - from);
    for (let step = 0; step < to - from; step++) {
      const offset = from + ((start - from + step) % (to - from));
      if (!used.has(base + offset)) return base + offset;
    }
    return undefined;
  };
  if (serverMinor(requireCluster(world)) < 28) return scan(0, size);
  // The static subrange: dynamic allocations take the upper band first (allocator.go `calculateRangeOffset`).
  const offset = Math.min(Math.max(16, Math.floor(size / 32)), 128);
  return scan(offset, size) ?? scan(0, offset);
}

/** Static validation of what the user wrote; returns the causes, as field errors. */
function validationErrors(service: Service, type: string): string[] {
  const errors: string[] = [];
  if (!(serviceTypes as readonly string[]).includes(type))
    errors.push(
      `spec.type: Unsupported value: "${type}": supported values: ${serviceTypes.map((name) => `"${name}"`).join(', ')}`,
    );
  const policy = service.spec.externalTrafficPolicy as string | undefined;
  if (policy !== undefined && policy !== 'Cluster' && policy !== 'Local')
    errors.push(
      `spec.externalTrafficPolicy: Unsupported value: "${policy}": supported values: "Cluster", "Local"`,
    );
  else if (policy !== undefined && type === 'ClusterIP')
    errors.push(
      `spec.externalTrafficPolicy: Invalid value: "${policy}": may only be set for externally-accessible services`,
    );
  (service.spec.ports ?? []).forEach((port, index) => {
    if (port.nodePort === undefined) return;
    if (type === 'ClusterIP')
      errors.push(`spec.ports[${index}].nodePort: Forbidden: may not be used when \`type\` is 'ClusterIP'`);
    else if (port.nodePort < nodePortRange.base || port.nodePort >= nodePortRange.base + nodePortRange.size)
      errors.push(
        `spec.ports[${index}].nodePort: Invalid value: ${port.nodePort}: provided port is not in the valid range. The range of valid ports is ${nodePortRange.base}-${nodePortRange.base + nodePortRange.size - 1}`,
      );
  });
  return errors;
}

/** An Invalid status, one cause per field (kubectl prints it as `The Service "x" is invalid: …`). */
function invalid(service: Service, causes: readonly string[]): { refusal: ApiRefusal } {
  return {
    refusal: { reason: 'Invalid', kind: 'Service', name: service.metadata.name, causes: [...causes] },
  };
}

/** Node ports for each port: as given, kept from the stored Service, or allocated. */
function assignNodePorts(
  world: World,
  service: Service,
  ports: ServicePort[],
  existing: Service | undefined,
): ServicePort[] | { causes: string[] } {
  const used = nodePortsInUse(world, keyOf(service));
  const causes: string[] = [];
  const assigned = ports.map((port, index) => {
    const kept = existing?.spec.ports.find(
      (old) => old.port === port.port && (old.protocol ?? 'TCP') === port.protocol,
    )?.nodePort;
    const wanted = port.nodePort ?? kept;
    if (wanted !== undefined && used.has(wanted)) {
      causes.push(
        `spec.ports[${index}].nodePort: Invalid value: ${wanted}: provided port is already allocated`,
      );
      return port;
    }
    const nodePort = wanted ?? allocateNodePort(world, used);
    if (nodePort === undefined) {
      causes.push(
        `spec.ports[${index}].nodePort: Internal error: failed to allocate a nodePort: range is full`,
      );
      return port;
    }
    used.add(nodePort);
    return { ...port, nodePort };
  });
  return causes.length > 0 ? { causes } : assigned;
}

/** SetDefaults_Service for ports: TCP, and a target port left out (or 0, or "") is the port itself. */
function defaultedPorts(ports: readonly ServicePort[]): ServicePort[] {
  return ports.map((port) => ({
    ...port,
    protocol: port.protocol ?? 'TCP',
    targetPort:
      port.targetPort === undefined || port.targetPort === 0 || port.targetPort === ''
        ? port.port
        : port.targetPort,
  }));
}

/** Every field error of a Service with defaulted ports, and a new one's cluster IP refusal. */
function admissionCauses(
  world: World,
  service: Service,
  type: string,
  existing: Service | undefined,
): string[] {
  const causes = [
    ...validationErrors(service, type),
    ...servicePortCauses(service),
    ...serviceEnumCauses(service),
  ];
  if (type === 'ExternalName') causes.push('spec.type: the simulator does not model ExternalName Services');
  if (causes.length === 0 && existing === undefined)
    causes.push(
      ...requestedClusterIPCauses(
        service.spec.clusterIP,
        requireCluster(world).serviceCIDR,
        clusterIPsInUse(world),
      ),
    );
  return causes;
}

/** Validates and defaults a Service as the API server stores it. */
export function admitService(
  world: World,
  service: Service,
  existing: Service | undefined,
): ServiceAdmission {
  // A Service sent without a spec decodes to the zero ServiceSpec.
  service = service.spec === undefined ? { ...service, spec: {} as Service['spec'] } : service;
  const type = (service.spec.type as string | undefined) ?? 'ClusterIP';
  const ports = defaultedPorts(service.spec.ports ?? []);
  const causes = admissionCauses(world, { ...service, spec: { ...service.spec, ports } }, type, existing);
  if (causes.length > 0) return invalid(service, causes);
  const serviceType = type as ServiceType;
  const clusterIP =
    existing?.spec.clusterIP ??
    (service.spec.clusterIP !== undefined && service.spec.clusterIP !== ''
      ? service.spec.clusterIP
      : allocateClusterIP(world));
  const external = serviceType !== 'ClusterIP';
  const allocate =
    serviceType === 'NodePort' ||
    (serviceType === 'LoadBalancer' && service.spec.allocateLoadBalancerNodePorts !== false);
  const withNodePorts = allocate
    ? assignNodePorts(world, service, ports, existing)
    : ports.map(withoutNodePort);
  if ('causes' in withNodePorts) return invalid(service, withNodePorts.causes);
  const policy = external ? (service.spec.externalTrafficPolicy ?? 'Cluster') : undefined;
  const healthCheck =
    serviceType === 'LoadBalancer' && policy === 'Local'
      ? healthCheckPort(world, service, withNodePorts, existing)
      : undefined;
  const spec: Service['spec'] = {
    ...service.spec,
    type: serviceType,
    clusterIP,
    clusterIPs: [clusterIP],
    ports: withNodePorts,
    sessionAffinity: service.spec.sessionAffinity ?? 'None',
    internalTrafficPolicy: service.spec.internalTrafficPolicy ?? 'Cluster',
    ...(policy !== undefined ? { externalTrafficPolicy: policy } : {}),
    ...(healthCheck !== undefined ? { healthCheckNodePort: healthCheck } : {}),
    ...(serviceType === 'LoadBalancer'
      ? { allocateLoadBalancerNodePorts: service.spec.allocateLoadBalancerNodePorts ?? true }
      : {}),
  };
  if (policy === undefined) delete spec.externalTrafficPolicy;
  if (healthCheck === undefined) delete spec.healthCheckNodePort;
  // ServiceStatus holds LoadBalancerStatus by value, so the API server writes `loadBalancer: {}` on
  // every Service whatever its type (staging/src/k8s.io/api/core/v1/types.go, ServiceStatus, at
  // v1.34.0). No load-balancer controller runs on kind: it stays without an ingress address.
  return { service: { ...service, spec, status: { loadBalancer: existing?.status.loadBalancer ?? {} } } };
}

/** The LoadBalancer's health-check node port: as given, kept, or allocated beside its node ports. */
function healthCheckPort(
  world: World,
  service: Service,
  ports: readonly ServicePort[],
  existing: Service | undefined,
): number | undefined {
  const kept = service.spec.healthCheckNodePort ?? existing?.spec.healthCheckNodePort;
  if (kept !== undefined) return kept;
  const used = nodePortsInUse(world, keyOf(service));
  for (const port of ports) if (port.nodePort !== undefined) used.add(port.nodePort);
  return allocateNodePort(world, used);
}
