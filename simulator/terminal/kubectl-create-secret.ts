/**
 * `kubectl create secret tls|generic`, following kubectl's create_secret.go and
 * create_secret_tls.go: sources are read from the reader's files (shared from the shell), literals
 * first, then files, each key checked as a config key and never added twice; a TLS secret's files
 * must hold PEM data as Go's tls.X509KeyPair looks for it. The object then goes to the API server
 * like any other write (k8s/secrets.ts admits it), and kubectl wraps the server's refusal in its
 * own words ("failed to create secret …", with a colon for tls and without one for generic).
 *
 * Not modelled: --from-env-file, directories as --from-file sources, --append-hash, and the
 * certificate/key match and certificate parsing of tls.X509KeyPair.
 */
import { getObject } from '../k8s/api-store';
import { admitSecret, encodeSecretValue, secretRefusalText, secretTypeTls } from '../k8s/secrets';
import type { Secret } from '../k8s/objects';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { kubectlJson, kubectlYaml } from './kubectl-output';

const configKey = /^[-._a-zA-Z0-9]+$/;

const configKeyRule =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

/** The flags `create secret` reads, parsed by kubectl's argument parser. */
export interface CreateSecretFlags {
  flags: Map<string, string>;
  repeated: Map<string, string[]>;
}

function usageError(subcommand: string, message: string): CommandResult {
  return fail(`error: ${message}\nSee 'kubectl create secret ${subcommand} -h' for help and examples`);
}

