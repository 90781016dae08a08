/**
 * The reader's own `openssl` (OpenSSL 3) building a small CA, as the TLS-visibility walkthrough
 * does: `genrsa [-des3] -out KEY 2048`, `req -x509 -new -key KEY -days N -out CRT`,
 * `req -new -key KEY -out CSR` and `x509 -req -in CSR -CA CRT -CAkey KEY -CAcreateserial -out CRT`.
 * Pass phrases and the certificate's name fields are asked on the terminal, as openssl asks them
 * (hidden for pass phrases), and read from standard input where no one can answer. The files are
 * real DER in PEM; the numbers inside are the model's (tls/openssl-files.ts).
 *
 * Other subcommands go to the certificate tools in mesh-tools.ts (`x509 -text`).
 */
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { openssl as opensslTools } from './mesh-tools';
import type { Name, NameAttribute } from '../tls/openssl-files';

const filesModule = () => import('../tls/openssl-files');
const pemModule = () => import('../pki/encoding');

/** How a command asks: the terminal first, then its standard input, line by line. */
class Asker {
  private readonly lines: string[];
  constructor(
    private readonly context: TerminalContext,
    stdin: string,
  ) {
    this.lines = stdin === '' ? [] : stdin.replace(/\n$/, '').split('\n');
  }

  async ask(prompt: string, echo: boolean): Promise<string | undefined> {
    const typed = await this.context.readLine?.(prompt, { echo });
    return typed ?? this.lines.shift();
  }
}

/** The options of an openssl command line: flags with their values, and positional arguments. */
function options(
  args: readonly string[],
  valued: readonly string[],
): { flags: Map<string, string>; rest: string[] } | string {
  const flags = new Map<string, string>();
  const rest: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (!arg.startsWith('-')) rest.push(arg);
    else if (valued.includes(arg)) {
      const value = args[++index];
      if (value === undefined) return `${arg}: Option requires an argument`;
      flags.set(arg, value);
    } else flags.set(arg, '');
  }
  return { flags, rest };
}

/** A label that makes each generated key new: the file and the virtual time. */
function keyLabel(context: TerminalContext, path: string): string {
  return `${path}@${context.simulation.state.timeMs}`;
}

/** A seed-derived hex string (salts, serials), new at each virtual time. */
async function derivedHex(context: TerminalContext, label: string, bytes: number): Promise<string> {
  const files = await filesModule();
  return files
    .deriveModelRsaKey(context.simulation.state.seed, `${label}@${context.simulation.state.timeMs}`)
    .privateHex.slice(0, bytes * 2);
}

/** Asks for a new pass phrase twice, as genrsa does; undefined when none was given. */
async function newPassphrase(asker: Asker): Promise<string | CommandResult> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const first = await asker.ask('Enter PEM pass phrase:', false);
    if (first === undefined) return fail('bad password read\nunable to write private key', 1);
    if (first.length < 4) continue;
    const again = await asker.ask('Verifying - Enter PEM pass phrase:', false);
    if (again !== first) return fail('Verify failure\nbad password read\nunable to write private key', 1);
    return first;
  }
  return fail('You must type in 4 to 1024 characters\nbad password read\nunable to write private key', 1);
}

