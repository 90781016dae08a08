import { describe, expect, it } from 'vitest';
import { ScenarioPlayer, scenarios } from '../../../simulator/index';
import { TerminalSession } from '../../../simulator/terminal/session';
import { withSiteRepositories } from './kubectl-support';

// The Istio half of the L7 article in the terminal: a sidecar's certificate seen through
// `openssl s_client` from an istio-proxy container (the server asks for a client certificate and
// ends the handshake with alert 116), then read with `step certificate inspect` and `openssl x509`.
const scenario = scenarios['istio-mistaken-identity'];
if (scenario === undefined) throw new Error('scenario missing');

function meshSession(seed?: number): TerminalSession {
  const player = new ScenarioPlayer(scenario as NonNullable<typeof scenario>, seed);
  for (let step = 0; step < 3; step++) player.next();
  return new TerminalSession(player.simulation, scenario?.files ?? {}, withSiteRepositories);
}

const sClient =
  "kubectl exec -it $(kubectl get po -lapp=sleep,version=v1 -ojsonpath='{.items[0].metadata.name}') -c istio-proxy -- openssl s_client -connect helloworld-v1:5000 -showcerts";
const firstCertificate = "sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p' | awk '/BEGIN/{n++} n==1'";

describe('terminal: Istio certificates', () => {
  it('shows the sidecar chain and the certificate_required alert, as the article does', async () => {
    const session = meshSession();
    const result = await session.run(sClient);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('CONNECTED(00000003)');
    // Istio 1.24's proxyv2 image is Ubuntu 24.04, whose OpenSSL 3.0.13 hyphenates "self-signed".
    expect(result.stdout).toContain('verify error:num=19:self-signed certificate in certificate chain');
    expect(result.stdout).toMatch(
      /Certificate chain\n 0 s:\n {3}i:O = cluster\.local\n-----BEGIN CERTIFICATE-----/,
    );
    expect(result.stdout).toContain(' 1 s:O = cluster.local');
    expect(result.stdout).toContain('Acceptable client certificate CA names\nO = cluster.local');
    expect(result.stdout).toContain('New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384');
    expect(result.stderr).toMatch(
      /^[0-9A-F]{2}[0-9A-F]{8}7F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:\.\.\/ssl\/record\/rec_layer_s3\.c:1605:SSL alert number 116\ncommand terminated with exit code 1\n$/,
    );
    // Each run is a new process, with its own thread id.
    const again = await session.run(`sleep 1; ${sClient}`);
    expect(again.stderr.slice(0, 16)).not.toBe(result.stderr.slice(0, 16));
  });

  it('opens its TCP connection through Cilium: a deny policy on the server leaves it hanging', async () => {
    const session = meshSession();
    const denied = await session.run(`kubectl apply -f - <<'EOF'
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: no-sleep-v1
spec:
  endpointSelector:
    matchLabels:
      app: helloworld
      version: v1
  ingressDeny:
  - fromEndpoints:
    - matchLabels:
        app: sleep
        version: v1
EOF
sleep 2`);
    expect(denied.exitCode).toBe(0);
    const before = session.simulation.state.timeMs;
    const result = await session.run(sClient);
    expect(result).toMatchObject({
      stdout: '',
      stderr: 'connect: Connection timed out\nconnect:errno=110\ncommand terminated with exit code 1\n',
      exitCode: 1,
    });
    expect(session.simulation.state.timeMs - before).toBeGreaterThanOrEqual(127_000);
  });

  it('reads the leaf with step and openssl: the SAN is the server’s service account', async () => {
    const session = meshSession();
    const stepped = await session.run(
      `${sClient} 2>/dev/null | ${firstCertificate} | step certificate inspect -`,
    );
    expect(stepped.exitCode).toBe(0);
    expect(stepped.stdout).toContain('Issuer: O=cluster.local');
    expect(stepped.stdout).toContain('URI:spiffe://cluster.local/ns/default/sa/helloworld-v1');
    expect(stepped.stdout).toMatch(
      /Not Before: (\w+ \d+ [\d:]+ \d{4}) UTC\n\s+Not After : \w+ \d+ [\d:]+ \d{4} UTC/,
    );
    const text = await session.run(
      `${sClient} 2>/dev/null | ${firstCertificate} | openssl x509 -text -noout`,
    );
    expect(text.stdout).toContain('X509v3 Subject Alternative Name: critical');
    expect(text.stdout).toContain('CA:FALSE');
  });

  it('renders the same certificate bytes for the same seed and different ones for another', async () => {
    const pem = async (seed: number) =>
      (await meshSession(seed).run(`${sClient} 2>/dev/null | ${firstCertificate}`)).stdout;
    const first = await pem(5);
    expect(first).toContain('-----BEGIN CERTIFICATE-----');
    expect(await pem(5)).toBe(first);
    expect(await pem(6)).not.toBe(first);
  });

  it('explains what it cannot do and refuses a certificate that is not one', async () => {
    const session = meshSession();
    const bad = await session.run("echo 'not a certificate' | step certificate inspect -");
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('no PEM certificate found');
    const prompt = await session.run('istioctl install --set profile=default');
    expect(prompt.exitCode).toBe(1);
    expect(prompt.stdout).toContain('Proceed? (y/N)');
  });
});

