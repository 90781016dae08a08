import { describe, expect, it } from 'vitest';
import { TerminalSession } from '../../../simulator/terminal/session';
import { clusterWithCilium, replayedCopies } from '../simulator/support';

// kubectl's secret commands against the simulated API server: what a reader types from the
// TLS-visibility docs, and the mistakes kubectl reports in its own words.

const certificate = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUY2VydA==\n-----END CERTIFICATE-----\n';
const key = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEH\n-----END PRIVATE KEY-----\n';

const cluster = replayedCopies(() => clusterWithCilium(7, 1, '1.18.5', { 'encryption.enabled': 'false' }));

/** A terminal with the certificate and key files, on a cluster of its own. */
function terminal(): TerminalSession {
  return new TerminalSession(cluster(), { 'tls.crt': certificate, 'tls.key': key });
}

/** A terminal whose cluster holds the generic Secret `bundle`. */
async function terminalWithBundle(): Promise<TerminalSession> {
  const session = terminal();
  const created = await session.run(
    'kubectl create secret generic bundle --from-file=ca.crt=./tls.crt --from-file=tls.key --from-literal=note=hello',
  );
  expect(created.stdout).toBe('secret/bundle created\n');
  return session;
}

describe('terminal: kubectl create secret tls', () => {
  it('creates a kubernetes.io/tls Secret from the certificate and key files', async () => {
    const session = terminal();
    const result = await session.run(
      'kubectl create secret tls httpbin-tls-data -n kube-system --cert=tls.crt --key=tls.key',
    );
    expect(result).toEqual({ stdout: 'secret/httpbin-tls-data created\n', stderr: '', exitCode: 0 });
    const yaml = await session.run('kubectl get secret httpbin-tls-data -n kube-system -o yaml');
    expect(yaml.stdout).toContain('type: kubernetes.io/tls\n');
    // The data is the files' bytes in base64, never the PEM text itself.
    expect(yaml.stdout).toContain(`  tls.crt: ${btoa(certificate)}\n`);
    expect(yaml.stdout).not.toContain('BEGIN CERTIFICATE');
  });

  it('reads files written in the shell, with the flag values separated by spaces too', async () => {
    const session = terminal();
    await session.run(`printf '%s' "$(cat tls.crt)" > shell.crt`);
    const result = await session.run('kubectl create secret tls from-shell --cert shell.crt --key ./tls.key');
    expect(result.stdout).toBe('secret/from-shell created\n');
  });

  it('refuses a name that exists, with kubectl’s wording for tls (a colon after "secret")', async () => {
    const session = terminal();
    const command = 'kubectl create secret tls httpbin-tls-data -n kube-system --cert=tls.crt --key=tls.key';
    expect((await session.run(command)).exitCode).toBe(0);
    const result = await session.run(command);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe('error: failed to create secret: secrets "httpbin-tls-data" already exists\n');
  });

  it('needs both --cert and --key, and files that exist', async () => {
    const session = terminal();
    expect((await session.run('kubectl create secret tls x --cert=tls.crt')).stderr).toBe(
      'error: key and cert must be specified\n',
    );
    expect((await session.run('kubectl create secret tls x --cert=missing.crt --key=tls.key')).stderr).toBe(
      'error: Cannot read file missing.crt, open missing.crt: no such file or directory\n',
    );
  });

  it('checks that the files hold PEM certificate and key blocks', async () => {
    const session = terminal();
    expect((await session.run('kubectl create secret tls x --cert=tls.key --key=tls.key')).stderr).toBe(
      'error: tls: failed to find "CERTIFICATE" PEM block in certificate input after skipping PEM blocks of the following types: [PRIVATE KEY]\n',
    );
    expect((await session.run('kubectl create secret tls x --cert=tls.crt --key=tls.crt')).stderr).toBe(
      'error: tls: found a certificate rather than a key in the PEM for the private key\n',
    );
    await session.run('echo hello > plain.txt');
    expect((await session.run('kubectl create secret tls x --cert=plain.txt --key=tls.key')).stderr).toBe(
      'error: tls: failed to find any PEM data in certificate input\n',
    );
  });

  it('needs exactly one name', async () => {
    const session = terminal();
    const result = await session.run('kubectl create secret tls --cert=tls.crt --key=tls.key');
    expect(result.stderr).toBe(
      "error: exactly one NAME is required, got 0\nSee 'kubectl create secret tls -h' for help and examples\n",
    );
  });
});