/** `openssl genrsa [-des3|-aes256] [-out FILE] [-passout pass:X] [BITS]`. */
async function genrsa(
  context: TerminalContext,
  args: readonly string[],
  stdin: string,
): Promise<CommandResult> {
  const parsed = options(args, ['-out', '-passout']);
  if (typeof parsed === 'string') return fail(`genrsa: ${parsed}`);
  const bits = parsed.rest[0] ?? '2048';
  if (!/^\d+$/.test(bits) || Number(bits) < 512) return fail(`genrsa: Invalid number "${bits}"`);
  const out = parsed.flags.get('-out');
  const encrypted = parsed.flags.has('-des3') || parsed.flags.has('-aes256') || parsed.flags.has('-aes128');
  const files = await filesModule();
  const { toPem } = await pemModule();
  const key = files.deriveModelRsaKey(context.simulation.state.seed, keyLabel(context, out ?? '-'));
  let der = files.privateKeyInfo(key);
  let label = 'PRIVATE KEY';
  if (encrypted) {
    const given = parsed.flags.get('-passout');
    const passphrase =
      given?.startsWith('pass:') === true ? given.slice(5) : await newPassphrase(new Asker(context, stdin));
    if (typeof passphrase !== 'string') return passphrase;
    der = files.encryptedPrivateKeyInfo(
      key,
      passphrase,
      await derivedHex(context, 'salt', 8),
      await derivedHex(context, 'iv', 8),
    );
    label = 'ENCRYPTED PRIVATE KEY';
  }
  context.spend(400);
  const pem = toPem(label, der);
  if (out === undefined) return ok(pem);
  context.writeFile?.(out, pem);
  return ok();
}

