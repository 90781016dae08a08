/**
 * Text renderings of a certificate, shaped like the tools a reader would run:
 * `openssl x509 -text -noout` (OpenSSL 3.0 layout by default, or 1.1.1's, which the istio-proxy
 * image of 2022 shipped) and `step certificate inspect` (smallstep's certinfo layout). Pure string
 * functions over a PEM; only the fields the simulator issues are rendered.
 */
import { parseCertificate, type DistinguishedName, type ParsedCertificate } from './certificate';
import type { KeyUsageName } from './der';
import { bytesToBigInt, colonHex, fromHex } from './encoding';
import { toGoValidity, virtualDate } from '../engine/virtual-time';

const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (value: number): string => String(value).padStart(2, '0');

/** OpenSSL's ASN1_TIME_print: `Jul  4 19:13:31 2022 GMT` (day padded with a space). */
export function opensslTime(virtualMs: number): string {
  const date = virtualDate(virtualMs);
  return `${monthNames[date.month - 1] ?? ''} ${String(date.day).padStart(2, ' ')} ${pad2(date.hours)}:${pad2(date.minutes)}:${pad2(date.seconds)} ${date.year} GMT`;
}

/** A name in OpenSSL's default one-line form: `C = US, O = SPIRE` (empty for the empty name). */
export function opensslName(name: DistinguishedName): string {
  return name.map((entry) => `${entry.attribute} = ${entry.value}`).join(', ');
}

/** Bytes as colon hex wrapped `perLine` to a line, each line but the last ending with a colon. */
function wrappedHex(bytes: Uint8Array, perLine: number, indent: number, uppercase = false): string[] {
  const lines: string[] = [];
  const pairs = colonHex(bytes, uppercase).split(':');
  for (let i = 0; i < pairs.length; i += perLine) {
    const chunk = pairs.slice(i, i + perLine).join(':');
    lines.push(`${' '.repeat(indent)}${chunk}${i + perLine < pairs.length ? ':' : ''}`);
  }
  return lines;
}

const opensslKeyUsage: Readonly<Record<KeyUsageName, string>> = {
  digitalSignature: 'Digital Signature',
  contentCommitment: 'Non Repudiation',
  keyEncipherment: 'Key Encipherment',
  dataEncipherment: 'Data Encipherment',
  keyAgreement: 'Key Agreement',
  keyCertSign: 'Certificate Sign',
  cRLSign: 'CRL Sign',
  encipherOnly: 'Encipher Only',
  decipherOnly: 'Decipher Only',
};

const stepKeyUsage: Readonly<Record<KeyUsageName, string>> = {
  ...opensslKeyUsage,
  contentCommitment: 'Content Commitment',
};

const opensslExtendedKeyUsage: Readonly<Record<string, string>> = {
  serverAuth: 'TLS Web Server Authentication',
  clientAuth: 'TLS Web Client Authentication',
};

const stepExtendedKeyUsage: Readonly<Record<string, string>> = {
  serverAuth: 'Server Authentication',
  clientAuth: 'Client Authentication',
};

function sanText(certificate: ParsedCertificate, separator: string): string {
  const san = certificate.subjectAltName;
  if (san === undefined) return '';
  return [...san.dnsNames.map((name) => `DNS:${name}`), ...san.uris.map((uri) => `URI:${uri}`)].join(
    separator,
  );
}

