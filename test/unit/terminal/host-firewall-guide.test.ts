import { describe, expect, it } from 'vitest';
import { replay } from '../../../simulator/simulation';
import { TerminalSession } from '../../../simulator/terminal/session';
import type { TerminalContext } from '../../../simulator/terminal/context';
import { ciliumMonitor } from '../../../simulator/terminal/cilium-monitor';
import { agentEndpointIds, hostEndpointId } from '../../../simulator/cilium/agent-endpoints';
import { ciliumExampleAt } from '../../../simulator/cilium/example-manifests';
import { formatMonitorEvent, monitorShows } from '../../../simulator/cilium/monitor-events';
import { endpointOptionValues } from '../../../simulator/cilium/endpoint-options';
import { resolveCiliumConfig } from '../../../simulator/cilium/config';
import type { Flow } from '../../../simulator/cilium/flow';
import { apply, clusterWithCilium, replayedCopies, settle } from '../simulator/support';
import type { Simulation } from '../../../simulator/simulation';
import { demoPolicyUrl, guidePreamble } from './host-firewall-guide-lines';
import { connectFrom, flowsOf, keyOfPod, onePod, workload } from '../simulator/traffic-support';

// The docs' Host Firewall guide (security/host-firewall), in Cilium 1.18 terms: label a node, find
// its host endpoint with the guide's JSONPath, put that endpoint in policy audit mode with
// `cilium-dbg endpoint config`, create the demo host policy from its URL, watch the verdicts with
// `cilium-dbg monitor`, then enforce. Audit mode is per endpoint here, as in Cilium: the agent-wide
// policyAuditMode stays off.

/** A host policy that allows only SSH into labelled nodes, so a pod's kubelet request is refused. */
const sshOnlyPolicy = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: ssh-only
spec:
  nodeSelector:
    matchLabels:
      node-access: ssh
  ingress:
  - toPorts:
    - ports:
      - port: "22"
        protocol: TCP