/** Reads a private key file, asking for its pass phrase when it is encrypted. */
async function readKey(
  context: TerminalContext,
  asker: Asker,
  path: string,
  passin: string | undefined,
): Promise<import('../tls/openssl-files').ModelRsaKey | CommandResult> {
  const text = context.files[path.replace(/^\.\//, '')];
  if (text === undefined) return fail(`Could not open file or uri for loading private key from ${path}`);
  const files = await filesModule();
  const { pemBlocks } = await pemModule();
  const plain = pemBlocks(text, 'PRIVATE KEY')[0];
  if (plain !== undefined)
    return files.keyOfPrivateKeyInfo(plain) ?? fail(`Could not read private key from ${path}`);
  const sealed = pemBlocks(text, 'ENCRYPTED PRIVATE KEY')[0];
  if (sealed === undefined) return fail(`Could not read private key from ${path}`);
  const passphrase =
    passin?.startsWith('pass:') === true
      ? passin.slice(5)
      : await asker.ask(`Enter pass phrase for ${path}:`, false);
  const key = passphrase === undefined ? undefined : files.decryptPrivateKeyInfo(sealed, passphrase);
  return key ?? fail(`Could not read private key from ${path}`);
}

/** openssl.cnf's `req_distinguished_name` prompts, with their defaults (Debian's and Ubuntu's file). */
const namePrompts: readonly { attribute: NameAttribute; prompt: string; fallback: string }[] = [
  { attribute: 'C', prompt: 'Country Name (2 letter code) [AU]:', fallback: 'AU' },
  { attribute: 'ST', prompt: 'State or Province Name (full name) [Some-State]:', fallback: 'Some-State' },
  { attribute: 'L', prompt: 'Locality Name (eg, city) []:', fallback: '' },
  {
    attribute: 'O',
    prompt: 'Organization Name (eg, company) [Internet Widgits Pty Ltd]:',
    fallback: 'Internet Widgits Pty Ltd',
  },
  { attribute: 'OU', prompt: 'Organizational Unit Name (eg, section) []:', fallback: '' },
  { attribute: 'CN', prompt: 'Common Name (e.g. server FQDN or YOUR name) []:', fallback: '' },
  { attribute: 'emailAddress', prompt: 'Email Address []:', fallback: '' },
];

const nameBanner =
  "You are about to be asked to enter information that will be incorporated\ninto your certificate request.\nWhat you are about to enter is what is called a Distinguished Name or a DN.\nThere are quite a few fields but you can leave some blank\nFor some fields there will be a default value,\nIf you enter '.', the field will be left blank.\n-----\n";

/** Asks the name fields; an empty answer keeps the default, `.` leaves the field out. */
async function askName(asker: Asker): Promise<Name | CommandResult> {
  const name: { attribute: NameAttribute; value: string }[] = [];
  for (const [index, field] of namePrompts.entries()) {
    const answer = await asker.ask(`${index === 0 ? nameBanner : ''}${field.prompt}`, true);
    if (answer === undefined) return fail('problems making Certificate Request');
    const value = answer === '' ? field.fallback : answer === '.' ? '' : answer;
    if (field.attribute === 'C' && value.length !== 0 && value.length !== 2)
      return fail('string is too long\nproblems making Certificate Request');
    if (value !== '') name.push({ attribute: field.attribute, value });
  }
  return name;
}

/** A name given with `-subj /C=US/O=Example/CN=host`. */
function nameFromSubject(text: string): Name | CommandResult {
  const parts = text.split('/').filter((part) => part !== '');
  const name: { attribute: NameAttribute; value: string }[] = [];
  for (const part of parts) {
    const [attribute = '', ...value] = part.split('=');
    if (!namePrompts.some((field) => field.attribute === attribute))
      return fail(`req: Skipping unknown subject name attribute "${attribute}"`);
    name.push({ attribute: attribute as NameAttribute, value: value.join('=') });
  }
  return name;
}

/** `openssl req -new [-x509] -key KEY [-days N] [-subj NAME] -out FILE`. */
async function req(context: TerminalContext, args: readonly string[], stdin: string): Promise<CommandResult> {
  const parsed = options(args, ['-key', '-out', '-days', '-subj', '-passin', '-config']);
  if (typeof parsed === 'string') return fail(`req: ${parsed}`);
  const keyPath = parsed.flags.get('-key');
  if (keyPath === undefined || (!parsed.flags.has('-new') && !parsed.flags.has('-x509')))
    return fail(
      'req: the simulator makes requests and certificates from a key: req -new [-x509] -key FILE -out FILE',
    );
  const asker = new Asker(context, stdin);
  const key = await readKey(context, asker, keyPath, parsed.flags.get('-passin'));
  if ('exitCode' in key) return key;
  const subject = parsed.flags.has('-subj')
    ? nameFromSubject(parsed.flags.get('-subj') ?? '')
    : await askName(asker);
  if ('exitCode' in subject) return subject;
  const files = await filesModule();
  const { toPem } = await pemModule();
  let pem: string;
  if (parsed.flags.has('-x509')) {
    const days = Number(parsed.flags.get('-days') ?? '30');
    const now = context.simulation.state.timeMs;
    const der = files.certificate({
      serialHex: await derivedHex(context, 'serial', 20),
      issuer: subject,
      subject,
      notBeforeMs: now,
      notAfterMs: now + days * 86_400_000,
      subjectKey: key,
      issuerModulusHex: key.modulusHex,
      ca: true,
    });
    pem = toPem('CERTIFICATE', der);
  } else {
    if (!parsed.flags.has('-subj')) {
      // The request's "extra" attributes; the demo leaves them empty.
      const banner =
        "\nPlease enter the following 'extra' attributes\nto be sent with your certificate request\n";
      if ((await asker.ask(`${banner}A challenge password []:`, true)) === undefined)
        return fail('problems making Certificate Request');
      if ((await asker.ask('An optional company name []:', true)) === undefined)
        return fail('problems making Certificate Request');
    }
    pem = toPem('CERTIFICATE REQUEST', files.certificationRequest(subject, key));
  }
  const out = parsed.flags.get('-out');
  if (out === undefined) return ok(pem);
  context.writeFile?.(out, pem);
  return ok();
}

/** The serial file next to the CA certificate (`myCA.crt` → `myCA.srl`), and the next serial. */
async function nextSerial(
  context: TerminalContext,
  caPath: string,
  create: boolean,
): Promise<{ path: string; serialHex: string } | CommandResult> {
  const path = caPath.replace(/\.[^./]*$/, '') + '.srl';
  const existing = context.files[path.replace(/^\.\//, '')];
  if (existing === undefined && !create)
    return fail(`${path}: No such file or directory\nunable to load serial number from ${path}`);
  const serialHex =
    existing === undefined
      ? await derivedHex(context, 'serial', 20)
      : (BigInt(`0x${existing.trim()}`) + 1n).toString(16).padStart(existing.trim().length, '0');
  return { path, serialHex };
}

/** `openssl x509 -req -in CSR -CA CRT -CAkey KEY [-CAcreateserial] [-days N] -out FILE`. */
async function signRequest(
  context: TerminalContext,
  args: readonly string[],
  stdin: string,
): Promise<CommandResult> {
  const parsed = options(args, [
    '-in',
    '-out',
    '-days',
    '-CA',
    '-CAkey',
    '-passin',
    '-extfile',
    '-extensions',
  ]);
  if (typeof parsed === 'string') return fail(`x509: ${parsed}`);
  const files = await filesModule();
  const { pemBlocks, toPem } = await pemModule();
  const csrPath = parsed.flags.get('-in') ?? '-';
  const csrText = csrPath === '-' ? stdin : context.files[csrPath.replace(/^\.\//, '')];
  const csrDer = csrText === undefined ? undefined : pemBlocks(csrText, 'CERTIFICATE REQUEST')[0];
  const request = csrDer === undefined ? undefined : files.readCertificationRequest(csrDer);
  if (request === undefined)
    return fail(`Could not open file or uri for loading certificate request from ${csrPath}`);
  const caPath = parsed.flags.get('-CA');
  const caText = caPath === undefined ? undefined : context.files[caPath.replace(/^\.\//, '')];
  const caDer = caText === undefined ? undefined : pemBlocks(caText, 'CERTIFICATE')[0];
  const ca = caDer === undefined ? undefined : files.readCertificate(caDer);
  if (caPath === undefined || ca === undefined)
    return fail(`Could not open file or uri for loading CA certificate from ${caPath ?? ''}`);
  const asker = new Asker(context, stdin);
  let log = `Certificate request self-signature ok\nsubject=${files.opensslNameText(request.subject)}\n`;
  const caKey = await readKey(
    context,
    asker,
    parsed.flags.get('-CAkey') ?? caPath,
    parsed.flags.get('-passin'),
  );
  if ('exitCode' in caKey) return { ...caKey, stderr: log + caKey.stderr };
  if (caKey.modulusHex !== ca.modulusHex) return fail(`${log}CA certificate and CA private key do not match`);
  const serial = await nextSerial(context, caPath, parsed.flags.has('-CAcreateserial'));
  if ('exitCode' in serial) return { ...serial, stderr: log + serial.stderr };
  const now = context.simulation.state.timeMs;
  const der = files.certificate({
    serialHex: serial.serialHex,
    issuer: ca.subject,
    subject: request.subject,
    notBeforeMs: now,
    notAfterMs: now + Number(parsed.flags.get('-days') ?? '30') * 86_400_000,
    subjectKey: { modulusHex: request.modulusHex, privateHex: '' },
    issuerModulusHex: ca.modulusHex,
    ca: false,
  });
  context.writeFile?.(serial.path, `${serial.serialHex.toUpperCase()}\n`);
  const pem = toPem('CERTIFICATE', der);
  const out = parsed.flags.get('-out');
  if (out === undefined) return { stdout: pem, stderr: log, exitCode: 0 };
  context.writeFile?.(out, pem);
  log = log.trimEnd();
  return { stdout: '', stderr: `${log}\n`, exitCode: 0 };
}

/** `openssl …` on the reader's machine. */
export async function opensslOnMachine(
  context: TerminalContext,
  args: string[],
  stdin: string,
): Promise<CommandResult> {
  const [command, ...rest] = args;
  if (command === 'genrsa') return genrsa(context, rest, stdin);
  if (command === 'req') return req(context, rest, stdin);
  if (command === 'x509' && rest.includes('-req')) return signRequest(context, rest, stdin);
  return opensslTools(context, args, stdin);
}