/** Reads a file the shell shared with the command, as kubectl would read it from disk. */
function readShared(context: TerminalContext, path: string): string | undefined {
  return context.files[path.replace(/^\.\//, '')];
}

/** kubectl's ParseFileSource: `path` (key = base name) or `key=path`. */
function parseFileSource(source: string): { key: string; path: string } | string {
  const separators = source.split('=').length - 1;
  if (separators === 0)
    return {
      key:
        source
          .split('/')
          .filter((part) => part !== '')
          .pop() ?? source,
      path: source,
    };
  if (separators > 1) return "key names or file paths cannot contain '='";
  const [key = '', path = ''] = source.split('=');
  if (key === '') return `key name for file path ${path} missing`;
  if (path === '') return `file path for key name ${key} missing`;
  return { key, path };
}

/** Adds a key as addKeyFromLiteralToSecret does, or says why not. */
function addKey(data: Record<string, string>, key: string, text: string): string | undefined {
  if (!configKey.test(key)) return `"${key}" is not valid key name for a Secret ${configKeyRule}`;
  if (data[key] !== undefined) return `cannot add key ${key}, another key by that name already exists`;
  data[key] = encodeSecretValue(text);
  return undefined;
}

/** The data of `create secret generic`: every --from-literal, then every --from-file. */
function genericData(context: TerminalContext, options: CreateSecretFlags): Record<string, string> | string {
  const data: Record<string, string> = {};
  for (const literal of options.repeated.get('--from-literal') ?? []) {
    const equals = literal.indexOf('=');
    if (equals < 0) return `invalid literal source ${literal}, expected key=value`;
    const problem = addKey(data, literal.slice(0, equals), literal.slice(equals + 1));
    if (problem !== undefined) return problem;
  }
  // --from-file is a string slice: one flag may list several sources separated by commas.
  const sources = (options.repeated.get('--from-file') ?? []).flatMap((value) => value.split(','));
  for (const source of sources) {
    const parsed = parseFileSource(source);
    if (typeof parsed === 'string') return parsed;
    const text = readShared(context, parsed.path);
    if (text === undefined) return `error reading ${parsed.path}: no such file or directory`;
    const problem = addKey(data, parsed.key, text);
    if (problem !== undefined) return problem;
  }
  return data;
}

/** The PEM block types of a text, in order. */
function pemTypes(text: string): string[] {
  return [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)].map(
    (match) => match[1] ?? '',
  );
}

/** The checks of Go's tls.X509KeyPair that need no cryptography: which PEM blocks are there. */
function keyPairProblem(certificate: string, key: string): string | undefined {
  const certTypes = pemTypes(certificate);
  if (certTypes.length === 0) return 'tls: failed to find any PEM data in certificate input';
  if (!certTypes.includes('CERTIFICATE'))
    return `tls: failed to find "CERTIFICATE" PEM block in certificate input after skipping PEM blocks of the following types: [${certTypes.join(' ')}]`;
  const keyTypes = pemTypes(key);
  if (keyTypes.length === 0) return 'tls: failed to find any PEM data in key input';
  if (!keyTypes.some((type) => type === 'PRIVATE KEY' || type.endsWith(' PRIVATE KEY'))) {
    if (keyTypes.every((type) => type === 'CERTIFICATE'))
      return 'tls: found a certificate rather than a key in the PEM for the private key';
    return `tls: failed to find PEM block with type ending in "PRIVATE KEY" in key input after skipping PEM blocks of the following types: [${keyTypes.join(' ')}]`;
  }
  return undefined;
}

/** The data of `create secret tls`: the certificate and key files, checked as kubectl does. */
function tlsData(context: TerminalContext, options: CreateSecretFlags): Record<string, string> | string {
  const certPath = options.flags.get('--cert') ?? '';
  const keyPath = options.flags.get('--key') ?? '';
  if (certPath === '' || keyPath === '') return 'key and cert must be specified';
  const certificate = readShared(context, certPath);
  if (certificate === undefined)
    return `Cannot read file ${certPath}, open ${certPath}: no such file or directory`;
  const key = readShared(context, keyPath);
  if (key === undefined) return `Cannot read file ${keyPath}, open ${keyPath}: no such file or directory`;
  const problem = keyPairProblem(certificate, key);
  if (problem !== undefined) return problem;
  return { 'tls.crt': encodeSecretValue(certificate), 'tls.key': encodeSecretValue(key) };
}

/** `kubectl create secret SUBCOMMAND NAME …`; `positionals` start after `secret`. */
export function createSecret(
  context: TerminalContext,
  positionals: readonly string[],
  options: CreateSecretFlags,
): CommandResult {
  const [subcommand, ...names] = positionals;
  if (subcommand === undefined)
    return fail(
      'Create a secret with specified type.\n\nAvailable Commands:\n  docker-registry   Create a secret for use with a Docker registry\n  generic           Create a secret from a local file, directory, or literal value\n  tls               Create a TLS secret\n\nUsage:\n  kubectl create secret (docker-registry | generic | tls) [options]',
    );
  if (subcommand !== 'tls' && subcommand !== 'generic')
    return fail(
      subcommand === 'docker-registry'
        ? 'error: this simulator creates tls and generic secrets; docker-registry is not modelled'
        : `error: unknown command "${subcommand}" for "kubectl create secret"`,
    );
  if (names.length !== 1) return usageError(subcommand, `exactly one NAME is required, got ${names.length}`);
  const name = names[0] ?? '';
  const tls = subcommand === 'tls';
  const data = tls ? tlsData(context, options) : genericData(context, options);
  if (typeof data === 'string') return fail(`error: ${data}`);
  const namespace = options.flags.get('--namespace') ?? 'default';
  const type = tls ? secretTypeTls : (options.flags.get('--type') ?? '');
  const admitted = admitSecret({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    ...(type !== '' ? { type } : {}),
    data,
  });
  // kubectl create secret tls wraps the API error with a colon; generic without one.
  const failed = (text: string): CommandResult =>
    fail(`error: failed to create secret${tls ? ':' : ''} ${text}`);
  if ('refusal' in admitted) return failed(secretRefusalText(admitted.refusal));
  const secret: Secret = admitted.secret;
  const dryRun = options.flags.get('--dry-run') ?? 'none';
  if (!['none', 'client', 'server', 'true', 'false'].includes(dryRun))
    return fail(`error: Invalid dry-run value (${dryRun}). Must be "none", "server", or "client".`);
  const output = options.flags.get('--output');
  const printed = (object: Secret, suffix: string): CommandResult => {
    if (output === 'yaml') return ok(kubectlYaml(object));
    if (output === 'json') return ok(kubectlJson(object));
    if (output === 'name') return ok(`secret/${name}\n`);
    if (output !== undefined && output !== '')
      return fail(
        `error: unable to match a printer suitable for the output format "${output}", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml`,
      );
    return ok(`secret/${name} created${suffix}\n`);
  };
  if (dryRun === 'client' || dryRun === 'true') return printed(secret, ' (dry run)');
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('error: no cluster');
  // The API server's NamespaceLifecycle admission, then the name's uniqueness.
  if (getObject(cluster.api, 'Namespace', namespace) === undefined)
    return failed(`namespaces "${namespace}" not found`);
  if (getObject(cluster.api, 'Secret', `${namespace}/${name}`) !== undefined)
    return failed(`secrets "${name}" already exists`);
  if (dryRun === 'server') return printed(secret, ' (server dry run)');
  const result = context.input({ type: 'api.apply', objects: [secret] });
  if (!result.ok) return failed(result.error);
  const stored = getObject(cluster.api, 'Secret', `${namespace}/${name}`) ?? secret;
  return printed(stored, '');
}