`;

const hostFirewallWorlds = new Map<number, () => Simulation>();

/** A host-firewall cluster with a client pod on kind-worker2, of the test's own. */
function hostFirewallCluster(seed: number) {
  let copies = hostFirewallWorlds.get(seed);
  if (copies === undefined) {
    copies = replayedCopies(() => {
      const simulation = clusterWithCilium(seed, 2, '1.18.5', {
        'encryption.enabled': 'false',
        'hostFirewall.enabled': 'true',
      });
      apply(
        simulation,
        workload('client', { app: 'client' }, 'docker.io/curlimages/curl').replace(
          '    spec:\n',
          '    spec:\n      nodeName: kind-worker2\n',
        ),
      );
      settle(simulation);
      return simulation;
    });
    hostFirewallWorlds.set(seed, copies);
  }
  const simulation = copies();
  const session = new TerminalSession(simulation);
  const agentOf = (node: string) => {
    const agent = simulation.state.cluster?.cilium?.agents[node];
    if (agent === undefined) throw new Error(`no agent on ${node}`);
    return agent;
  };
  const kexec = (node: string, command: string) =>
    session.run(`kubectl -n kube-system exec ${agentOf(node).podName} -- cilium-dbg ${command}`);
  const nodeIP = (node: string) => simulation.state.cluster?.nodes[node]?.internalIP ?? '';
  const client = onePod(simulation, { app: 'client' });
  const curlNode = (node: string, port: number) =>
    connectFrom(simulation, {
      fromPodKey: keyOfPod(client),
      host: nodeIP(node),
      port,
      http: { method: 'GET', path: '/', headers: {} },
    });
  return { simulation, session, agentOf, kexec, nodeIP, client, curlNode };
}

describe('host firewall guide: its command lines, as the page has them', () => {
  it('labels the node, finds the host endpoint through the kexec alias and enables audit mode', async () => {
    const { session, agentOf } = hostFirewallCluster(60);
    const lines = [
      ...guidePreamble,
      'kexec cilium-dbg endpoint config $HOST_EP_ID PolicyAuditMode=Enabled',
      'kexec cilium-dbg endpoint config $HOST_EP_ID | grep PolicyAuditMode',
      `kubectl create -f ${demoPolicyUrl}`,
    ];
    const outputs: string[] = [];
    for (const line of lines) {
      const result = await session.run(line);
      expect(result.exitCode, line).toBe(0);
      outputs.push(result.stdout);
    }
    const hostId = hostEndpointId(agentOf('kind-worker'));
    expect(outputs).toEqual([
      '',
      'node/kind-worker labeled\n',
      '',
      '',
      '',
      '',
      `Endpoint ${hostId} configuration updated successfully\n`,
      'PolicyAuditMode                   : Enabled\n',
      'ciliumclusterwidenetworkpolicy.cilium.io/demo-host-policy created\n',
    ]);
    const list = await session.run('sleep 2; kexec cilium-dbg endpoint list');
    expect(list.stdout).toMatch(
      new RegExp(
        `\\n${hostId} +Disabled \\(Audit\\) +Disabled +1 +k8s:node-access=ssh +ready *\\n +reserved:host *\\n`,
      ),
    );
    await session.run('kexec cilium-dbg endpoint config $HOST_EP_ID PolicyAuditMode=Disabled');
    expect((await session.run('kexec cilium-dbg endpoint list')).stdout).toMatch(
      new RegExp(`\\n${hostId} +Enabled +Disabled +1 +k8s:node-access=ssh`),
    );
    const cleanUp = await session.run(
      'kubectl delete ccnp demo-host-policy && kubectl label node $NODE_NAME node-access-',
    );
    expect(cleanUp.stdout).toBe(
      'ciliumclusterwidenetworkpolicy.cilium.io "demo-host-policy" deleted\nnode/kind-worker unlabeled\n',
    );
  });
});

describe('host firewall guide: the host endpoint', () => {
  it('is found by the guide’s JSONPath on the endpoint list', async () => {
    const { session, agentOf, kexec } = hostFirewallCluster(61);
    const result = await kexec(
      'kind-worker',
      `endpoint list -o jsonpath='{[?(@.status.identity.id==1)].id}'`,
    );
    expect(result).toMatchObject({ stdout: `${hostEndpointId(agentOf('kind-worker'))}\n`, exitCode: 0 });
    // Shell substitution, as the guide stores it.
    const stored = await session.run(
      `HOST_EP_ID=$(kubectl -n kube-system exec ${agentOf('kind-worker').podName} -- cilium-dbg endpoint list -o jsonpath='{[?(@.status.identity.id==1)].id}') && echo "id=$HOST_EP_ID"`,
    );
    expect(stored.stdout).toBe(`id=${hostEndpointId(agentOf('kind-worker'))}\n`);
  });

  it('shows reserved:host with the node’s identity-relevant labels only', async () => {
    const { simulation, session, agentOf, kexec } = hostFirewallCluster(61);
    const before = await kexec('kind-worker', 'endpoint list');
    const hostId = hostEndpointId(agentOf('kind-worker'));
    expect(before.stdout).toMatch(new RegExp(`\\n${hostId} +Disabled +Disabled +1 +reserved:host +ready`));
    // kind's kubernetes.io/* and beta.kubernetes.io/* node labels are filtered out.
    expect(before.stdout).not.toContain('kubernetes.io/hostname');
    expect((await session.run('kubectl label node kind-worker node-access=ssh')).stdout).toBe(
      'node/kind-worker labeled\n',
    );
    simulation.advance(2000);
    const after = await kexec('kind-worker', 'endpoint list');
    expect(after.stdout).toMatch(
      new RegExp(`\\n${hostId} +Disabled +Disabled +1 +k8s:node-access=ssh +ready *\\n +reserved:host *\\n`),
    );
    const json = JSON.parse((await kexec('kind-worker', `endpoint get ${hostId}`)).stdout) as {
      status: { identity: { id: number; labels: string[] } };
    }[];
    expect(json[0]?.status.identity).toEqual({ id: 1, labels: ['k8s:node-access=ssh', 'reserved:host'] });
    // The control plane keeps its node-role labels: the filter drops kubernetes.io/… keys only at the start.
    const controlPlane = await kexec('kind-control-plane', 'endpoint list');
    expect(controlPlane.stdout).toContain('k8s:node-role.kubernetes.io/control-plane');
    expect(controlPlane.stdout).not.toContain('k8s:kubernetes.io/os');
  });

  it('lists its options and takes PolicyAuditMode=Enabled as an input that replays', async () => {
    const { simulation, session, agentOf, kexec } = hostFirewallCluster(61);
    const hostId = hostEndpointId(agentOf('kind-worker'));
    const options = await kexec('kind-worker', `endpoint config ${hostId}`);
    expect(options.stdout).toBe(
      [
        'ConntrackAccounting               : Disabled',
        'Debug                             : Disabled',
        'DebugLB                           : Disabled',
        'DebugPolicy                       : Disabled',
        'DropNotification                  : Enabled',
        'MonitorAggregationLevel           : Medium',
        'PolicyAccounting                  : Enabled',
        'PolicyAuditMode                   : Disabled',
        'PolicyVerdictNotification         : Enabled',
        'SourceIPVerification              : Enabled',
        'TraceNotification                 : Enabled',
        '',
      ].join('\n'),
    );
    const updated = await kexec('kind-worker', `endpoint config ${hostId} PolicyAuditMode=Enabled`);
    expect(updated).toMatchObject({
      stdout: `Endpoint ${hostId} configuration updated successfully\n`,
      exitCode: 0,
    });
    const grep = await session.run(
      `kubectl -n kube-system exec ${agentOf('kind-worker').podName} -- cilium-dbg endpoint config ${hostId} | grep PolicyAuditMode`,
    );
    expect(grep.stdout).toBe('PolicyAuditMode                   : Enabled\n');
    expect(agentOf('kind-worker').hostEndpointOptions).toEqual({ PolicyAuditMode: 1 });
    // Names are case-insensitive and booleans take Cilium's spellings.
    expect((await kexec('kind-worker', `endpoint config ${hostId} debug=true`)).exitCode).toBe(0);
    expect((await kexec('kind-worker', `endpoint config ${hostId} -o json`)).stdout).toContain(
      '"Debug": "Enabled"',
    );
    expect(replay(61, simulation.steps).hash()).toBe(simulation.hash());
  });
});

describe('host firewall guide: audit mode, then enforcement, on the host endpoint', () => {
  /** A cluster of the test's own whose labelled kind-worker audits the SSH-only host policy. */
  async function auditingHost() {
    const lab = hostFirewallCluster(62);
    const { simulation, session, agentOf, kexec } = lab;
    const hostId = () => hostEndpointId(agentOf('kind-worker'));
    await session.run('kubectl label node kind-worker node-access=ssh && sleep 2');
    await kexec('kind-worker', `endpoint config ${hostId()} PolicyAuditMode=Enabled`);
    await session.run(`kubectl apply -f - <<'EOF'\n${sshOnlyPolicy}EOF\nsleep 2`);
    const lastVerdict = () => flowsOf(simulation).findLast((flow) => flow.eventType === 'policy-verdict');
    return { ...lab, hostId, lastVerdict };
  }

  it('labels the node, enables audit mode and applies a host policy that refuses the kubelet port', async () => {
    const { kexec, hostId } = await auditingHost();
    const list = await kexec('kind-worker', 'endpoint list');
    expect(list.stdout).toMatch(
      new RegExp(`\\n${hostId()} +Disabled \\(Audit\\) +Disabled +1 +k8s:node-access=ssh`),
    );
    const model = JSON.parse((await kexec('kind-worker', `endpoint get ${hostId()}`)).stdout) as {
      spec: { options: Record<string, string> };
      status: { policy: { realized: { 'policy-enabled': string } } };
    }[];
    expect(model[0]?.spec.options.PolicyAuditMode).toBe('Enabled');
    expect(model[0]?.status.policy.realized['policy-enabled']).toBe('audit-ingress');
  });

  it('lets a refused connection through with an AUDIT verdict while the endpoint audits', async () => {
    const { simulation, curlNode, lastVerdict } = await auditingHost();
    const outcome = curlNode('kind-worker', 10250);
    expect(outcome.kind).toBe('response');
    expect(lastVerdict()).toMatchObject({
      verdict: 'AUDIT',
      node: 'kind-worker',
      trafficDirection: 'INGRESS',
    });
    // Audit mode is the host endpoint's own: the unlabelled node is not selected, the agents' setting is off.
    expect(simulation.state.cluster?.cilium?.config.policyAuditMode).toBe(false);
  });

  it('drops it once PolicyAuditMode=Disabled, and the list says Enabled', async () => {
    const { simulation, session, kexec, hostId, curlNode, lastVerdict, nodeIP } = await auditingHost();
    const disabled = await kexec('kind-worker', `endpoint config ${hostId()} PolicyAuditMode=Disabled`);
    expect(disabled.stdout).toBe(`Endpoint ${hostId()} configuration updated successfully\n`);
    // SSH only: the API server can no longer dial the node's kubelet, so `kubectl exec` fails there;
    // a console on the node (crictl) still reaches the agent.
    const locked = await kexec('kind-worker', 'endpoint list');
    expect(locked.stderr).toBe(
      `Error from server: error dialing backend: dial tcp ${nodeIP('kind-worker')}:10250: i/o timeout\n`,
    );
    const list = await session.run(
      "docker exec kind-worker bash -c 'crictl exec $(crictl ps -q --name cilium-agent) cilium-dbg endpoint list'",
    );
    expect(list.stdout).toMatch(new RegExp(`\\n${hostId()} +Enabled +Disabled +1 +k8s:node-access=ssh`));
    const outcome = curlNode('kind-worker', 10250);
    expect(outcome.kind).toBe('timeout');
    expect(lastVerdict()).toMatchObject({ verdict: 'DROPPED', trafficDirection: 'INGRESS' });
    expect(flowsOf(simulation).findLast((flow) => flow.eventType === 'drop')?.destination.ip).toBe(
      nodeIP('kind-worker'),
    );
  });

  it('audits a pod endpoint on its own too', async () => {
    const { simulation, agentOf, kexec, client } = await auditingHost();
    apply(
      simulation,
      `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: client-ingress-none
