import { describe, expect, it } from 'vitest';
import { TerminalSession } from '../../../simulator/terminal/session';
import { replay } from '../../../simulator/simulation';
import type { Simulation } from '../../../simulator/simulation';
import { apply, clusterWithCilium, replayedCopies, settle } from '../simulator/support';
import { onePod, workload } from '../simulator/traffic-support';

// The docs' TLS inspection walk-through (security/tls-visibility), typed into the terminal: the
// internal CA's certificate for httpbin.org and its key become the httpbin-tls-data TLS Secret,
// the client's system CA bundle becomes the tls-orig-data Secret, and the docs' policy has
// mediabot's HTTPS to httpbin.org terminated and re-encrypted by Envoy. The model reads neither
// certificate's contents here (PEM-shaped text is enough for kubectl's checks); what it checks is
// which Secrets exist, which keys they hold, and whether the CA bundle holds httpbin.org's root.

/** A certificate and key as the docs' openssl steps leave them (contents not parsed by the model). */
const internalCertificate = `-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUaW50ZXJuYWwtaHR0cGJpbi5jcnQgZm9yIHRoZSBtb2RlbA==
-----END CERTIFICATE-----
`;
const internalKey = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgaW50ZXJuYWwta2V5
-----END PRIVATE KEY-----
`;

type Variant = 'docs' | 'get-only' | 'no-terminating' | 'no-originating';

/** The docs' l7-visibility-tls policy, and variants without one of the TLS stanzas. */
const policy = (variant: Variant): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: l7-visibility-tls
spec:
  endpointSelector:
    matchLabels:
      org: empire
      class: mediabot
  egress:
  - toFQDNs:
    - matchName: httpbin.org
    toPorts:
    - ports:
      - port: "443"
        protocol: TCP
${
  variant === 'no-terminating'
    ? ''
    : `      terminatingTLS:
        secret:
          namespace: kube-system
          name: httpbin-tls-data
`
}${
  variant === 'no-originating' || variant === 'no-terminating'
    ? ''
    : `      originatingTLS:
        secret:
          namespace: kube-system
          name: tls-orig-data
`
}      rules:
        http:
${variant === 'get-only' ? '        - method: GET\n          path: "/get"\n' : '        - {}\n'}  - toEndpoints:
    - matchLabels:
        "k8s:io.kubernetes.pod.namespace": kube-system
        "k8s:k8s-app": kube-dns
    toPorts:
    - ports:
      - port: "53"
        protocol: ANY
      rules:
        dns:
        - matchPattern: "*"
`;

interface Lab {
  simulation: Simulation;
  session: TerminalSession;
  pod: string;
  /** The cilium agent pod on mediabot's node: its Envoy intercepts, its agent computes the policy. */
  agentPod: string;
  run: (command: string) => ReturnType<TerminalSession['run']>;
}

const mediabotWorlds = new Map<string, () => Simulation>();

/** A cluster of the test's own with the docs' mediabot, and a terminal holding the policy files. */
function lab(version: string, seed = 13, values: Record<string, string> = {}): Lab {
  const key = `${version}/${seed}/${JSON.stringify(values)}`;
  let copies = mediabotWorlds.get(key);
  if (copies === undefined) {
    copies = replayedCopies(() => {
      const simulation = clusterWithCilium(seed, 2, version, { 'encryption.enabled': 'false', ...values });
      apply(
        simulation,
        workload('mediabot', { org: 'empire', class: 'mediabot' }, 'docker.io/curlimages/curl'),
      );
      settle(simulation);
      return simulation;
    });
    mediabotWorlds.set(key, copies);
  }
  const simulation = copies();
  const session = new TerminalSession(simulation, {
    'l7-visibility-tls.yaml': policy('docs'),
    'get-only.yaml': policy('get-only'),
    'no-terminating.yaml': policy('no-terminating'),
    'no-originating.yaml': policy('no-originating'),
  });
  const mediabot = onePod(simulation, { class: 'mediabot' });
  const pod = mediabot.metadata.name;
  const agentPod = simulation.state.cluster?.cilium?.agents[mediabot.spec.nodeName ?? '']?.podName ?? '';
  // Each command line is followed by a few seconds, enough for watches, the operator and agents.
  const run = async (command: string) => {
    const result = await session.run(command);
    simulation.advance(5000);
    return result;
  };
  return { simulation, session, pod, agentPod, run };
}

