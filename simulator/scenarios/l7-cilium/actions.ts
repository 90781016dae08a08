/**
 * The scenario actions of the L7 guide (seed 003), run on top of simulation inputs: curl from a pod
 * as `kubectl exec … -- curl` would, Hubble's last flows on a node, the NPDS resource and the Envoy
 * listeners a node's proxy has, the CiliumEndpoint and CiliumIdentity objects, Wasm filters loaded
 * into a node's Envoy, probes of every pod of a workload, and the blast-radius comparison.
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
import { envoyListeners, isStalledOutcome, localEndpoints } from '../../cilium/envoy';
import { listenerConfig } from '../../cilium/envoy-config-dump';
import { networkPolicyResource, type NetworkPolicyResource } from '../../cilium/envoy-npds';
import {
  podsSharingFaultyProxy,
  proxiedPods,
  proxyArchitectures,
  type FaultyExtension,
} from '../../cilium/envoy-blast-radius';
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
    do:
      | 'exec-curl'
      | 'hubble-observe'
      | 'show-npds'
      | 'show-envoy-config'
      | 'get-yaml'
      | 'envoy-wasm'
      | 'probe-pods'
      | 'compare-proxy-blast-radius';
  }
>;

const l7ActionKinds = new Set<string>([
  'exec-curl',
  'hubble-observe',
  'show-npds',
  'show-envoy-config',
  'get-yaml',
  'envoy-wasm',
  'probe-pods',
  'compare-proxy-blast-radius',
]);

/** Whether an action is one of this module's. */
export function isL7Action(action: ScenarioAction): action is L7Action {
  return l7ActionKinds.has(action.do);
}

const commandMs = 150;

function firstPod(run: ActionRun, selector: PodSelector): Pod | undefined {
  return runningPods(podsWithLabels(run.world, selector.labels, selector.namespace))[0];
}