spec:
  endpointSelector:
    matchLabels:
      app: client
  ingress:
  - fromEntities:
    - world
`,
    );
    simulation.advance(2000);
    const agent = agentOf('kind-worker2');
    const endpoint = Object.values(agent.endpoints).find(
      (candidate) => candidate.podName === client.metadata.name,
    );
    expect(endpoint).toBeDefined();
    const id = endpoint?.id ?? 0;
    expect((await kexec('kind-worker2', 'endpoint list')).stdout).toMatch(
      new RegExp(`\\n${id} +Enabled +Disabled `),
    );
    await kexec('kind-worker2', `endpoint config ${id} PolicyAuditMode=Enabled`);
    expect((await kexec('kind-worker2', 'endpoint list')).stdout).toMatch(
      new RegExp(`\\n${id} +Disabled \\(Audit\\) +Disabled `),
    );
    expect(replay(62, simulation.steps).hash()).toBe(simulation.hash());
  });
});

describe('host firewall guide: the demo host policy from its URL', () => {
  it('creates it with kubectl create -f, as the guide prints', async () => {
    const { session } = hostFirewallCluster(63);
    expect(await session.run(`kubectl create -f ${demoPolicyUrl}`)).toMatchObject({
      stdout: 'ciliumclusterwidenetworkpolicy.cilium.io/demo-host-policy created\n',
      exitCode: 0,
    });
    const again = await session.run(`kubectl create -f ${demoPolicyUrl}`);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('"demo-host-policy" already exists');
    const applied = await session.run(
      'kubectl apply -f https://raw.githubusercontent.com/cilium/cilium/main/examples/policies/host/demo-host-policy.yaml',
    );
    expect(applied.stdout).toBe('ciliumclusterwidenetworkpolicy.cilium.io/demo-host-policy unchanged\n');
    const stored = await session.run('kubectl get ccnp demo-host-policy -o jsonpath="{.spec.nodeSelector}"');
    expect(stored.stdout).toBe('{"matchLabels":{"node-access":"ssh"}}');
  });

  it('serves the file of the release asked for, and nothing else from the web', async () => {
    const { session } = hostFirewallCluster(63);
    expect(ciliumExampleAt(demoPolicyUrl)).toContain('type: EchoRequest');
    expect(ciliumExampleAt(demoPolicyUrl.replace('1.18.5', 'v1.15.6'))).toContain('type: 8');
    expect(ciliumExampleAt(demoPolicyUrl.replace('1.18.5', 'feature-branch'))).toBeUndefined();
    const unknown = await session.run(`kubectl create -f ${demoPolicyUrl.replace('demo-host', 'other')}`);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('has no internet access');
  });
});

describe('host firewall guide: cilium-dbg monitor', () => {
  /** A terminal context whose pauses send traffic, as if the reader did something while the monitor ran. */
  function contextSending(simulation: Simulation, traffic: () => void): TerminalContext {
    let sent = false;
    return {
      simulation,
      files: {},
      spend: (ms) => simulation.advance(ms),
      input: (event) => simulation.input(event),
      remainingMs: () => 3_600_000,
      pause: () => {
        if (!sent) traffic();
        sent = true;
        return Promise.resolve(true);
      },
    };
  }

  it('prints its header on stderr and, with nothing sent, no events', async () => {
    const { kexec } = hostFirewallCluster(64);
    const result = await kexec('kind-worker', 'monitor -t policy-verdict');
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^Listening for events on \d+ CPUs with 64x4096 of shared memory\nPress Ctrl-C to quit\n\(monitor stopped after 60 simulated seconds: a real cilium-dbg monitor runs until you press Ctrl-C/,
    );
    expect(result.exitCode).toBe(0);
  });

  it('prints the verdicts of its window in the monitor’s format, filtered by --related-to', async () => {
    const { simulation, session, agentOf, kexec, nodeIP, client, curlNode } = hostFirewallCluster(64);
    await session.run('kubectl label node kind-worker node-access=ssh && sleep 2');
    const hostId = hostEndpointId(agentOf('kind-worker'));
    await kexec('kind-worker', `endpoint config ${hostId} PolicyAuditMode=Enabled`);
    await session.run(`kubectl apply -f - <<'EOF'\n${sshOnlyPolicy}EOF\nsleep 2`);
    const clientIdentity = Object.values(agentOf('kind-worker2').endpoints).find(
      (endpoint) => endpoint.podName === client.metadata.name,
    )?.identity;
    const podIP = client.status?.podIP ?? '';
    const audited = await ciliumMonitor(
      contextSending(simulation, () => curlNode('kind-worker', 10250)),
      agentOf('kind-worker'),
      ['-t', 'policy-verdict', '--related-to', String(hostId)],
    );
    expect(audited.stdout).toMatch(
      new RegExp(
        `^Policy verdict log: flow 0x0 local EP ID ${hostId}, remote ID ${clientIdentity}, proto 6, ingress, action audit, auth: disabled, match none, ${podIP.replaceAll('.', '\\.')}:\\d+ -> ${nodeIP('kind-worker').replaceAll('.', '\\.')}:10250 tcp SYN\\n$`,
      ),
    );
    // Another endpoint's id filters everything out.
    const unrelated = await ciliumMonitor(
      contextSending(simulation, () => curlNode('kind-worker', 10250)),
      agentOf('kind-worker'),
      ['-t', 'policy-verdict', '--related-to', String(hostId === 1 ? 2 : 1)],
    );
    expect(unrelated.stdout).toBe('');
    // Enforced: the verdict is deny, and -t drop shows the drop (identities by name unless -n).
    await kexec('kind-worker', `endpoint config ${hostId} PolicyAuditMode=Disabled`);
    const denied = await ciliumMonitor(
      contextSending(simulation, () => curlNode('kind-worker', 10250)),
      agentOf('kind-worker'),
      [],
    );
    const lines = denied.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^Policy verdict log: flow 0x0 local EP ID ${hostId}, remote ID ${clientIdentity}, proto 6, ingress, action deny, auth: disabled, match none, `,
      ),
    );
    expect(lines[1]).toMatch(
      new RegExp(
        `^xx drop \\(Policy denied\\) flow 0x0 to endpoint ${hostId}, ifindex \\d+, file bpf_host\\.c:\\d+, , identity ${clientIdentity}->host: .* tcp SYN$`,
      ),
    );
    const numeric = await ciliumMonitor(
      contextSending(simulation, () => curlNode('kind-worker', 10250)),
      agentOf('kind-worker'),
      ['-t', 'drop', '-n'],
    );
    expect(numeric.stdout).toContain(`, , identity ${clientIdentity}->1: `);
    expect(numeric.stdout).not.toContain('Policy verdict log');
  });

  it('refuses unknown types and flags with the CLI’s words', async () => {
    const { kexec } = hostFirewallCluster(64);
    const type = await kexec('kind-worker', 'monitor -t verdicts');
    expect(type.exitCode).toBe(1);
    expect(type.stderr).toContain(
      'Error: invalid argument "verdicts" for "-t, --type" flag: Unknown type (verdicts). Please use one of the following ones map[agent:130 capture:3 debug:2 drop:1 l7:129 policy-verdict:5',
    );
    const id = await kexec('kind-worker', 'monitor --related-to host');
    expect(id.stderr).toContain('invalid argument "host" for "--related-to" flag');
  });
});

