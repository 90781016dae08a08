import { describe, expect, it } from 'vitest';
import { decodeLabPermalink, encodeLabPermalink } from '../../../simulator/permalink';
import { LabSession } from '../../../simulator/scenarios/lab-session';
import { referenceLabs } from '../../../simulator/scenarios/reference';
import { scenarios } from '../../../simulator/scenarios/catalog';

// Goal: each lab of the Cilium security reference opens where its page's walkthrough starts (a
// kind cluster with Cilium 1.18.5 from its Helm chart, or with no CNI for the host firewall page,
// which installs Cilium itself), its steps reach the page's stages without a failed expectation,
// and a command of the page typed into the lab gives the page's output there.

const loadTerminal = () => import('../../../simulator/terminal/session');

/** The Cilium agents' version in the lab's world, or undefined when Cilium is not installed. */
const ciliumOf = (session: LabSession) => session.simulation.state.cluster?.cilium?.config.version;

describe('scenarios: reference labs', () => {
  describe('open at the state the page assumes', () => {
    it.each(referenceLabs.map((lab) => [lab.id, lab] as const))('%s', async (id, lab) => {
      const session = new LabSession(lab, lab.defaultSeed, loadTerminal);
      expect(session.completedSteps).toBe(0);
      const expected = id === 'reference-host-firewall' ? undefined : '1.18.5';
      expect(ciliumOf(session)).toBe(expected);
      const nodes = await session.run('kubectl get nodes --no-headers');
      expect(nodes.stdout).toMatch(/^kind-control-plane +(Ready|NotReady) +control-plane /);
      if (expected !== undefined) {
        const helm = await session.run('helm list -n kube-system --short');
        expect(helm.stdout).toBe('cilium\n');
      }
    });
  });

  describe('play every step without a failed expectation', () => {
    it.each(referenceLabs.map((lab) => [lab.id, lab] as const))('%s', (_id, lab) => {
      const session = new LabSession(lab, lab.defaultSeed, loadTerminal);
      while (session.next() !== undefined) {
        // Each call plays one step.
      }
      expect(session.steps.flatMap((step) => step.failures)).toEqual([]);
      expect(session.completedSteps).toBe(lab.steps.length);
    });
  });

  const examples = 'https://raw.githubusercontent.com/cilium/cilium/1.18.5/examples';
  const cases: { name: string; lab: string; steps: number; command: string; output: RegExp }[] = [
    {
      name: 'Star Wars: the exhaust port panics without an L7 rule',
      lab: 'reference-star-wars',
      steps: 2,
      command: 'kubectl exec tiefighter -- curl -s -XPUT deathstar.default.svc.cluster.local/v1/exhaust-port',
      output: /^Panic: deathstar exploded\n/,
    },
    {
      name: 'Star Wars: Envoy refuses the exhaust port under the L7 rule',
      lab: 'reference-star-wars',
      steps: 3,
      command: 'kubectl exec tiefighter -- curl -s -XPUT deathstar.default.svc.cluster.local/v1/exhaust-port',
      output: /^Access denied\r?\n$/,
    },
    {
      name: 'Star Wars: the page deploys the demo itself from the lab’s start',
      lab: 'reference-star-wars',
      steps: 0,
      command: `kubectl create -f ${examples}/minikube/http-sw-app.yaml`,
      output:
        /^service\/deathstar created\ndeployment.apps\/deathstar created\npod\/tiefighter created\npod\/xwing created\n$/,
    },
    {
      name: 'DNS: api.github.com answers under dns-matchname',
      lab: 'reference-dns',
      steps: 2,
      command: 'kubectl exec mediabot -- curl -I -s https://api.github.com | head -1',
      output: /^HTTP\/2 200 \r\n$/,
    },
    {
      name: 'gRPC: the door client reads a door name',
      lab: 'reference-grpc',
      steps: 1,
      command: 'kubectl exec terminal-87 -- python3 /cloudcity/cc_door_client.py GetName 1',
      output: /^Door name is: Spaceport Door #1\n$/,
    },
    {
      name: 'Elasticsearch: empire-hq searches the index',
      lab: 'reference-elasticsearch',
      steps: 1,
      command: 'kubectl exec empire-hq -- python search.py',
      output: /^Searching for Spaceship Diagnostics/,
    },
    {
      name: 'host firewall: the agent reports the host firewall on',
      lab: 'reference-host-firewall',
      steps: 1,
      command: "kubectl exec -n kube-system ds/cilium -- cilium-dbg status | grep 'Host firewall'",
      output: /^Host firewall:/,
    },
    {
      name: 'policies from verdicts: one deathstar replica',
      lab: 'reference-verdicts',
      steps: 1,
      command: 'kubectl get deploy deathstar --no-headers',
      output: /^deathstar +1\/1 +1 +1 /,
    },
    {
      name: "AWS: the test pod lists the account's instance with the Secret's keys",
      lab: 'reference-aws',
      steps: 1,
      command:
        'kubectl -n kube-system exec testing-aws-pod -- aws ec2 describe-instances | grep PrivateIpAddress | head -1',
      output: /"PrivateIpAddress": "172\.31\.44\.160"/,
    },
    {
      name: "AWS: the operator's derivative holds the group's addresses",
      lab: 'reference-aws',
      steps: 3,
      command:
        "kubectl get cnp -l io.cilium.network.policy.kind=derivative -o jsonpath='{.items[0].specs[0].egress[0].toCIDRSet[*].cidr}'",
      output: /^34\.254\.113\.42\/32 172\.31\.44\.160\/32$/,
    },
    {
      name: 'AWS: the derivative follows an instance launched into the group',
      lab: 'reference-aws',
      steps: 4,
      command:
        "kubectl get cnp -l io.cilium.network.policy.kind=derivative -o jsonpath='{.items[0].specs[0].egress[0].toCIDRSet[*].cidr}'",
      output: /^34\.254\.113\.42\/32 34\.254\.114\.5\/32 172\.31\.32\.5\/32 172\.31\.44\.160\/32$/,
    },
    {
      name: 'endpoint lifecycle: identity 5 is reserved:init',
      lab: 'reference-endpoint-lifecycle',
      steps: 0,
      command: 'kubectl -n kube-system exec ds/cilium -- cilium-dbg identity get 5',
      output: /^ID +LABELS\n5 +reserved:init\n$/,
    },
    {
      name: 'pod access: jane may not exec into the agent',
      lab: 'reference-pod-access',
      steps: 1,
      command: 'kubectl auth can-i create pods/exec -n kube-system --as jane',
      output: /^no\n$/,
    },
  ];

  describe("a page's command typed into its lab gives the page's output", () => {
    it.each(cases)('$name', async ({ lab, steps, command, output }) => {
      const scenario = scenarios[lab];
      if (scenario === undefined) throw new Error(`no scenario ${lab}`);
      const session = new LabSession(scenario, scenario.defaultSeed, loadTerminal);
      for (let step = 0; step < steps; step++) session.next();
      const entry = await session.run(command);
      expect(entry.stdout).toMatch(output);
    });
  });

  it('rebuilds a lab from its permalink on top of the initial state', async () => {
    const scenario = scenarios['reference-grpc'];
    if (scenario === undefined) throw new Error('no scenario reference-grpc');
    const original = new LabSession(scenario, 3, loadTerminal);
    original.next();
    await original.run(
      'kubectl exec terminal-87 -- python3 /cloudcity/cc_door_client.py SetAccessCode 1 999',
    );
    const decoded = await decodeLabPermalink(await encodeLabPermalink(original.record()));
    if (!decoded.ok) throw new Error(decoded.error);
    const { session } = await LabSession.restore(scenario, decoded.record, loadTerminal);
    expect(session.simulation.hash()).toBe(original.simulation.hash());
    expect(session.terminalLog).toEqual(original.terminalLog);
  });
});