/** Renders a certificate as `openssl x509 -text -noout` prints it. */
export function formatOpensslX509Text(pem: string, options: { flavour?: '3.0' | '1.1.1' } = {}): string {
  const flavour = options.flavour ?? '3.0';
  const certificate = parseCertificate(pem);
  const serial = fromHex(
    certificate.serialNumberHex.length % 2 === 0
      ? certificate.serialNumberHex
      : `0${certificate.serialNumberHex}`,
  );
  const lines: string[] = ['Certificate:', '    Data:', '        Version: 3 (0x2)'];
  if (serial.length <= 8) {
    const value = bytesToBigInt(serial);
    lines.push(`        Serial Number: ${value.toString()} (0x${value.toString(16)})`);
  } else lines.push('        Serial Number:', `            ${colonHex(serial)}`);
  lines.push(
    '        Signature Algorithm: ecdsa-with-SHA256',
    `        Issuer: ${opensslName(certificate.issuer)}`,
    '        Validity',
    `            Not Before: ${opensslTime(certificate.notBeforeMs)}`,
    `            Not After : ${opensslTime(certificate.notAfterMs)}`,
    `        Subject: ${opensslName(certificate.subject)}`,
    '        Subject Public Key Info:',
    '            Public Key Algorithm: id-ecPublicKey',
    '                Public-Key: (256 bit)',
    '                pub:',
    ...wrappedHex(fromHex(certificate.publicKeyHex), 15, 20),
    '                ASN1 OID: prime256v1',
    '                NIST CURVE: P-256',
  );
  if (certificate.extensions.length > 0) lines.push('        X509v3 extensions:');
  const header = (title: string, critical: boolean): string =>
    `            ${title}: ${critical ? 'critical' : ''}`;
  for (const extension of certificate.extensions) {
    switch (extension.oid) {
      case '2.5.29.15':
        lines.push(
          header('X509v3 Key Usage', extension.critical),
          `                ${(certificate.keyUsage?.usages ?? []).map((usage) => opensslKeyUsage[usage]).join(', ')}`,
        );
        break;
      case '2.5.29.37':
        lines.push(
          header('X509v3 Extended Key Usage', extension.critical),
          `                ${(certificate.extendedKeyUsage?.usages ?? []).map((usage) => opensslExtendedKeyUsage[usage] ?? usage).join(', ')}`,
        );
        break;
      case '2.5.29.19': {
        const constraints = certificate.basicConstraints;
        const pathLength = constraints?.pathLength === undefined ? '' : `, pathlen:${constraints.pathLength}`;
        lines.push(
          header('X509v3 Basic Constraints', extension.critical),
          `                CA:${constraints?.ca === true ? 'TRUE' : 'FALSE'}${pathLength}`,
        );
        break;
      }
      case '2.5.29.14':
        lines.push(
          header('X509v3 Subject Key Identifier', extension.critical),
          `                ${colonHex(fromHex(certificate.subjectKeyIdHex ?? ''), true)}`,
        );
        break;
      case '2.5.29.35': {
        const keyId = colonHex(fromHex(certificate.authorityKeyIdHex ?? ''), true);
        if (flavour === '1.1.1')
          lines.push(
            header('X509v3 Authority Key Identifier', extension.critical),
            `                keyid:${keyId}`,
            '',
          );
        else
          lines.push(
            header('X509v3 Authority Key Identifier', extension.critical),
            `                ${keyId}`,
          );
        break;
      }
      case '2.5.29.17':
        lines.push(
          header('X509v3 Subject Alternative Name', extension.critical),
          `                ${sanText(certificate, ', ')}`,
        );
        break;
      default:
        lines.push(header(extension.oid, extension.critical), '                ...');
    }
  }
  const signature = fromHex(certificate.signatureHex);
  if (flavour === '1.1.1')
    lines.push('    Signature Algorithm: ecdsa-with-SHA256', ...wrappedHex(signature, 18, 9));
  else
    lines.push(
      '    Signature Algorithm: ecdsa-with-SHA256',
      '    Signature Value:',
      ...wrappedHex(signature, 18, 8),
    );
  return `${lines.join('\n')}\n`;
}

/** A name as step prints it: `C=US,O=SPIRE`. */
function stepName(name: DistinguishedName): string {
  return name
    .map((entry) => `${entry.attribute === 'serialNumber' ? 'SERIALNUMBER' : entry.attribute}=${entry.value}`)
    .join(',');
}

