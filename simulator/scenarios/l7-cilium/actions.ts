/**
 * The scenario actions of the L7 guide (seed 003), run on top of simulation inputs: curl from a pod
 * as `kubectl exec … -- curl` would, Hubble's last flows on a node, the NPDS resource and the Envoy
 * listeners a node's proxy has, and the CiliumEndpoint and CiliumIdentity objects. The blast-radius
 * lab's Envoy actions build on the helpers exported here (l7-envoy-blast-radius/actions.ts).
 */
import type { InputEvent } from '../../events';
import type { InputResult } from '../../dispatch';
import type { Simulation } from '../../simulation';
import type { Cluster, World } from '../../world';
import type { ConnectionOutcome } from '../../cilium/datapath';
import { getObject } from '../../k8s/api-store';
import type { Pod } from '../../k8s/objects';
import { podKey, podsWithLabels, runningPods } from '../../queries';
import { formatFlowCompact } from '../../cilium/hubble-format';
import { isStalledOutcome, localEndpoints } from '../../cilium/envoy';
import { envoyListenerConfigs, envoySockets } from '../../cilium/envoy-config-dump';
import { networkPolicyResource, type NetworkPolicyResource } from '../../cilium/envoy-npds';
import { kubectlYaml } from '../../terminal/kubectl-output';
import type { PodSelector, ScenarioAction } from '../types';

/** What the runner's Run offers these actions. */
export interface ActionRun {
  readonly simulation: Simulation;
  readonly recorded: Record<string, string | number | string[]>;
  readonly world: Readonly<World>;
  readonly cluster: Cluster;
  say(line: string): void;
  fail(message: string): void;
  input(event: InputEvent): InputResult;
}

/** The action kinds handled here. */
export type L7Action = Extract<
  ScenarioAction,
  {
    do: 'exec-curl' | 'hubble-observe' | 'show-npds' | 'show-envoy-config' | 'get-yaml';
  }
>;

const l7ActionKinds = new Set<string>([
  'exec-curl',
  'hubble-observe',
  'show-npds',
  'show-envoy-config',
  'get-yaml',
]);

/** Whether an action is one of this module's. */
export function isL7Action(action: ScenarioAction): action is L7Action {
  return l7ActionKinds.has(action.do);
}

const commandMs = 150;

/** The first running pod a selector matches. */
export function firstPod(run: ActionRun, selector: PodSelector): Pod | undefined {
  return runningPods(podsWithLabels(run.world, selector.labels, selector.namespace))[0];
}

