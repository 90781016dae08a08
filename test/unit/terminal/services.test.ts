// Goal: Services of type NodePort and LoadBalancer are what the API server makes of them — node
// ports allocated from 30000-32767 unless given, refused with the API server's message when out of
// range or taken, externalTrafficPolicy only where it means something, LoadBalancer <pending> on
// kind — and kubectl shows them as it does (`80:31940/TCP`); from the reader's machine, curl reaches
// them at every node's address, and a pod's egress policy sees the node address where no socket LB
// translates the connection.
import { describe, expect, it } from 'vitest';
import { TerminalSession } from '../../../simulator/terminal/session';
import { apply, clusterWithCilium, settle } from '../simulator/support';
import { applyPolicy, onePod, workload } from '../simulator/traffic-support';

const service = (spec: string, name = 'web'): string =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  selector:\n    app: web\n${spec}`;

/** A cluster with a web backend and a curl client, and a terminal holding the given files. */
function servicesWorld(files: Record<string, string> = {}, values: Record<string, string> = {}) {
  const simulation = clusterWithCilium(23, 2, '1.18.5', { 'encryption.enabled': 'false', ...values });
  apply(simulation, workload('web', { app: 'web' }, 'docker.io/library/nginx', { port: 80 }));
  apply(simulation, workload('client', { app: 'client' }, 'docker.io/curlimages/curl'));
  settle(simulation);
  const session = new TerminalSession(simulation, files);
  return { simulation, session };
}

interface AdmissionCase {
  readonly name: string;
  readonly manifest: string;
  readonly stderr: string;
}

const refused: readonly AdmissionCase[] = [
  {
    name: 'a node port out of the range',
    manifest: service('  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 8080\n'),
    stderr:
      'The Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767\n',
  },
  {
    name: 'a node port on a ClusterIP Service',
    manifest: service('  ports:\n  - port: 80\n    nodePort: 30080\n'),
    stderr:
      'The Service "web" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is \'ClusterIP\'\n',
  },
  {
    name: 'externalTrafficPolicy on a ClusterIP Service',
    manifest: service('  externalTrafficPolicy: Local\n  ports:\n  - port: 80\n'),
    stderr:
      'The Service "web" is invalid: spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services\n',
  },
  {
    name: 'an unknown traffic policy',
    manifest: service('  type: NodePort\n  externalTrafficPolicy: Nearby\n  ports:\n  - port: 80\n'),
    stderr:
      'The Service "web" is invalid: spec.externalTrafficPolicy: Unsupported value: "Nearby": supported values: "Cluster", "Local"\n',
  },
  {
    name: 'an unknown type',
    manifest: service('  type: Public\n  ports:\n  - port: 80\n'),
    stderr:
      'The Service "web" is invalid: spec.type: Unsupported value: "Public": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"\n',
  },
  // The rows below are shrunk counterexamples of the robustness properties (test/unit/robustness/).
  {
    name: 'a port left empty (a manifest cut short), which used to break kubectl apply',
    manifest: service('  ports:\n  -\n'),
    stderr:
      'The Service "web" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive\n',
  },
  {
    name: 'no ports',
    manifest: service(''),
    stderr: 'The Service "web" is invalid: spec.ports: Required value\n',
  },
  {
    name: 'a port given as a string',
    manifest: service('  ports:\n  - port: "80"\n'),
    stderr:
      'Error from server (BadRequest): error when creating "svc.yaml": Service in version "v1" cannot be handled as a Service: json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32\n',
  },
  {
    name: 'an unknown protocol',
    manifest: service('  ports:\n  - port: 80\n    protocol: QUIC\n'),
    stderr:
      'The Service "web" is invalid: spec.ports[0].protocol: Unsupported value: "QUIC": supported values: "SCTP", "TCP", "UDP"\n',
  },
  {
    name: 'a target port that is no port name',
    manifest: service('  ports:\n  - port: 80\n    targetPort: web server\n'),
    stderr:
      'The Service "web" is invalid: spec.ports[0].targetPort: Invalid value: "web server": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)\n',
  },
  {
    name: 'the same port twice, without names',
    manifest: service('  ports:\n  - port: 80\n  - port: 80\n'),
    stderr:
      'The Service "web" is invalid: \n* spec.ports[0].name: Required value\n* spec.ports[1].name: Required value\n* spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}\n',
  },
  {
    name: 'a cluster IP that is no address',
    manifest: service('  clusterIP: web\n  ports:\n  - port: 80\n'),
    stderr:
      'The Service "web" is invalid: spec.clusterIPs[0]: Invalid value: "web": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)\n',
  },
  {
    name: 'a cluster IP outside the service range',
    manifest: service('  clusterIP: 10.0.0.10\n  ports:\n  - port: 80\n'),
    stderr:
      'The Service "web" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.10"}: failed to allocate IP 10.0.0.10: provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/16\n',
  },
  {
    name: 'an unknown session affinity',
    manifest: service('  sessionAffinity: Sticky\n  ports:\n  - port: 80\n'),
    stderr:
      'The Service "web" is invalid: spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"\n',
  },
];

describe('services: admission', () => {
  it.each(refused)('services: admission: refuses $name', async ({ manifest, stderr }) => {
    const { session } = servicesWorld({ 'svc.yaml': manifest });
    const result = await session.run('kubectl apply -f svc.yaml');
    expect(result).toMatchObject({ exitCode: 1, stdout: '', stderr });
    expect((await session.run('kubectl get svc web')).exitCode).toBe(1);
  });

  it('services: admission: a node port another Service holds', async () => {
    const first = service('  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 30080\n');
    const second = service('  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 30080\n', 'web2');
    const { session } = servicesWorld({ 'a.yaml': first, 'b.yaml': second });
    expect((await session.run('kubectl apply -f a.yaml')).stdout).toBe('service/web created\n');
    expect((await session.run('kubectl apply -f b.yaml')).stderr).toBe(
      'The Service "web2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated\n',
    );
  });

  it('services: admission: allocates node ports in range, keeps them on re-apply, and shows them', async () => {
    const nodePort = service('  type: NodePort\n  ports:\n  - port: 80\n');
    const balancer = service(
      '  type: LoadBalancer\n  externalTrafficPolicy: Local\n  ports:\n  - port: 80\n',
      'web-lb',
    );
    const { session } = servicesWorld({ 'np.yaml': nodePort, 'lb.yaml': balancer });
    await session.run('kubectl apply -f np.yaml');
    await session.run('kubectl apply -f lb.yaml');
    const listed = await session.run('kubectl get svc web web-lb --no-headers');
    const rows = listed.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^web +NodePort +10\.96\.\d+\.\d+ +<none> +80:(3[0-2]\d{3})\/TCP +\d+s$/);
    expect(rows[1]).toMatch(
      /^web-lb +LoadBalancer +10\.96\.\d+\.\d+ +<pending> +80:(3[0-2]\d{3})\/TCP +\d+s$/,
    );
    const port = Number(/80:(\d+)/.exec(rows[0] ?? '')?.[1]);
    expect(port).toBeGreaterThanOrEqual(30000);
    expect(port).toBeLessThanOrEqual(32767);
    expect((await session.run('kubectl apply -f np.yaml')).stdout).toBe('service/web unchanged\n');
    const described = await session.run('kubectl describe svc web-lb');
    expect(described.stdout).toMatch(/\nType: +LoadBalancer\n/);
    expect(described.stdout).toMatch(/\nNodePort: +<unset> +3\d{4}\/TCP\n/);
    expect(described.stdout).toMatch(/\nExternal Traffic Policy: +Local\n/);
    expect(described.stdout).toMatch(/\nHealthCheck NodePort: +3\d{4}\n/);
    const jsonpath = await session.run("kubectl get svc web -o jsonpath='{.spec.ports[0].nodePort}'");
    expect(jsonpath.stdout).toBe(String(port));
  });

  // ServiceStatus holds its LoadBalancerStatus by value: every stored Service carries it, empty.
  it.each([
    { type: 'ClusterIP', name: 'web' },
    { type: 'NodePort', name: 'web' },
    { type: 'ClusterIP', name: 'kubernetes' },
  ])(
    'services: admission: a $type Service ($name) keeps an empty load-balancer status',
    async ({ type, name }) => {
      const manifest = service(`  type: ${type}\n  ports:\n  - port: 80\n`);
      const { session } = servicesWorld({ 'svc.yaml': manifest });
      await session.run('kubectl apply -f svc.yaml');
      const yaml = await session.run(`kubectl get svc ${name} -o yaml`);
      expect(yaml.stdout).toMatch(/\nstatus:\n {2}loadBalancer: \{\}\n$/);
      const json = await session.run(`kubectl get svc ${name} -o jsonpath='{.status}'`);
      expect(json.stdout).toBe('{"loadBalancer":{}}');
    },
  );
});

describe('services: node ports from a shell', () => {
  it("services: node ports: curl from the reader's machine reaches every node's address", async () => {
    const manifest = service('  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 31000\n');
    const { session, simulation } = servicesWorld({ 'np.yaml': manifest });
    await session.run('kubectl apply -f np.yaml');
    simulation.advance(1000);
    for (const node of Object.values(simulation.state.cluster?.nodes ?? {})) {
      const result = await session.run(`curl -s -m 2 http://${node.internalIP}:31000/`);
      expect(result, node.name).toMatchObject({ exitCode: 0, stdout: 'ok: GET /\n' });
    }
  });

  it("services: node ports: a pod's egress policy meets the node address under kube-proxy, the backend under the socket LB", async () => {
    const manifest = service('  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 31000\n');
    const onlyWeb = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: only-web
spec:
  endpointSelector:
    matchLabels:
      app: client
  egress:
  - toEndpoints:
    - matchLabels:
        app: web
`;
    for (const [values, exitCode] of [
      [{}, 28],
      [{ kubeProxyReplacement: 'true' }, 0],
    ] as const) {
      const { session, simulation } = servicesWorld({ 'np.yaml': manifest }, values);
      await session.run('kubectl apply -f np.yaml');
      applyPolicy(simulation, onlyWeb);
      const pod = onePod(simulation, { app: 'client' }).metadata.name;
      const worker = simulation.state.cluster?.nodes['kind-worker']?.internalIP ?? '';
      const result = await session.run(
        `kubectl exec ${pod} -- curl -s -m 2 -o /dev/null http://${worker}:31000/`,
      );
      expect(result.exitCode, JSON.stringify(values)).toBe(exitCode);
    }
  });
});

