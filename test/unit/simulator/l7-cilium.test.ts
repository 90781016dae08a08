import { describe, expect, it } from 'vitest';
import { ScenarioPlayer, runScenario, scenarios } from '../../../simulator/index';
import { parseManifests } from '../../../simulator/k8s/manifests';
import { customKinds } from '../../../simulator/k8s/extension-points';
import { podsWithLabels, runningPods } from '../../../simulator/queries';
import { networkPolicyResource } from '../../../simulator/cilium/envoy-npds';
import type { Simulation } from '../../../simulator/simulation';
import { observed, outcomeText } from './scenario-support';

const scenario = scenarios['l7-cilium'];
if (scenario === undefined) throw new Error('scenario missing');
const l7Cilium = scenario;

function deployed(): ScenarioPlayer {
  const player = new ScenarioPlayer(l7Cilium);
  player.next();
  player.next();
  return player;
}

function curl(simulation: Simulation, path: string) {
  const sleep = runningPods(podsWithLabels(simulation.state, { app: 'sleep' }))[0];
  const result = simulation.input({
    type: 'pod.connect',
    request: {
      fromPodKey: `default/${sleep?.metadata.name ?? ''}`,
      host: 'helloworld',
      port: 5000,
      protocol: 'TCP',
      http: { method: 'GET', path, headers: {} },
      timeoutMs: 5000,
    },
  });
  if (!result.ok || result.connection === undefined) throw new Error('no outcome');
  return result.connection;
}

function helloworldResource(simulation: Simulation) {
  const cluster = simulation.state.cluster;
  const pod = runningPods(podsWithLabels(simulation.state, { app: 'helloworld' }))[0];
  const agent = cluster?.cilium?.agents[pod?.spec.nodeName ?? ''];
  const endpoint = Object.values(agent?.endpoints ?? {}).find((e) => e.podName === pod?.metadata.name);
  if (cluster === undefined || agent === undefined || endpoint === undefined) throw new Error('no endpoint');
  return { resource: networkPolicyResource(cluster, agent, endpoint), endpoint };
}

function apply(simulation: Simulation, text: string): void {
  const parsed = parseManifests(text, { ciliumVersion: '1.12.0', kinds: customKinds(simulation.state) });
  expect(parsed.errors).toEqual([]);
  expect(simulation.input({ type: 'api.apply', objects: parsed.objects }).ok).toBe(true);
  simulation.advance(2000);
}