/** The docs' steps that write the internal certificate and key into the shell's files. */
const writeCertificateFiles = `cat > internal-httpbin.crt <<'EOF'
${internalCertificate}EOF
cat > internal-httpbin.key <<'EOF'
${internalKey}EOF`;

const curlVerbose = (pod: string, path = '/anything'): string =>
  `kubectl exec ${pod} -- curl -sS -w ' %{http_code}' --cacert /tmp/ca.crt https://httpbin.org${path}`;

/**
 * The docs' walk-through, one function per step, each returning what the reader sees; a test runs
 * the steps before its own on a new lab, so no test depends on another having run.
 */
const walkThrough = {
  async policyWithoutSecrets({ run, pod }: Lab) {
    const files = await run(writeCertificateFiles);
    const applied = await run('kubectl apply -f l7-visibility-tls.yaml');
    return { files, applied, curl: await run(curlVerbose(pod)) };
  },
  async terminatingSecret({ run }: Lab) {
    return run(
      'kubectl create secret tls httpbin-tls-data -n kube-system --cert=internal-httpbin.crt --key=internal-httpbin.key',
    );
  },
  async systemCaBundle({ run, pod }: Lab) {
    const copied = await run(
      `kubectl exec ${pod} -- cat /etc/ssl/certs/ca-certificates.crt > ca-certificates.crt && grep -c 'BEGIN CERTIFICATE' ca-certificates.crt`,
    );
    const created = await run(
      'kubectl create secret generic tls-orig-data -n kube-system --from-file=ca.crt=./ca-certificates.crt',
    );
    return { copied, created };
  },
  async internalCaBundle({ run }: Lab) {
    await run('kubectl delete secret tls-orig-data -n kube-system');
    return run(
      'kubectl create secret generic tls-orig-data -n kube-system --from-file=ca.crt=internal-httpbin.crt',
    );
  },
};

/** A lab on which the given steps of the walk-through have run, in order. */
async function labAfter(
  version: string,
  steps: readonly (keyof typeof walkThrough)[],
  seed?: number,
): Promise<Lab> {
  const created = lab(version, seed);
  for (const step of steps) await walkThrough[step](created);
  return created;
}