describe('terminal: kubectl create secret generic', () => {
  it('packs --from-file (key=path or the file’s base name) and --from-literal into an Opaque Secret', async () => {
    const session = await terminalWithBundle();
    const table = await session.run('kubectl get secrets');
    expect(table.stdout).toMatch(/^NAME\s+TYPE\s+DATA\s+AGE\nbundle\s+Opaque\s+3\s+\d+s\n$/);
  });

  it('describes the keys with their sizes, never the values', async () => {
    const session = await terminalWithBundle();
    const result = await session.run('kubectl describe secret bundle');
    expect(result.stdout).toBe(
      [
        'Name:         bundle',
        'Namespace:    default',
        'Labels:       <none>',
        'Annotations:  <none>',
        '',
        'Type:  Opaque',
        '',
        'Data',
        '====',
        `ca.crt:   ${certificate.length} bytes`,
        'note:     5 bytes',
        `tls.key:  ${key.length} bytes`,
        '',
      ].join('\n'),
    );
    expect(result.stdout).not.toContain('hello');
  });

  it('reports kubectl’s errors for missing files, bad keys, duplicates and bad literals', async () => {
    const session = terminal();
    expect((await session.run('kubectl create secret generic a --from-file=nope.pem')).stderr).toBe(
      'error: error reading nope.pem: no such file or directory\n',
    );
    expect((await session.run("kubectl create secret generic a --from-literal='bad key=1'")).stderr).toBe(
      `error: "bad key" is not valid key name for a Secret a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')\n`,
    );
    expect(
      (await session.run('kubectl create secret generic a --from-literal=k=1 --from-literal=k=2')).stderr,
    ).toBe('error: cannot add key k, another key by that name already exists\n');
    expect((await session.run('kubectl create secret generic a --from-literal=novalue')).stderr).toBe(
      'error: invalid literal source novalue, expected key=value\n',
    );
    expect((await session.run('kubectl create secret generic a --from-file==tls.crt')).stderr).toBe(
      'error: key name for file path tls.crt missing\n',
    );
  });

  it('refuses an existing name without a colon, and a namespace that does not exist', async () => {
    const session = await terminalWithBundle();
    expect((await session.run('kubectl create secret generic bundle --from-literal=a=b')).stderr).toBe(
      'error: failed to create secret secrets "bundle" already exists\n',
    );
    expect((await session.run('kubectl create secret generic a -n nowhere --from-literal=a=b')).stderr).toBe(
      'error: failed to create secret namespaces "nowhere" not found\n',
    );
  });

  it('passes the API server’s validation errors on (a name that is not a DNS subdomain)', async () => {
    const session = terminal();
    const result = await session.run('kubectl create secret generic Bad_Name --from-literal=a=b');
    expect(result.stderr).toMatch(
      /^error: failed to create secret Secret "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
  });

  it('prints without creating on --dry-run=client', async () => {
    const session = terminal();
    const result = await session.run(
      'kubectl create secret generic dry --from-literal=a=b --dry-run=client -o yaml',
    );
    expect(result.stdout).toContain('name: dry\n');
    expect((await session.run('kubectl get secret dry')).stderr).toBe(
      'Error from server (NotFound): secrets "dry" not found\n',
    );
  });

  it('deletes a Secret, and reports one that is gone', async () => {
    const session = await terminalWithBundle();
    expect((await session.run('kubectl delete secret bundle')).stdout).toBe('secret "bundle" deleted\n');
    expect((await session.run('kubectl delete secret bundle')).stderr).toBe(
      'Error from server (NotFound): secrets "bundle" not found\n',
    );
    expect((await session.run('kubectl get secrets')).stderr).toBe(
      'No resources found in default namespace.\n',
    );
  });
});

describe('terminal: kubectl apply and create -f with Secret manifests', () => {
  it('merges stringData into data as the API server does', async () => {
    const session = terminal();
    await session.run(`cat > secret.yaml <<'EOF'
apiVersion: v1
kind: Secret
metadata:
  name: mixed
stringData:
  password: s3cret
data:
  user: YWRtaW4=
EOF`);
    expect((await session.run('kubectl apply -f secret.yaml')).stdout).toBe('secret/mixed created\n');
    const json = JSON.parse((await session.run('kubectl get secret mixed -o json')).stdout) as {
      type: string;
      data: Record<string, string>;
      stringData?: unknown;
    };
    expect(json.type).toBe('Opaque');
    expect(json.data).toEqual({ password: btoa('s3cret'), user: 'YWRtaW4=' });
    expect(json.stringData).toBeUndefined();
    expect((await session.run('kubectl apply -f secret.yaml')).stdout).toBe('secret/mixed unchanged\n');
    expect((await session.run('kubectl create -f secret.yaml')).stderr).toBe(
      'Error from server (AlreadyExists): error when creating "secret.yaml": secrets "mixed" already exists\n',
    );
  });

  it('refuses a TLS Secret without its certificate and key, listing both causes', async () => {
    const session = terminal();
    await session.run(`cat > tls.yaml <<'EOF'
apiVersion: v1
kind: Secret
metadata:
  name: half
type: kubernetes.io/tls
data:
  ca.crt: Zm9v
EOF`);
    const result = await session.run('kubectl apply -f tls.yaml');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      'The Secret "half" is invalid: \n* data[tls.crt]: Required value\n* data[tls.key]: Required value\n',
    );
  });

  it('refuses data that is not base64', async () => {
    const session = terminal();
    await session.run(
      `printf 'apiVersion: v1\\nkind: Secret\\nmetadata:\\n  name: raw\\ndata:\\n  key: not base64!\\n' > raw.yaml`,
    );
    expect((await session.run('kubectl apply -f raw.yaml')).stderr).toBe(
      'Error from server (BadRequest): Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3\n',
    );
  });
});
