import { describe, expect, it } from 'vitest';
import { walkthrough, type Walkthrough } from '../walkthrough';

// Goal: the TLS-visibility walkthrough (reference/tls-inspection, after the docs'
// security/tls-visibility) runs block by block as the page writes it, answering openssl's prompts
// as the docs tell the reader to: an internal CA, a certificate for httpbin.org signed by it, the
// two Secrets, the CA installed in mediabot, and the policy; then mediabot's HTTPS requests go
// through Envoy, which a monitor in a second terminal shows in clear. What makes it work is
// checked too: without the CA in the pod, or with a certificate for another name, curl refuses
// Envoy's certificate.

const passphrase = 'empire-ca-secret';

/** The name answers for `openssl req`: the defaults, with a Common Name. */
const nameAnswers = (commonName: string) => ['', '', '', '', '', commonName, ''];

interface Variant {
  commonName: string;
  installCa: boolean;
}

/** The page's blocks up to and including the policy, with the reader's answers. */
async function buildTheCa(page: Walkthrough, variant: Variant): Promise<void> {
  const app = await page.next('dns-sw-app.yaml');
  expect(app.stdout).toMatch(/^mediabot +1\/1 +Running/m);

  const caKey = await page.next('openssl genrsa -des3 -out myCA.key 2048');
  expect(caKey).toMatchObject({ stderr: 'Enter PEM pass phrase:', waitingForInput: { echo: false } });
  expect((await page.answer(passphrase)).stderr).toBe('Verifying - Enter PEM pass phrase:');
  expect(await page.answer(passphrase)).toMatchObject({ stdout: '', exitCode: 0 });

  expect((await page.next('openssl req -x509')).stderr).toBe('Enter pass phrase for myCA.key:');
  const firstField = await page.answer(passphrase);
  expect(firstField.stderr).toMatch(/Distinguished Name[\s\S]*Country Name \(2 letter code\) \[AU\]:$/);
  for (const answer of nameAnswers('Empire internal CA')) await page.answer(answer);

  expect(await page.next('openssl genrsa -out internal-httpbin.key 2048')).toMatchObject({ exitCode: 0 });
  await page.next('openssl req -new -key internal-httpbin.key');
  for (const answer of nameAnswers(variant.commonName)) await page.answer(answer);
  expect((await page.answer('')).stderr).toBe('An optional company name []:');
  expect(await page.answer('')).toMatchObject({ exitCode: 0 });

  expect((await page.next('openssl x509 -req')).stderr).toBe('Enter pass phrase for myCA.key:');
  const signed = await page.answer(passphrase);
  expect(signed).toMatchObject({ exitCode: 0 });
  expect(signed.stderr).toBe(
    `Certificate request self-signature ok\nsubject=C = AU, ST = Some-State, O = Internet Widgits Pty Ltd, CN = ${variant.commonName}\n`,
  );
  expect((await page.next('kubectl create secret tls')).stdout).toBe('secret/httpbin-tls-data created\n');

  if (variant.installCa) {
    expect(await page.next('kubectl cp myCA.crt')).toMatchObject({ exitCode: 0 });
    const updated = await page.next('update-ca-certificates');
    expect(updated.stdout).toBe(
      'Updating certificates in /etc/ssl/certs...\n1 added, 0 removed; done.\nRunning hooks in /etc/ca-certificates/update.d...\ndone.\n',
    );
    expect(updated.stderr).toMatch(/^WARNING: /);
  } else {
    await page.window('main').run('true');
  }
}

async function interceptionPage(variant: Variant): Promise<Walkthrough> {
  const page = await walkthrough('tls-inspection');
  await buildTheCa(page, variant);
  return page;
}

describe('reference: the TLS-visibility walkthrough, verbatim', () => {
  it('builds a CA, installs it, and lets Envoy read mediabot’s HTTPS to httpbin.org', async () => {
    const page = await interceptionPage({ commonName: 'httpbin.org', installCa: true });
    expect(await page.next('kubectl cp default/mediabot:/etc/ssl/certs/ca-certificates.crt')).toMatchObject({
      exitCode: 0,
    });
    expect((await page.next('kubectl create secret generic tls-orig-data')).stdout).toBe(
      'secret/tls-orig-data created\n',
    );
    expect((await page.next('l7-visibility-tls.yaml')).stdout).toBe(
      'ciliumnetworkpolicy.cilium.io/l7-visibility-tls created\n',
    );
    page.waits(5000);
    const monitor = await page.next('cilium-dbg monitor -t l7', 'second');
    expect(monitor.stderr).toContain('Press Ctrl-C to quit');
    const anything = await page.next("https://httpbin.org/anything'");
    expect(anything.exitCode).toBe(0);
    expect(anything.stdout).toContain('"url": "https://httpbin.org/anything"');
    expect((await page.next("https://httpbin.org/headers'")).stdout).toContain('"Host": "httpbin.org"');
    const events = page.window('second').poll().stdout;
    expect(events).toMatch(
      /^-> Request http from \d+ \(\[[^\]]*k8s:class=mediabot[^\]]*\]\) to 0 \(\[[^\]]*reserved:world[^\]]*\]\), identity \d+->\d+, verdict Forwarded GET https:\/\/httpbin\.org\/anything => 0$/m,
    );
    expect(events).toMatch(
      /^-> Response http to \d+ .* verdict Forwarded GET https:\/\/httpbin\.org\/anything => 200$/m,
    );
    page.window('second').cancel();
    const cleaned = await page.next('kubectl delete secret -n kube-system httpbin-tls-data');
    expect(cleaned.stdout).toContain('secret "httpbin-tls-data" deleted\n');
    page.finish();
  }, 120_000);

  const refusals: { name: string; variant: Variant; error: RegExp }[] = [
    {
      name: 'without the CA in the pod, curl cannot verify Envoy’s certificate',
      variant: { commonName: 'httpbin.org', installCa: false },
      error: /^curl: \(60\) SSL certificate problem: unable to get local issuer certificate$/m,
    },
    {
      name: 'with a certificate for another name, curl refuses it',
      variant: { commonName: 'example.org', installCa: true },
      error:
        /^curl: \(60\) SSL: certificate subject name 'example\.org' does not match target host name 'httpbin\.org'$/m,
    },
  ];
  it.each(refusals)(
    '$name',
    async ({ variant, error }) => {
      const page = await interceptionPage(variant);
      const main = page.window('main');
      await main.run('kubectl cp default/mediabot:/etc/ssl/certs/ca-certificates.crt ca-certificates.crt');
      await main.run(
        'kubectl create secret generic tls-orig-data -n kube-system --from-file=ca.crt=./ca-certificates.crt',
      );
      await main.run(
        'kubectl create -f https://raw.githubusercontent.com/cilium/cilium/1.18.5/examples/kubernetes-tls-inspection/l7-visibility-tls.yaml',
      );
      page.waits(5000);
      const refused = await main.run("kubectl exec mediabot -- curl -sSL 'https://httpbin.org/anything'");
      expect(refused.exitCode).toBe(60);
      expect(refused.stderr).toMatch(error);
    },
    120_000,
  );
});