describe('host firewall guide: endpoint config errors', () => {
  it('answers like cilium-dbg for a bad id, an unknown endpoint, option or value', async () => {
    const { agentOf, kexec } = hostFirewallCluster(65);
    const agent = agentOf('kind-worker');
    const ids = agentEndpointIds(agent);
    let free = 1;
    while (agent.endpoints[String(free)] !== undefined || free === ids.host || free === ids.health) free += 1;
    const missing = await kexec('kind-worker', `endpoint config ${free}`);
    expect(missing.stderr).toBe(
      `Error: Cannot get configuration of endpoint ${free}: [GET /endpoint/{id}/config][404] getEndpointIdConfigNotFound \n\ncommand terminated with exit code 1\n`,
    );
    expect(missing.exitCode).toBe(1);
    expect((await kexec('kind-worker', 'endpoint config 99999')).stderr).toBe(
      'Error: Cannot parse endpoint id "99999": endpoint id too large: 99999\ncommand terminated with exit code 1\n',
    );
    const hostId = hostEndpointId(agent);
    expect((await kexec('kind-worker', `endpoint config ${hostId} Audit=on`)).stderr).toBe(
      'Error: Cannot parse option Audit=on: unknown option "Audit"\ncommand terminated with exit code 1\n',
    );
    expect((await kexec('kind-worker', `endpoint config ${hostId} PolicyAuditMode=maybe`)).stderr).toBe(
      'Error: Cannot parse option PolicyAuditMode=maybe: invalid option value maybe\ncommand terminated with exit code 1\n',
    );
    expect((await kexec('kind-worker', `endpoint config ${hostId} PolicyAuditMode`)).stderr).toBe(
      'Error: Cannot parse option PolicyAuditMode: invalid option format\ncommand terminated with exit code 1\n',
    );
    expect((await kexec('kind-worker', 'endpoint config')).stderr).toMatch(
      /^Error: Missing endpoint id argument\n\nUsage:\n {2}cilium-dbg endpoint config <endpoint id>/,
    );
    expect(agent.hostEndpointOptions).toBeUndefined();
  });
});