describe('scenario l7-cilium', () => {
  it('runs with every expectation holding', () => {
    const transcript = runScenario(l7Cilium);
    expect(transcript.steps.flatMap((step) => step.failures)).toEqual([]);
    expect(transcript.ok).toBe(true);
    // The app answers GET /hello; the node's Envoy refuses /hello3 itself.
    const curls = transcript.steps.flatMap((step) => observed(step, 'curl'));
    expect(
      curls.map((curl) => [
        curl.path,
        outcomeText(curl.outcome),
        curl.outcome.kind === 'response' ? curl.outcome.server : undefined,
      ]),
    ).toEqual([
      ['/hello', '200 Hello version: v1', undefined],
      ['/hello3', '403 Access denied', 'envoy'],
    ]);
  }, 60_000);

  it('lets GET /hello reach the app and answers /hello3 with Envoy’s own 403', () => {
    const { simulation } = deployed();
    const hello = curl(simulation, '/hello');
    expect(hello.kind).toBe('response');
    if (hello.kind !== 'response') return;
    expect(hello.response.status).toBe(200);
    expect(hello.response.body).toMatch(/^Hello version: v1, instance: helloworld-v1-cross-node-\S+\n$/);
    const denied = curl(simulation, '/hello3');
    expect(denied.kind).toBe('response');
    if (denied.kind !== 'response') return;
    expect(denied.response.status).toBe(403);
    expect(denied.response.body).toBe('Access denied\r\n');
    expect(denied.response.headers.server).toBe('envoy');
    const l7 = (simulation.state.cluster?.cilium?.flows ?? []).filter((flow) => flow.eventType === 'l7');
    // Envoy logs the response of a forwarded request; a refused one has only its request.
    expect(l7.map((flow) => [flow.l7?.type, flow.verdict, flow.l7?.url, flow.l7?.code])).toEqual([
      ['http-request', 'FORWARDED', 'http://helloworld:5000/hello', undefined],
      ['http-response', 'FORWARDED', 'http://helloworld:5000/hello', 200],
      ['http-request', 'DROPPED', 'http://helloworld:5000/hello3', undefined],
    ]);
  }, 60_000);

  it('builds the NPDS resource from the compiled policy and follows a policy edit', () => {
    const { simulation } = deployed();
    const { resource, endpoint } = helloworldResource(simulation);
    expect(resource).toEqual({
      '@type': 'type.googleapis.com/cilium.NetworkPolicy',
      conntrackMapName: 'global',
      egressPerPortPolicies: [{}],
      endpointId: String(endpoint.id),
      ingressPerPortPolicies: [
        {
          port: 5000,
          rules: [
            {
              httpRules: {
                httpRules: [
                  {
                    headers: [
                      { name: ':method', safeRegexMatch: { googleRe2: {}, regex: 'GET' } },
                      { name: ':path', safeRegexMatch: { googleRe2: {}, regex: '/hello' } },
                    ],
                  },
                ],
              },
            },
          ],
        },
      ],
      name: endpoint.ip,
    });
    // Another path in the policy: the resource and the proxy's answers change with it.
    apply(simulation, l7Cilium.files['yamls/service-account-policy-hello3.yaml'] ?? '');
    const edited = helloworldResource(simulation).resource;
    const headers = edited?.ingressPerPortPolicies?.[0]?.rules?.[0]?.httpRules?.httpRules[0]?.headers;
    expect(headers?.find((header) => header.name === ':path')?.safeRegexMatch?.regex).toBe('/hello3');
    const hello = curl(simulation, '/hello');
    expect(hello.kind === 'response' && hello.response.status).toBe(403);
    // A second selector on the port makes Envoy check the remote identities itself.
    apply(
      simulation,
      `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: from-world-too
spec:
  endpointSelector:
    matchLabels:
      app: helloworld
  ingress:
  - fromEntities:
    - world
    toPorts:
    - ports:
      - port: "5000"
        protocol: TCP
      rules:
        http:
        - method: GET
          path: "/healthz"
`,
    );
    const two = helloworldResource(simulation).resource?.ingressPerPortPolicies?.[0]?.rules ?? [];
    expect(two).toHaveLength(2);
    expect(two.every((rule) => (rule.remotePolicies?.length ?? 0) > 0)).toBe(true);
    expect(two.some((rule) => rule.remotePolicies?.includes('2'))).toBe(true);
  }, 60_000);

  it('merges the HTTP rules of two policies with the same selector, and still checks no identity', () => {
    const { simulation } = deployed();
    // The same peer as the guide's policy, in a second policy with another path.
    apply(
      simulation,
      `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: same-selector
spec:
  endpointSelector:
    matchLabels:
      io.cilium.k8s.policy.serviceaccount: helloworld
  ingress:
  - fromEndpoints:
    - matchLabels:
        io.cilium.k8s.policy.serviceaccount: sleep
    toPorts:
    - ports:
      - port: "5000"
        protocol: TCP
      rules:
        http:
        - method: GET
          path: "/healthz"
`,
    );
    const rules = helloworldResource(simulation).resource?.ingressPerPortPolicies?.[0]?.rules ?? [];
    expect(rules).toHaveLength(1);
    expect(rules[0]?.remotePolicies).toBeUndefined();
    const paths = (rules[0]?.httpRules?.httpRules ?? []).map(
      (rule) => rule.headers?.find((header) => header.name === ':path')?.safeRegexMatch?.regex,
    );
    expect(paths.sort()).toEqual(['/healthz', '/hello']);
  }, 60_000);

  it('is deterministic', () => {
    const first = runScenario(l7Cilium);
    const second = runScenario(l7Cilium);
    expect(second.finalHash).toBe(first.finalHash);
    expect(second.steps.map((step) => step.lines)).toEqual(first.steps.map((step) => step.lines));
  }, 120_000);
});