describe('terminal: an ambient waypoint', () => {
  it('applies a waypoint, enrols the namespace, and answers a path outside the policy with 403', async () => {
    const { Simulation } = await import('../../../simulator/index');
    const files = scenarios['istio-mistaken-identity']?.files ?? {};
    const terminal = new TerminalSession(new Simulation(3), files, withSiteRepositories);
    const setup = [
      'kind create cluster --config=- <<EOF',
      'kind: Cluster',
      'apiVersion: kind.x-k8s.io/v1alpha4',
      'nodes:',
      '- role: control-plane',
      '- role: worker',
      '- role: worker',
      '- role: worker',
      'networking:',
      '  disableDefaultCNI: true',
      'EOF',
      'helm install cilium cilium/cilium --version 1.12.0 --namespace kube-system && sleep 60',
      'istioctl install --set profile=ambient -y && sleep 30',
      'kubectl label namespace default istio.io/dataplane-mode=ambient',
      'kubectl apply -f yamls/helloworld.yaml -f yamls/sleep.yaml',
      'kubectl rollout status deploy/helloworld-v1 && kubectl rollout status deploy/sleep-v1',
    ].join('\n');
    expect((await terminal.run(setup)).exitCode).toBe(0);
    // Istio does not bring the Gateway API CRDs, and a waypoint is a Gateway.
    const early = await terminal.run('istioctl waypoint apply -n default --enroll-namespace');
    expect(early.exitCode).toBe(1);
    expect(early.stderr).toBe(
      'Error: missing Kubernetes Gateway CRDs need to be installed before applying a waypoint: the server could not find the requested resource (patch gateways.gateway.networking.k8s.io waypoint)\n',
    );
    const crds = await terminal.run(
      'kubectl get crd gateways.gateway.networking.k8s.io &> /dev/null || kubectl apply -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.2.1/standard-install.yaml',
    );
    expect(crds.stdout.split('\n').filter((line) => line !== '')).toEqual(
      ['gatewayclasses', 'gateways', 'grpcroutes', 'httproutes', 'referencegrants'].map(
        (kind) => `customresourcedefinition.apiextensions.k8s.io/${kind}.gateway.networking.k8s.io created`,
      ),
    );
    expect((await terminal.run('kubectl get crd gateways.gateway.networking.k8s.io')).stdout).toMatch(
      /^NAME +CREATED AT\ngateways\.gateway\.networking\.k8s\.io +\d{4}-\d\d-\d\dT[\d:]+Z\n$/,
    );
    const waypoint = await terminal.run('istioctl waypoint apply -n default --enroll-namespace');
    expect(waypoint.stdout).toBe(
      '✅ waypoint default/waypoint applied\n✅ namespace default labeled with "istio.io/use-waypoint: waypoint"\n',
    );
    expect((await terminal.run('kubectl get ns default --show-labels')).stdout).toContain(
      'istio.io/use-waypoint=waypoint',
    );
    const policy = `kubectl apply -f - <<'EOF'
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: helloworld-paths
spec:
  targetRefs:
    - kind: Service
      group: ''
      name: helloworld-v1
  action: ALLOW
  rules:
    - to:
        - operation:
            methods: ['GET']
            paths: ['/hello']
EOF`;
    expect(
      (await terminal.run(`${policy}\nkubectl rollout status deploy/waypoint && sleep 5`)).exitCode,
    ).toBe(0);
    const allowed = await terminal.run(
      'kubectl exec deploy/sleep-v1 -- curl -s --max-time 5 http://helloworld-v1:5000/hello',
    );
    expect(allowed.stdout).toMatch(/^Hello version: v1/);
    const denied = await terminal.run(
      'kubectl exec deploy/sleep-v1 -- curl -s -w " %{http_code}" --max-time 5 http://helloworld-v1:5000/hello3',
    );
    expect(denied.stdout).toBe('RBAC: access denied 403');
  }, 60_000);
});