describe('services: the agent reports its kube-proxy replacement', () => {
  it.each([
    { version: '1.12.0', values: {}, line: /^KubeProxyReplacement: {4}Disabled$/ },
    {
      version: '1.12.0',
      values: { kubeProxyReplacement: 'strict' },
      line: /^KubeProxyReplacement: {4}Strict {3}\[eth0 {3}172\.18\.0\.\d+ \(Direct Routing\)\]$/,
    },
    { version: '1.18.5', values: {}, line: /^KubeProxyReplacement: {4}False$/ },
    {
      version: '1.18.5',
      values: { kubeProxyReplacement: 'true' },
      line: /^KubeProxyReplacement: {4}True {3}\[eth0 {3}172\.18\.0\.\d+ \(Direct Routing\)\]$/,
    },
  ])('services: cilium-dbg status on $version with $values', async ({ version, values, line }) => {
    const simulation = clusterWithCilium(29, 1, version, { 'encryption.enabled': 'false', ...values });
    const session = new TerminalSession(simulation);
    const cli = version.startsWith('1.12') ? 'cilium' : 'cilium-dbg';
    const result = await session.run(
      `kubectl -n kube-system exec ds/cilium -- ${cli} status | grep KubeProxyReplacement`,
    );
    expect(result.stdout.trimEnd()).toMatch(line);
  });
});
