import { describe, expect, it } from 'vitest';
import { ScenarioPlayer, scenarios } from '../../../simulator/index';
import { TerminalSession } from '../../../simulator/terminal/session';

// The Istio half of the L7 article in the terminal: a sidecar's certificate seen through
// `openssl s_client` from an istio-proxy container (the server asks for a client certificate and
// ends the handshake with alert 116), then read with `step certificate inspect` and `openssl x509`.
const scenario = scenarios['istio-mistaken-identity'];
if (scenario === undefined) throw new Error('scenario missing');

function meshSession(seed?: number): TerminalSession {
  const player = new ScenarioPlayer(scenario as NonNullable<typeof scenario>, seed);
  for (let step = 0; step < 3; step++) player.next();
  return new TerminalSession(player.simulation, scenario?.files ?? {});
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
    expect(result.stdout).toContain('verify error:num=19:self signed certificate in certificate chain');
    expect(result.stdout).toMatch(
      /Certificate chain\n 0 s:\n {3}i:O = cluster\.local\n-----BEGIN CERTIFICATE-----/,
    );
    expect(result.stdout).toContain(' 1 s:O = cluster.local');
    expect(result.stdout).toContain('Acceptable client certificate CA names\nO = cluster.local');
    expect(result.stdout).toContain('New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384');
    expect(result.stderr).toContain('tlsv13 alert certificate required');
    expect(result.stderr).toContain('SSL alert number 116');
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