describe('terminal: the TLS-visibility walk-through with SDS (Cilium 1.18, the default)', () => {
  it('without the terminating Secret, Envoy has no certificate and the client handshake fails', async () => {
    const created = lab('1.18.5');
    const { files, applied, curl } = await walkThrough.policyWithoutSecrets(created);
    expect(files.exitCode).toBe(0);
    expect(applied.stdout).toBe('ciliumnetworkpolicy.cilium.io/l7-visibility-tls created\n');
    expect(curl.exitCode).toBe(35);
    expect(curl.stderr).toBe(
      'curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to httpbin.org:443\ncommand terminated with exit code 35\n',
    );
    const logs = await created.run(`kubectl -n kube-system logs ${created.agentPod}`);
    expect(logs.stdout).toMatch(
      /cilium\.tls_wrapper: Could not get server TLS context for pod 10\.244\.\d+\.\d+ on destination IP 3\.223\.125\.42 \(id \d+\) port 443 sni \\"httpbin\.org\\" and raw socket is not allowed/,
    );
  });

  it('the operator copies a created Secret into cilium-secrets; without the CA bundle Envoy answers 503', async () => {
    const created = await labAfter('1.18.5', ['policyWithoutSecrets']);
    const { run, pod } = created;
    expect((await walkThrough.terminatingSecret(created)).stdout).toBe('secret/httpbin-tls-data created\n');
    const copies = await run('kubectl get secrets -n cilium-secrets');
    expect(copies.stdout).toMatch(
      /^NAME\s+TYPE\s+DATA\s+AGE\nkube-system-httpbin-tls-data\s+kubernetes\.io\/tls\s+2\s+/,
    );
    const result = await run(curlVerbose(pod));
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(
      'upstream connect error or disconnect/reset before headers. reset reason: remote connection failure, transport failure reason: TLS error: Secret is not supplied by SDS 503',
    );
  });

  it('with the client’s system CA bundle as tls-orig-data, mediabot reaches httpbin.org and Hubble sees the request', async () => {
    const created = await labAfter('1.18.5', ['policyWithoutSecrets', 'terminatingSecret']);
    const { run, pod, agentPod } = created;
    const { copied, created: secret } = await walkThrough.systemCaBundle(created);
    expect(copied.stdout).toBe('5\n');
    expect(secret.stdout).toBe('secret/tls-orig-data created\n');
    const result = await run(curlVerbose(pod));
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/ 200$/);
    // Hubble in an agent pod sees its own node's flows: ask the agent on mediabot's node (ds/cilium
    // would pick whichever agent pod kubectl ranks first).
    const flows = await run(
      `kubectl -n kube-system exec ${agentPod} -- hubble observe --type l7 --from-pod default/${pod}`,
    );
    expect(flows.stdout).toContain('(HTTP/1.1 GET https://httpbin.org/anything)');
    // The docs watch the same requests with the agent's monitor in L7 mode, here as a job.
    const node = (await run(`kubectl get pod ${pod} -o jsonpath='{.spec.nodeName}'`)).stdout;
    const agent = (
      await run(
        `kubectl -n kube-system get pods -l k8s-app=cilium -o jsonpath="{.items[?(@.spec.nodeName=='${node}')].metadata.name}"`,
      )
    ).stdout;
    expect((await run(`kubectl -n kube-system exec ${agent} -- cilium-dbg monitor -t l7 &`)).exitCode).toBe(
      0,
    );
    const watched = await run(curlVerbose(pod));
    const records = watched.stdout.split('\n').filter((line) => / (Request|Response) http /.test(line));
    expect(records).toEqual([
      expect.stringMatching(
        /^-> Request http from \d+ \(\[[^\]]*k8s:class=mediabot[^\]]*\]\) to 0 \(\[fqdn:httpbin\.org reserved:world\]\), identity \d+->16777217, verdict Forwarded GET https:\/\/httpbin\.org\/anything => 0$/,
      ),
      expect.stringMatching(
        /^-> Response http to \d+ \(\[[^\]]*k8s:class=mediabot[^\]]*\]\) from 0 \(\[fqdn:httpbin\.org reserved:world\]\), identity \d+->16777217, verdict Forwarded GET https:\/\/httpbin\.org\/anything => 200$/,
      ),
    ]);
    await run('kill %1');
  });

  it('a CA bundle without httpbin.org’s root fails Envoy’s upstream handshake: the client gets a 503', async () => {
    const created = await labAfter('1.18.5', ['policyWithoutSecrets', 'terminatingSecret', 'systemCaBundle']);
    expect((await walkThrough.internalCaBundle(created)).exitCode).toBe(0);
    const result = await created.run(curlVerbose(created.pod));
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(
      'upstream connect error or disconnect/reset before headers. reset reason: remote connection failure, transport failure reason: TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:TLS_error_end 503',
    );
  });

  it('replaying the recorded inputs rebuilds the same world, Secrets and copies included', async () => {
    const { simulation } = await labAfter('1.18.5', [
      'policyWithoutSecrets',
      'terminatingSecret',
      'systemCaBundle',
      'internalCaBundle',
    ]);
    expect(replay(13, simulation.steps).hash()).toBe(simulation.hash());
  });
});

