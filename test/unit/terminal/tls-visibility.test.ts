import { describe, expect, it } from 'vitest';
import { TerminalSession } from '../../../simulator/terminal/session';
import { apply, clusterWithCilium, settle } from '../simulator/support';
import { onePod, workload } from '../simulator/traffic-support';

// The docs' TLS inspection example (security/tls-visibility): mediabot reaches httpbin.org on 443
// through Envoy, which terminates TLS with the httpbin-tls-data certificate (signed by the
// operator's own CA), applies the HTTP rules and re-encrypts with the tls-orig-data CA bundle.
// The HTTP rule here admits only GET /get, so other paths show Envoy's 403.
const policy = (tls: boolean): string => `apiVersion: cilium.io/v2
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
  tls
    ? `      terminatingTLS:
        secret:
          namespace: kube-system
          name: httpbin-tls-data
      originatingTLS:
        secret:
          namespace: kube-system
          name: tls-orig-data
`
    : ''
}      rules:
        http:
        - method: GET
          path: "/get"
  - toEndpoints:
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

describe('terminal: TLS visibility with terminatingTLS / originatingTLS', () => {
  const simulation = clusterWithCilium(13, 2, '1.18.5', { 'encryption.enabled': 'false' });
  apply(simulation, workload('mediabot', { org: 'empire', class: 'mediabot' }, 'docker.io/curlimages/curl'));
  settle(simulation);
  const session = new TerminalSession(simulation, {
    'tls.yaml': policy(true),
    'no-tls.yaml': policy(false),
  });
  const pod = onePod(simulation, { class: 'mediabot' }).metadata.name;

  it('applies the HTTP rules to the decrypted request when the client trusts the CA', async () => {
    expect((await session.run('kubectl apply -f tls.yaml')).exitCode).toBe(0);
    simulation.advance(5000);
    const allowed = await session.run(
      `kubectl exec ${pod} -- curl -sS -o /dev/null -w '%{http_code}' --cacert /tmp/ca.crt https://httpbin.org/get`,
    );
    expect(allowed.stderr).toBe('');
    expect(allowed.stdout).toBe('200');
    const insecure = await session.run(
      `kubectl exec ${pod} -- curl -sk -o /dev/null -w '%{http_code}' https://httpbin.org/get`,
    );
    expect(insecure.stdout).toBe('200');
    const denied = await session.run(
      `kubectl exec ${pod} -- curl -sS --cacert /tmp/ca.crt https://httpbin.org/headers`,
    );
    expect(denied.exitCode).toBe(0);
    expect(denied.stdout).toBe('Access denied\r\n');
  });

  it('fails certificate verification without --cacert or -k', async () => {
    const result = await session.run(`kubectl exec ${pod} -- curl -sS https://httpbin.org/get`);
    expect(result.exitCode).toBe(60);
    expect(result.stderr).toContain(
      'curl: (60) SSL certificate problem: unable to get local issuer certificate\n',
    );
  });

  it('cannot parse HTTP inside TLS without terminatingTLS: the handshake fails', async () => {
    expect((await session.run('kubectl apply -f no-tls.yaml')).exitCode).toBe(0);
    simulation.advance(5000);
    const result = await session.run(
      `kubectl exec ${pod} -- curl -sS --cacert /tmp/ca.crt https://httpbin.org/get`,
    );
    expect(result.exitCode).toBe(35);
    expect(result.stderr).toBe(
      'curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to httpbin.org:443\n',
    );
  });
});