/** step's key printer: the big-endian value without leading zeros, 15 bytes a line. */
function stepKeyLines(label: string, bytes: Uint8Array): string[] {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const value = bytes.slice(start);
  const lines = [`                ${label}:`];
  for (let i = 0; i < value.length; i += 15) {
    const chunk = colonHex(value.slice(i, i + 15));
    lines.push(`                    ${chunk}${i + 15 < value.length ? ':' : ''}`);
  }
  return lines;
}

/**
 * Renders a certificate as `step certificate inspect` prints it (the certinfo layout the seed's
 * article shows, including `keyid:` before the authority key identifier).
 */
export function formatStepCertificateInspect(pem: string): string {
  const certificate = parseCertificate(pem);
  const serial = fromHex(
    certificate.serialNumberHex.length % 2 === 0
      ? certificate.serialNumberHex
      : `0${certificate.serialNumberHex}`,
  );
  const point = fromHex(certificate.publicKeyHex);
  const lines: string[] = [
    'Certificate:',
    '    Data:',
    '        Version: 3 (0x2)',
    `        Serial Number: ${bytesToBigInt(serial).toString()} (0x${certificate.serialNumberHex.padStart(2, '0')})`,
    '        Signature Algorithm: ECDSA-SHA256',
    `        Issuer: ${stepName(certificate.issuer)}`,
    '        Validity',
    `            Not Before: ${toGoValidity(certificate.notBeforeMs)}`,
    `            Not After : ${toGoValidity(certificate.notAfterMs)}`,
    certificate.subject.length > 0 ? `        Subject: ${stepName(certificate.subject)}` : '        Subject:',
    '        Subject Public Key Info:',
    '            Public Key Algorithm: ECDSA',
    '                Public-Key: (256 bit)',
    ...stepKeyLines('X', point.slice(1, 33)),
    ...stepKeyLines('Y', point.slice(33, 65)),
    '                Curve: P-256',
  ];
  if (certificate.extensions.length > 0) lines.push('        X509v3 extensions:');
  const header = (title: string, critical: boolean): string =>
    `            ${title}:${critical ? ' critical' : ''}`;
  for (const extension of certificate.extensions) {
    switch (extension.oid) {
      case '2.5.29.15':
        lines.push(
          header('X509v3 Key Usage', extension.critical),
          `                ${(certificate.keyUsage?.usages ?? []).map((usage) => stepKeyUsage[usage]).join(', ')}`,
        );
        break;
      case '2.5.29.37':
        lines.push(
          header('X509v3 Extended Key Usage', extension.critical),
          `                ${(certificate.extendedKeyUsage?.usages ?? []).map((usage) => stepExtendedKeyUsage[usage] ?? usage).join(', ')}`,
        );
        break;
      case '2.5.29.19':
        lines.push(
          header('X509v3 Basic Constraints', extension.critical),
          `                CA:${certificate.basicConstraints?.ca === true ? 'TRUE' : 'FALSE'}`,
        );
        break;
      case '2.5.29.14':
        lines.push(
          header('X509v3 Subject Key Identifier', extension.critical),
          `                ${colonHex(fromHex(certificate.subjectKeyIdHex ?? ''), true)}`,
        );
        break;
      case '2.5.29.35':
        lines.push(
          header('X509v3 Authority Key Identifier', extension.critical),
          `                keyid:${colonHex(fromHex(certificate.authorityKeyIdHex ?? ''), true)}`,
        );
        break;
      case '2.5.29.17':
        lines.push(
          header('X509v3 Subject Alternative Name', extension.critical),
          `                ${sanText(certificate, ', ')}`,
        );
        break;
      default:
        break;
    }
  }
  lines.push('    Signature Algorithm: ECDSA-SHA256');
  const signature = fromHex(certificate.signatureHex);
  for (let i = 0; i < signature.length; i += 18) {
    const chunk = colonHex(signature.slice(i, i + 18));
    lines.push(`         ${chunk}${i + 18 < signature.length ? ':' : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