describe('terminal: what the TLS stanzas and the client need (Cilium 1.18)', () => {
  /** A lab of its own with both Secrets in place and the policy file given applied. */
  async function withSecrets(policyFile: string): Promise<Lab> {
    const created = lab('1.18.5', 21);
    await created.run(writeCertificateFiles);
    await walkThrough.terminatingSecret(created);
    await walkThrough.systemCaBundle(created);
    await created.run(`kubectl apply -f ${policyFile}`);
    return created;
  }

  it('applies the HTTP rules to the decrypted request', async () => {
    const { pod, run } = await withSecrets('get-only.yaml');
    expect((await run(curlVerbose(pod, '/get'))).stdout).toMatch(/ 200$/);
    const denied = await run(
      `kubectl exec ${pod} -- curl -sS --cacert /tmp/ca.crt https://httpbin.org/headers`,
    );
    expect(denied.stdout).toBe('Access denied\r\n');
    expect(
      (await run(`kubectl exec ${pod} -- curl -sk -o /dev/null -w '%{http_code}' https://httpbin.org/get`))
        .stdout,
    ).toBe('200');
  });

  it('fails certificate verification when the client does not trust the internal CA', async () => {
    const { pod, run } = await withSecrets('get-only.yaml');
    const result = await run(`kubectl exec ${pod} -- curl -sS https://httpbin.org/get`);
    expect(result.exitCode).toBe(60);
    expect(result.stderr).toContain(
      'curl: (60) SSL certificate problem: unable to get local issuer certificate\n',
    );
  });

  it('without originatingTLS Envoy sends the decrypted request in clear, and httpbin.org:443 hangs up', async () => {
    const { pod, run } = await withSecrets('no-originating.yaml');
    const result = await run(curlVerbose(pod, '/get'));
    expect(result.stdout).toBe(
      'upstream connect error or disconnect/reset before headers. reset reason: connection termination 503',
    );
  });

  it('cannot parse HTTP inside TLS without terminatingTLS: the handshake fails', async () => {
    const { pod, run } = await withSecrets('no-terminating.yaml');
    const result = await run(`kubectl exec ${pod} -- curl -sS --cacert /tmp/ca.crt https://httpbin.org/get`);
    expect(result.exitCode).toBe(35);
    expect(result.stderr).toBe(
      'curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to httpbin.org:443\ncommand terminated with exit code 35\n',
    );
  });

  it('deleting the source Secret deletes the operator’s copy, and Envoy loses the certificate', async () => {
    const { pod, run } = await withSecrets('l7-visibility-tls.yaml');
    expect((await run(curlVerbose(pod))).stdout).toMatch(/ 200$/);
    await run('kubectl delete secret httpbin-tls-data -n kube-system');
    const copies = await run('kubectl get secrets -n cilium-secrets -o name');
    expect(copies.stdout).toBe('secret/kube-system-tls-orig-data\n');
    expect((await run(curlVerbose(pod))).exitCode).toBe(35);
  });
});