/** A selector as the narration names it (`app=shop in tenant-a`). */
export function describeSelector(selector: PodSelector): string {
  const labels = Object.entries(selector.labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  return selector.namespace === undefined ? labels : `${labels} in ${selector.namespace}`;
}

/** Sends one HTTP GET from a pod, charging the virtual time it takes. */
export function curlFrom(
  run: ActionRun,
  pod: Pod,
  host: string,
  port: number,
  path: string,
  timeoutMs: number,
): ConnectionOutcome | undefined {
  run.simulation.advance(commandMs);
  const result = run.input({
    type: 'pod.connect',
    request: {
      fromPodKey: podKey(pod),
      host,
      port,
      protocol: 'TCP',
      http: { method: 'GET', path, headers: {} },
      timeoutMs,
    },
  });
  const outcome = result.ok ? result.connection : undefined;
  if (outcome !== undefined) run.simulation.advance(outcome.elapsedMs);
  return outcome;
}

/** What curl prints for an outcome (body, or its error line). */
export function curlText(outcome: ConnectionOutcome | undefined, timeoutMs: number): string {
  if (outcome === undefined) return 'no outcome';
  switch (outcome.kind) {
    case 'response':
      return `${outcome.response.body.trimEnd()}   [HTTP ${outcome.response.status}${outcome.response.headers.server === 'envoy' ? ', written by Envoy' : ''}]`;
    case 'timeout':
      return isStalledOutcome(outcome)
        ? `curl: (28) Operation timed out after ${timeoutMs + 1} milliseconds with 0 bytes received`
        : `curl: (28) Connection timed out after ${timeoutMs + 1} milliseconds`;
    case 'refused':
      return 'curl: (7) Connection refused';
    case 'resolve-failed':
      return 'curl: (6) Could not resolve host';
    case 'error':
      return outcome.message;
  }
}

function endpointOfPod(run: ActionRun, pod: Pod) {
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
  network: string[];
  http: string[];
} {
  const listener = config as {
    listener_filters: { name: string }[];
    filter_chains: { filters: { name: string; typed_config?: { http_filters?: { name: string }[] } }[] }[];
  };
  const chain = listener.filter_chains[0];
  return {
    listenerFilters: listener.listener_filters.map((filter) => filter.name),
    network: chain?.filters.map((filter) => filter.name) ?? [],
    http:
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

/** Runs one of this module's actions. */
export function runL7Action(run: ActionRun, action: L7Action): void {
  switch (action.do) {
    case 'exec-curl': {
      const pod = firstPod(run, action.from);
      if (pod === undefined) {
        run.fail(`no running pod with ${describeSelector(action.from)}`);
        return;
      }
      const outcome = curlFrom(run, pod, action.host, action.port, action.path, action.timeoutMs);
      run.say(
        `kubectl exec ${pod.metadata.name} -- curl ${action.host}:${action.port}${action.path} → ${curlText(outcome, action.timeoutMs)}`,
      );
      for (const line of outcome?.explanation ?? []) run.say(`  · ${line}`);
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
      return;
    }
    case 'hubble-observe': {
      const pod = firstPod(run, action.nodeOf);
      const node = pod?.spec.nodeName;
      const agent = node === undefined ? undefined : run.cluster.cilium?.agents[node];
      if (node === undefined || agent === undefined) {
        run.fail(`no node for ${describeSelector(action.nodeOf)}`);
        return;
      }
      const flows = (run.cluster.cilium?.flows ?? [])
        .filter((flow) => flow.node === node)
        .filter((flow) =>
          action.type === 'l7' ? flow.eventType === 'l7' : flow.eventType === 'policy-verdict',
        )
        .slice(-action.last);
      run.say(
        `kubectl -n kube-system exec ${agent.podName} -- hubble observe --type ${action.type} --last ${action.last}   (on ${node})`,
      );
      const lines = flows.map(formatFlowCompact);
      for (const line of lines) run.say(`  ${line}`);
      for (const pattern of action.expect) {
        const regex = new RegExp(pattern);
        if (!lines.some((line) => regex.test(line))) run.fail(`no flow on ${node} matches /${pattern}/`);
      }
      return;
    }
    case 'show-npds': {
      const pod = firstPod(run, action.of);
      const located = pod === undefined ? undefined : endpointOfPod(run, pod);
      const resource =
        located === undefined
          ? undefined
          : networkPolicyResource(run.cluster, located.agent, located.endpoint);
      if (pod === undefined || located === undefined || resource === undefined) {
        run.fail(`no endpoint with a policy for ${describeSelector(action.of)}`);
        return;
      }
      run.say(
        `NPDS resource the agent on ${located.agent.node} sends its Envoy for endpoint ${located.endpoint.id} (${pod.metadata.name}):`,
      );
      for (const line of JSON.stringify(resource, null, 2).split('\n')) run.say(`  ${line}`);
      run.recorded.NPDS = JSON.stringify(resource);
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
      if (resource.endpointId !== String(located.endpoint.id))
        run.fail('the resource names another endpoint');
      return;
    }
    case 'show-envoy-config': {
      const pod = firstPod(run, action.nodeOf);
      const node = pod?.spec.nodeName;
      const agent = node === undefined ? undefined : run.cluster.cilium?.agents[node];
      if (node === undefined || agent === undefined) {
        run.fail(`no node for ${describeSelector(action.nodeOf)}`);
        return;
      }
      const listeners = envoyListenerConfigs(run.cluster, agent);
      run.say(
        `kubectl -n kube-system exec ${agent.podName} -- curl -s --unix-socket ${envoySockets(run.cluster.cilium?.config).admin} http://localhost/config_dump   (on ${node}, ${localEndpoints(agent).length} local endpoints)`,
      );
      if (listeners.length === 0) run.say('  no proxy listener: no local endpoint has an L7 policy');
      for (const listener of listeners) {
        const { network, http, listenerFilters } = listenerFilterNames(listener.config);
        run.say(
          `  listener ${listener.name}: listener filters ${listenerFilters.join(', ')}; network filters ${network.join(', ')}; http_filters ${http.join(' → ')}`,
        );
        // Nobody but the agent configures its policy listeners: their chain is Cilium's own.
        if (
          listener.name.startsWith('cilium-http-') &&
          http.join(' ') !== 'cilium.l7policy envoy.filters.http.router'
        )
          run.fail(`the agent's listener ${listener.name} carries other HTTP filters: ${http.join(', ')}`);
      }
      for (const pattern of action.expectListeners) {
        const regex = new RegExp(pattern);
        if (!listeners.some((listener) => regex.test(listener.name)))
          run.fail(`no listener on ${node} matches /${pattern}/`);
      }
      return;
    }
    case 'get-yaml': {
      const pod = firstPod(run, action.of);
      const endpoint =
        pod === undefined ? undefined : getObject(run.cluster.api, 'CiliumEndpoint', podKey(pod));
      if (pod === undefined || endpoint === undefined) {
        run.fail(`no CiliumEndpoint for ${describeSelector(action.of)}`);
        return;
      }
      let command = `kubectl get ciliumendpoint ${endpoint.metadata.name} -o yaml`;
      let object: unknown = endpoint;
      if (action.kind === 'CiliumIdentity') {
        const id = String(endpoint.status.identity?.id ?? '');
        command = `kubectl get ciliumidentity ${id} -o yaml`;
        object = getObject(run.cluster.api, 'CiliumIdentity', id);
        if (object === undefined) {
          run.fail(`no CiliumIdentity ${id}`);
          return;
        }
      }
      const text = kubectlYaml(object);
      run.say(command);
      for (const line of text.trimEnd().split('\n')) run.say(`  ${line}`);
      for (const expected of action.expect) {
        if (!text.includes(expected)) run.fail(`expected the YAML to contain "${expected}"`);
      }
      return;
    }
  }
}