describe('monitor events and endpoint options, field by field', () => {
  const flow: Flow = {
    number: 1,
    timeMs: 0,
    node: 'kind-worker',
    eventType: 'policy-verdict',
    verdict: 'REDIRECTED',
    trafficDirection: 'EGRESS',
    matchType: 'Proto-only',
    protocol: 'TCP',
    tcpFlags: 'ACK, PSH',
    source: { ip: '10.244.1.5', port: 40000, identity: 1234 },
    destination: { ip: '10.244.2.7', port: 8080, identity: 16777217 },
    explanation: '',
    authType: 'SPIRE',
  };
  const event = { flow, localEndpointId: 77 };

  it('prints what GetConnectionSummary decodes and the action and auth of the verdict', () => {
    expect(formatMonitorEvent(event, { numeric: false, versionMinor: 18 })).toMatch(
      /^Policy verdict log: flow 0x[0-9a-f]+ local EP ID 77, remote ID 16777217, proto 6, egress, action redirect, auth: spire, match Proto-Only, 10\.244\.1\.5:40000 -> 10\.244\.2\.7:8080 tcp ACK$/,
    );
    // Before mutual authentication (1.14) there is no auth field.
    expect(
      formatMonitorEvent(
        { flow: { ...flow, protocol: 'UDP', verdict: 'FORWARDED', matchType: 'L3-L4' }, localEndpointId: 77 },
        { numeric: false, versionMinor: 13 },
      ),
    ).toMatch(
      /, proto 17, egress, action allow, match L3-L4, 10\.244\.1\.5:40000 -> 10\.244\.2\.7:8080 udp$/,
    );
  });

  it('filters on the local endpoint and the remote identity cut to 16 bits, as MonitorFormatter.match does', () => {
    const none = { types: [], from: [], to: [], related: [] };
    expect(monitorShows(event, { ...none, related: [77] })).toBe(true);
    expect(monitorShows(event, { ...none, related: [1] })).toBe(true);
    expect(monitorShows(event, { ...none, related: [2] })).toBe(false);
    expect(monitorShows(event, { ...none, types: ['drop'] })).toBe(false);
    expect(monitorShows(event, { ...none, from: [77], to: [1] })).toBe(true);
  });

  it('gives 1.12 endpoints the options of their release', () => {
    const config = resolveCiliumConfig({ version: '1.12.0', values: { policyAuditMode: 'true' } }).config;
    if (config === undefined) throw new Error('no config');
    expect(endpointOptionValues(config, undefined)).toMatchObject({
      ConntrackAccounting: 'Enabled',
      ConntrackLocal: 'Disabled',
      PolicyAuditMode: 'Enabled',
    });
    expect(endpointOptionValues(config, { PolicyAuditMode: 0 }).PolicyAuditMode).toBe('Disabled');
    expect(endpointOptionValues(config, undefined).PolicyAccounting).toBeUndefined();
  });
});