describe('terminal: the walk-through where the agent reads the Secrets itself (Cilium 1.12)', () => {
  it('a missing Secret fails the endpoint’s regeneration: the policy is not enforced and nothing intercepts', async () => {
    const created = lab('1.12.0');
    // The endpoint keeps its earlier (empty) policy, so curl reaches httpbin.org itself, whose
    // certificate the internal CA did not sign.
    const { curl } = await walkThrough.policyWithoutSecrets(created);
    expect(curl.exitCode).toBe(60);
    const logs = await created.run(`kubectl -n kube-system logs ${created.agentPod}`);
    expect(logs.stdout).toContain(
      'level=warning msg="policy: Error getting terminating TLS Context." error="secrets \\"httpbin-tls-data\\" not found" subsys=policy\n',
    );
    expect(logs.stdout).toMatch(
      /msg="Regeneration of endpoint failed" ciliumEndpointName=default\/mediabot-\S+ endpointID=\d+ error="unable to regenerate policy for '\d+': secrets \\"httpbin-tls-data\\" not found"/,
    );
  });

  it('1.18 reading Secrets itself logs the same failure through slog (pkg/policy/l4.go getCerts)', async () => {
    const created = lab('1.18.5', 13, { 'tls.readSecretsOnlyFromSecretsNamespace': 'false' });
    const { curl } = await walkThrough.policyWithoutSecrets(created);
    expect(curl.exitCode).toBe(60);
    const logs = (await created.run(`kubectl -n kube-system logs ${created.agentPod}`)).stdout;
    // The direction is an attribute from 1.18, the identity comes from the policy repository's logger.
    expect(logs).toMatch(
      /^time=\S+ level=warn msg="policy: Error getting TLS Context" module=agent\.controlplane\.policy identity=\d+ error="secrets \\"httpbin-tls-data\\" not found" trafficDirection=terminating$/m,
    );
    expect(logs).toMatch(
      /^time=\S+ level=warn msg="Regeneration of endpoint failed" endpointID=\d+ containerID=\w+ containerInterface=eth0 datapathPolicyRevision=\d+ desiredPolicyRevision=\d+ ipv4=[\d.]+ ipv6="" k8sPodName=default\/mediabot-\S+ ciliumEndpointName=default\/mediabot-\S+ identity=\d+ subsys=endpoint reason="policy rules updated" error="unable to regenerate policy for '\d+': secrets \\"httpbin-tls-data\\" not found"$/m,
    );
    expect(logs).not.toContain('level=warning');
  });

  it('a generic Secret without tls.crt and tls.key is not a certificate the agent can use', async () => {
    const { run, agentPod } = await labAfter('1.12.0', ['policyWithoutSecrets']);
    await run(
      'kubectl create secret generic httpbin-tls-data -n kube-system --from-literal=note=not-a-certificate',
    );
    const logs = await run(`kubectl -n kube-system logs ${agentPod}`);
    expect(logs.stdout).toContain(
      'certificates not found locally in /var/run/cilium/certs nor in k8s secret kube-system/httpbin-tls-data ',
    );
  });

  it('once both Secrets exist the agent retries, and the policy intercepts', async () => {
    const created = await labAfter('1.12.0', ['policyWithoutSecrets', 'terminatingSecret', 'systemCaBundle']);
    const { run, pod, agentPod } = created;
    expect((await run(curlVerbose(pod))).stdout).toMatch(/ 200$/);
    // No operator copies before 1.17: the agent reads kube-system directly.
    // (and Helm's record of the cilium release, a Secret in kube-system too)
    expect((await run('kubectl get secrets -A -o name')).stdout).toBe(
      'secret/httpbin-tls-data\nsecret/sh.helm.release.v1.cilium.v1\nsecret/tls-orig-data\n',
    );
    const logs = await run(`kubectl -n kube-system logs ${agentPod}`);
    expect(logs.stdout).not.toContain('TLS Context');
  });

  it('Envoy of this release words the upstream verification failure the older way', async () => {
    const created = await labAfter('1.12.0', [
      'policyWithoutSecrets',
      'terminatingSecret',
      'systemCaBundle',
      'internalCaBundle',
    ]);
    expect((await created.run(curlVerbose(created.pod))).stdout).toBe(
      'upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED 503',
    );
  });

  it('replays to the same world', async () => {
    const { simulation } = await labAfter('1.12.0', [
      'policyWithoutSecrets',
      'terminatingSecret',
      'systemCaBundle',
      'internalCaBundle',
    ]);
    expect(replay(13, simulation.steps).hash()).toBe(simulation.hash());
  });
});
