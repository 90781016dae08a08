/**
 * The endpoints controller: a Service's Endpoints list the ready pods its selector matches as
 * addresses and the others as notReadyAddresses. Load balancers send traffic only to the former.
 */
import type { World } from '../world';
import { requireCluster } from '../world';
import { getObject, listObjects } from './api-store';
import { apiPut, apiRemove } from './api-writes';
import { mapSelectorMatches, newMetadata } from './metadata';
import type { EndpointAddress, Endpoints } from './objects';

/**
 * Orders addresses as `localeCompare(b, 'en', { numeric: true })` does, with one collator for all
 * comparisons: localeCompare with options builds a collator per call, which made a Service over a
 * thousand pods cost seconds per sync.
 */
const ipOrder = new Intl.Collator('en', { numeric: true });
const byIp = (a: EndpointAddress, b: EndpointAddress): number => ipOrder.compare(a.ip, b.ip);

/** Recomputes one Service's Endpoints and writes them when they changed. */
export function syncEndpoints(world: World, serviceKey: string): void {
  const cluster = requireCluster(world);
  const service = getObject(cluster.api, 'Service', serviceKey);
  const existing = getObject(cluster.api, 'Endpoints', serviceKey);
  if (service === undefined) {
    if (existing !== undefined) apiRemove(world, 'Endpoints', serviceKey);
    return;
  }
  if (service.spec.selector === undefined) return; // selectorless services keep hand-made Endpoints
  const namespace = service.metadata.namespace ?? 'default';
  const ready: EndpointAddress[] = [];
  const notReady: EndpointAddress[] = [];
  for (const pod of listObjects(cluster.api, 'Pod')) {
    if (
      (pod.metadata.namespace ?? 'default') !== namespace ||
      !mapSelectorMatches(service.spec.selector, pod.metadata.labels)
    )
      continue;
    if (pod.status.podIP === undefined || pod.metadata.deletionTimestamp !== undefined) continue;
    const address: EndpointAddress = {
      ip: pod.status.podIP,
      targetRef: { kind: 'Pod', name: pod.metadata.name, namespace, uid: pod.metadata.uid },
    };
    if (pod.spec.nodeName !== undefined) address.nodeName = pod.spec.nodeName;
    const isReady =
      pod.status.conditions?.some(
        (condition) => condition.type === 'Ready' && condition.status === 'True',
      ) === true;
    (isReady ? ready : notReady).push(address);
  }
  ready.sort(byIp);
  notReady.sort(byIp);
  const ports = service.spec.ports.map((port) => {
    const targetPort = typeof port.targetPort === 'number' ? port.targetPort : port.port;
    const entry: { name?: string; port: number; protocol: string } = {
      port: targetPort,
      protocol: port.protocol ?? 'TCP',
    };
    if (port.name !== undefined) entry.name = port.name;
    return entry;
  });
  const subsets: NonNullable<Endpoints['subsets']> = [];
  if (ready.length > 0 || notReady.length > 0) {
    const subset: NonNullable<Endpoints['subsets']>[number] = { ports };
    if (ready.length > 0) subset.addresses = ready;
    if (notReady.length > 0) subset.notReadyAddresses = notReady;
    subsets.push(subset);
  }
  if (existing !== undefined && JSON.stringify(existing.subsets ?? []) === JSON.stringify(subsets)) return;
  const endpoints: Endpoints =
    existing !== undefined
      ? structuredClone(existing)
      : {
          apiVersion: 'v1',
          kind: 'Endpoints',
          metadata: newMetadata(world, service.metadata.name, namespace, service.metadata.labels),
        };
  if (subsets.length > 0) endpoints.subsets = subsets;
  else delete endpoints.subsets;
  apiPut(world, endpoints);
}