function describeSelector(selector: PodSelector): string {
  const labels = Object.entries(selector.labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  return selector.namespace === undefined ? labels : `${labels} in ${selector.namespace}`;
}

/** Sends one HTTP GET from a pod, charging the virtual time it takes. */
function curlFrom(
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
function curlText(outcome: ConnectionOutcome | undefined, timeoutMs: number): string {
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
      const listeners = envoyListeners(run.cluster, agent);
      const wasm = run.cluster.envoy?.nodes[node]?.wasmFilters ?? [];
      run.say(
        `kubectl -n kube-system exec ${agent.podName} -- curl -s --unix-socket /var/run/cilium/envoy-admin.sock http://localhost/config_dump   (on ${node}, ${localEndpoints(agent).length} local endpoints)`,
      );
      if (listeners.length === 0) run.say('  no proxy listener: no local endpoint has an L7 policy');
      for (const listener of listeners) {
        const config = listenerConfig(listener, wasm) as {
          listener_filters: { name: string }[];
          filter_chains: {
            filters: { name: string; typed_config?: { http_filters?: { name: string }[] } }[];
          }[];
        };
        const chain = config.filter_chains[0];
        const network = chain?.filters.map((filter) => filter.name) ?? [];
        const http =
          chain?.filters
            .flatMap((filter) => filter.typed_config?.http_filters ?? [])
            .map((filter) => filter.name) ?? [];
        run.say(
          `  listener ${listener.name} (endpoints ${listener.endpointIds.join(', ')}): listener filters ${config.listener_filters.map((filter) => filter.name).join(', ')}; network filters ${network.join(', ')}; http_filters ${http.join(' → ')}`,
        );
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
    case 'envoy-wasm': {
      const pod = firstPod(run, action.nodeOf);
      const node = pod?.spec.nodeName;
      if (pod === undefined || node === undefined) {
        run.fail(`no node for ${describeSelector(action.nodeOf)}`);
        return;
      }
      const owner = `${pod.metadata.namespace ?? 'default'}/${pod.spec.serviceAccountName ?? 'default'}`;
      run.simulation.advance(commandMs);
      const result =
        action.action === 'load'
          ? run.input({
              type: 'envoy.wasm.load',
              node,
              name: action.name,
              owner,
              behaviour: action.behaviour,
            })
          : run.input({ type: 'envoy.wasm.unload', node, name: action.name });
      if (!result.ok) return;
      if (action.action === 'load') {
        run.recorded.ENVOY_NODE = node;
        run.recorded.WASM_OWNER_POD = podKey(pod);
        run.say(
          `${node}'s Envoy now runs the Wasm filter ${action.name} for ${owner}${action.behaviour === 'infinite-loop' ? ', which never returns from its request callback' : ''}.`,
        );
      } else {
        run.say(`${node}'s Envoy no longer runs ${action.name}; its workers are free again.`);
      }
      return;
    }
    case 'probe-pods': {
      const faulty = run.cluster.envoy?.nodes[String(run.recorded.ENVOY_NODE ?? '')]?.wasmFilters.some(
        (filter) => filter.behaviour === 'infinite-loop',
      )
        ? String(run.recorded.ENVOY_NODE)
        : undefined;
      for (const probe of action.probes) {
        const client = firstPod(run, probe.from);
        if (client === undefined) {
          run.fail(`no running pod with ${describeSelector(probe.from)}`);
          continue;
        }
        const app = probe.to.labels.app ?? Object.values(probe.to.labels)[0] ?? '?';
        const expected = action.expect[app];
        for (const server of runningPods(podsWithLabels(run.world, probe.to.labels, probe.to.namespace))) {
          const address = server.status.podIP ?? '';
          const outcome = curlFrom(run, client, address, action.port, action.path, action.timeoutMs);
          const onFaulty = faulty !== undefined && server.spec.nodeName === faulty;
          const answered = outcome?.kind === 'response';
          run.say(
            `${client.metadata.name} → ${server.metadata.name} (${address} on ${server.spec.nodeName ?? '?'}${onFaulty ? ', the faulty Envoy' : ''}): ${answered ? `HTTP ${outcome.response.status}` : curlText(outcome, action.timeoutMs)}`,
          );
          if (expected === undefined) continue;
          const wanted = onFaulty ? expected.onFaultyNode : expected.elsewhere;
          if ((wanted === 'answers') !== answered)
            run.fail(`${server.metadata.name} should ${wanted === 'answers' ? 'answer' : 'time out'}`);
        }
      }
      return;
    }
    case 'compare-proxy-blast-radius': {
      const node = run.recorded.ENVOY_NODE;
      const ownerKey = run.recorded.WASM_OWNER_POD;
      const owner = typeof ownerKey === 'string' ? getObject(run.cluster.api, 'Pod', ownerKey) : undefined;
      if (typeof node !== 'string' || owner === undefined) {
        run.fail('no faulty extension was loaded');
        return;
      }
      const fault: FaultyExtension = {
        node,
        ownerPod: {
          name: owner.metadata.name,
          namespace: owner.metadata.namespace ?? 'default',
          serviceAccount: owner.spec.serviceAccountName ?? 'default',
        },
      };
      const pods = proxiedPods(run.cluster);
      const descriptions = {
        'cilium-node-envoy': `Cilium (one Envoy per node, ${node})`,
        'istio-sidecar': `Istio sidecar (the filter in ${fault.ownerPod.name}'s own proxy)`,
        'istio-ambient-waypoint': `Istio ambient (a waypoint for namespace ${fault.ownerPod.namespace})`,
      } as const;
      run.say(
        `The same ${pods.length} pods, ${pods.filter((pod) => pod.l7).length} of them behind an L7 policy; who shares the proxy with the faulty filter:`,
      );
      for (const architecture of proxyArchitectures) {
        const affected = podsSharingFaultyProxy(pods, architecture, fault);
        const namespaces = new Set(affected.map((pod) => pod.namespace));
        run.say(
          `  ${descriptions[architecture]}: ${affected.length} pod(s) in ${namespaces.size} namespace(s): ${affected.map((pod) => `${pod.namespace}/${pod.name}@${pod.node}`).join(', ') || 'none'}`,
        );
        const expected = action.expect[architecture];
        if (affected.length !== expected.pods || namespaces.size !== expected.namespaces)
          run.fail(
            `${architecture}: expected ${expected.pods} pod(s) in ${expected.namespaces} namespace(s), found ${affected.length} in ${namespaces.size}`,
          );
      }
      return;
    }
  }
}
