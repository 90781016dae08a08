/**
 * The parts of the API server's Service validation that concern ports and cluster IPs, which the
 * model's service translation relies on (ValidateService and validateServicePort in kubernetes
 * pkg/apis/core/validation/validation.go, IsValidPortNum and IsValidPortName in
 * staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go, the cluster IP allocator's
 * refusals in pkg/registry/core/service/ipallocator, at v1.33): every port in range with a known
 * protocol, names when there are several, no port twice, a target port that is a port number or
 * a port name, and a cluster IP the service range can give.
 */
import { formatPrefix, parseIPv4, parsePrefix, prefixContains } from '../net/ipv4';
import type { Service, ServicePort } from './objects';

const protocols = ['SCTP', 'TCP', 'UDP'];

const portRange = 'must be between 1 and 65535, inclusive';

/** IsValidPortName's complaints about a named port, in its order. */
function portNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length > 15) problems.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name))
    problems.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(name)) problems.push('must contain at least one letter (a-z)');
  if (name.includes('--')) problems.push('must not contain consecutive hyphens');
  if (name.startsWith('-') || name.endsWith('-')) problems.push('must not begin or end with a hyphen');
  return problems;
}

/** Go's `%#v` of the (port, protocol) key a duplicate is reported with. */
function portKey(port: ServicePort): string {
  return `core.ServicePort{Name:"", Protocol:"${port.protocol ?? 'TCP'}", AppProtocol:(*string)(nil), Port:${(port.port as number | undefined) ?? 0}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;
}

function onePortCauses(port: ServicePort, at: string, several: boolean, names: Set<string>): string[] {
  const causes: string[] = [];
  const name = port.name ?? '';
  if (several && name === '') causes.push(`${at}.name: Required value`);
  else if (name !== '' && names.has(name)) causes.push(`${at}.name: Duplicate value: "${name}"`);
  names.add(name);
  const protocol = port.protocol as string | undefined;
  if (protocol !== undefined && !protocols.includes(protocol))
    causes.push(`${at}.protocol: Unsupported value: "${protocol}": supported values: "SCTP", "TCP", "UDP"`);
  // A port left out is Go's zero value.
  const number = (port.port as number | undefined) ?? 0;
  if (number < 1 || number > 65535) causes.push(`${at}.port: Invalid value: ${number}: ${portRange}`);
  const target = port.targetPort;
  if (typeof target === 'number' && (target < 1 || target > 65535))
    causes.push(`${at}.targetPort: Invalid value: ${target}: ${portRange}`);
  else if (typeof target === 'string')
    for (const problem of portNameProblems(target))
      causes.push(`${at}.targetPort: Invalid value: "${target}": ${problem}`);
  return causes;
}

/**
 * The field errors of a Service's ports, after the API server defaulted a missing target port
 * to the port. A headless Service may have none.
 */
export function servicePortCauses(service: Service): string[] {
  const ports = service.spec.ports ?? [];
  const headless = service.spec.clusterIP === 'None';
  if (ports.length === 0) return headless ? [] : ['spec.ports: Required value'];
  const causes: string[] = [];
  const names = new Set<string>();
  const keys = new Set<string>();
  ports.forEach((port, index) => {
    const at = `spec.ports[${index}]`;
    causes.push(...onePortCauses(port, at, ports.length > 1, names));
    const key = portKey(port);
    if (keys.has(key)) causes.push(`${at}: Duplicate value: ${key}`);
    keys.add(key);
  });
  return causes;
}

/** `spec.sessionAffinity` and `spec.internalTrafficPolicy`, when set, are values the API knows. */
export function serviceEnumCauses(service: Service): string[] {
  const causes: string[] = [];
  const affinity = service.spec.sessionAffinity as string | undefined;
  if (affinity !== undefined && affinity !== 'None' && affinity !== 'ClientIP')
    causes.push(
      `spec.sessionAffinity: Unsupported value: "${affinity}": supported values: "ClientIP", "None"`,
    );
  const internal = service.spec.internalTrafficPolicy as string | undefined;
  if (internal !== undefined && internal !== 'Cluster' && internal !== 'Local')
    causes.push(
      `spec.internalTrafficPolicy: Unsupported value: "${internal}": supported values: "Cluster", "Local"`,
    );
  return causes;
}

/**
 * Why a cluster IP the user asked for cannot be given: not an address, outside the service range,
 * or held by another Service. `None` (headless) and an empty one (allocate) are fine.
 */
export function requestedClusterIPCauses(
  requested: string | undefined,
  serviceCIDR: string,
  inUse: ReadonlySet<string>,
): string[] {
  if (requested === undefined || requested === '' || requested === 'None') return [];
  const address = parseIPv4(requested);
  if (address === undefined)
    return [
      `spec.clusterIPs[0]: Invalid value: "${requested}": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`,
    ];
  const range = parsePrefix(serviceCIDR, true);
  if (range !== undefined && !prefixContains(range, address))
    return [
      `spec.clusterIPs: Invalid value: []string{"${requested}"}: failed to allocate IP ${requested}: provided IP is not in the valid range. The range of valid IPs is ${formatPrefix(range)}`,
    ];
  if (inUse.has(requested))
    return [
      `spec.clusterIPs: Invalid value: []string{"${requested}"}: failed to allocate IP ${requested}: provided IP is already allocated`,
    ];
  return [];
}
