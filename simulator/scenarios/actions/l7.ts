/**
 * The actions of the L7 guide (seed 003): curl from a pod as `kubectl exec … -- curl` would,
 * Hubble's last flows on a node, the NPDS resource and the Envoy listeners a node's proxy has, and
 * the CiliumEndpoint and CiliumIdentity objects. The blast-radius lab's Envoy actions build on the
 * curl helpers here (envoy-lab.ts).
 */
import type { ConnectionOutcome } from '../../cilium/datapath-types';
import { getObject } from '../../k8s/api-store';
import type { Pod } from '../../k8s/objects';
import { podKey } from '../../queries';
import { formatFlowCompact } from '../../cilium/hubble-format';
import { localEndpoints } from '../../cilium/envoy';
import { envoyListenerConfigs, envoySockets } from '../../cilium/envoy-config-dump';
import { networkPolicyResource, type NetworkPolicyResource } from '../../cilium/envoy-npds';
import { kubectlYaml } from '../../terminal/kubectl-output';
import { curlPrinted } from '../curl-reading';
import { curlObservation } from '../observations';
import type { ScenarioRun } from '../run';
import type { ActionOf, PodSelector } from '../types';

/** A selector as the narration names it (`app=shop in tenant-a`). */
export function describeSelector(selector: PodSelector): string {
  const labels = Object.entries(selector.labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  return selector.namespace === undefined ? labels : `${labels} in ${selector.namespace}`;
}

/** Sends one HTTP GET from a pod, charging the virtual time it takes. */
export function curlFrom(
  run: ScenarioRun,
  pod: Pod,
  host: string,
  port: number,
  path: string,
  timeoutMs: number,
): ConnectionOutcome | undefined {
  return run.curl(podKey(pod), host, port, path, timeoutMs);
}

function endpointOfPod(run: ScenarioRun, pod: Pod) {
  const agent = run.cluster.cilium?.agents[pod.spec.nodeName ?? ''];
  const endpoint = Object.values(agent?.endpoints ?? {}).find(
    (candidate) =>
      candidate.podName === pod.metadata.name &&
      candidate.namespace === (pod.metadata.namespace ?? 'default'),
  );
  return agent === undefined || endpoint === undefined ? undefined : { agent, endpoint };
}

/** The filter names of one listener's first filter chain, as the config dump shows them. */
function listenerFilterNames(config: unknown): {
  listenerFilters: string[];
  networkFilters: string[];
  httpFilters: string[];
} {
  const listener = config as {
    listener_filters: { name: string }[];
    filter_chains: { filters: { name: string; typed_config?: { http_filters?: { name: string }[] } }[] }[];
  };
  const chain = listener.filter_chains[0];
  return {
    listenerFilters: listener.listener_filters.map((filter) => filter.name),
    networkFilters: chain?.filters.map((filter) => filter.name) ?? [],
    httpFilters:
      chain?.filters
        .flatMap((filter) => filter.typed_config?.http_filters ?? [])
        .map((filter) => filter.name) ?? [],
  };
}

function headerRegex(resource: NetworkPolicyResource, port: number, name: string): string[] {
  return (resource.ingressPerPortPolicies ?? [])
    .filter((policy) => (policy.port ?? 0) === port)
    .flatMap((policy) => policy.rules ?? [])
    .flatMap((rule) => rule.httpRules?.httpRules ?? [])
    .flatMap((rule) => rule.headers ?? [])
    .filter((header) => header.name === name)
    .map((header) => header.safeRegexMatch?.regex ?? header.exactMatch ?? '');
}

export function execCurl(run: ScenarioRun, action: ActionOf<'exec-curl'>): void {
  const pod = run.firstPod(action.from);
  if (pod === undefined) {
    run.fail(`no running pod with ${describeSelector(action.from)}`);
    return;
  }
  const outcome = curlFrom(run, pod, action.host, action.port, action.path, action.timeoutMs);
  run.say(
    `kubectl exec ${pod.metadata.name} -- curl ${action.host}:${action.port}${action.path} → ${curlPrinted(outcome, action.timeoutMs)}`,
  );
  for (const line of outcome?.explanation ?? []) run.say(`  · ${line}`);
  run.observe(
    curlObservation(
      { from: pod.metadata.name, to: action.host, port: action.port, path: action.path },
      outcome,
    ),
  );
  const expect = action.expect;
  if (outcome?.kind !== expect.outcome) {
    run.fail(`expected a ${expect.outcome}, got ${outcome?.kind ?? 'nothing'}`);
    return;
  }
  if (outcome.kind === 'response') {
    if (expect.status !== undefined && outcome.response.status !== expect.status)
      run.fail(`expected HTTP ${expect.status}, got ${outcome.response.status}`);
    if (expect.body !== undefined && !outcome.response.body.includes(expect.body))
      run.fail(`expected the body to contain "${expect.body}"`);
  }
}

export function hubbleObserve(run: ScenarioRun, action: ActionOf<'hubble-observe'>): void {
  const node = run.nodeOf(action.nodeOf);
  const agent = node === undefined ? undefined : run.cluster.cilium?.agents[node];
  if (node === undefined || agent === undefined) {
    run.fail(`no node for ${describeSelector(action.nodeOf)}`);
    return;
  }
  const flows = (run.cluster.cilium?.flows ?? [])
    .filter((flow) => flow.node === node)
    .filter((flow) => (action.type === 'l7' ? flow.eventType === 'l7' : flow.eventType === 'policy-verdict'))
    .slice(-action.last);
  run.say(
    `kubectl -n kube-system exec ${agent.podName} -- hubble observe --type ${action.type} --last ${action.last}   (on ${node})`,
  );
  const lines = flows.map((flow) => formatFlowCompact(flow));
  for (const line of lines) run.say(`  ${line}`);
  run.observe({ kind: 'flows', node, type: action.type, lines });
  for (const pattern of action.expect) {
    const regex = new RegExp(pattern);
    if (!lines.some((line) => regex.test(line))) run.fail(`no flow on ${node} matches /${pattern}/`);
  }
}

export function showNpds(run: ScenarioRun, action: ActionOf<'show-npds'>): void {
  const pod = run.firstPod(action.of);
  const located = pod === undefined ? undefined : endpointOfPod(run, pod);
  const resource =
    located === undefined ? undefined : networkPolicyResource(run.cluster, located.agent, located.endpoint);
  if (pod === undefined || located === undefined || resource === undefined) {
    run.fail(`no endpoint with a policy for ${describeSelector(action.of)}`);
    return;
  }
  run.say(
    `NPDS resource the agent on ${located.agent.node} sends its Envoy for endpoint ${located.endpoint.id} (${pod.metadata.name}):`,
  );
  const json = JSON.stringify(resource, null, 2);
  for (const line of json.split('\n')) run.say(`  ${line}`);
  run.observe({
    kind: 'npds',
    node: located.agent.node,
    endpointId: located.endpoint.id,
    resource: JSON.parse(json) as NetworkPolicyResource,
  });
  const ports = (resource.ingressPerPortPolicies ?? []).map((policy) => policy.port ?? 0);
  if (!ports.includes(action.expect.port))
    run.fail(
      `expected an ingress port policy for ${action.expect.port}, found ${ports.join(', ') || 'none'}`,
    );
  for (const [name, regex] of Object.entries(action.expect.headers)) {
    const found = headerRegex(resource, action.expect.port, name);
    if (!found.includes(regex))
      run.fail(
        `expected a ${name} matcher "${regex}" on port ${action.expect.port}, found ${found.join(', ') || 'none'}`,
      );
  }
  if (resource.endpointId !== String(located.endpoint.id)) run.fail('the resource names another endpoint');
}

export function showEnvoyConfig(run: ScenarioRun, action: ActionOf<'show-envoy-config'>): void {
  const node = run.nodeOf(action.nodeOf);
  const agent = node === undefined ? undefined : run.cluster.cilium?.agents[node];
  if (node === undefined || agent === undefined) {
    run.fail(`no node for ${describeSelector(action.nodeOf)}`);
    return;
  }
  const listeners = envoyListenerConfigs(run.cluster, agent).map((listener) => ({
    name: listener.name,
    ...listenerFilterNames(listener.config),
  }));
  run.say(
    `kubectl -n kube-system exec ${agent.podName} -- curl -s --unix-socket ${envoySockets(run.cluster.cilium?.config).admin} http://localhost/config_dump   (on ${node}, ${localEndpoints(agent).length} local endpoints)`,
  );
  if (listeners.length === 0) run.say('  no proxy listener: no local endpoint has an L7 policy');
  for (const { name, listenerFilters, networkFilters, httpFilters } of listeners) {
    run.say(
      `  listener ${name}: listener filters ${listenerFilters.join(', ')}; network filters ${networkFilters.join(', ')}; http_filters ${httpFilters.join(' → ')}`,
    );
    // Nobody but the agent configures its policy listeners: their chain is Cilium's own.
    if (
      name.startsWith('cilium-http-') &&
      httpFilters.join(' ') !== 'cilium.l7policy envoy.filters.http.router'
    )
      run.fail(`the agent's listener ${name} carries other HTTP filters: ${httpFilters.join(', ')}`);
  }
  run.observe({ kind: 'envoy-listeners', node, listeners });
  for (const pattern of action.expectListeners) {
    const regex = new RegExp(pattern);
    if (!listeners.some((listener) => regex.test(listener.name)))
      run.fail(`no listener on ${node} matches /${pattern}/`);
  }
}

export function getYaml(run: ScenarioRun, action: ActionOf<'get-yaml'>): void {
  const pod = run.firstPod(action.of);
  const endpoint = pod === undefined ? undefined : getObject(run.cluster.api, 'CiliumEndpoint', podKey(pod));
  if (pod === undefined || endpoint === undefined) {
    run.fail(`no CiliumEndpoint for ${describeSelector(action.of)}`);
    return;
  }
  let name = endpoint.metadata.name;
  let object: unknown = endpoint;
  if (action.kind === 'CiliumIdentity') {
    name = String(endpoint.status.identity?.id ?? '');
    object = getObject(run.cluster.api, 'CiliumIdentity', name);
    if (object === undefined) {
      run.fail(`no CiliumIdentity ${name}`);
      return;
    }
  }
  const text = kubectlYaml(object);
  run.say(`kubectl get ${action.kind.toLowerCase()} ${name} -o yaml`);
  for (const line of text.trimEnd().split('\n')) run.say(`  ${line}`);
  run.observe({ kind: 'object-yaml', objectKind: action.kind, name, text });
  for (const expected of action.expect) {
    if (!text.includes(expected)) run.fail(`expected the YAML to contain "${expected}"`);
  }
}
