/**
 * The OpenSSL that `openssl s_client` runs in an istio-proxy container, and how that version prints
 * an error. The proxyv2 image is built on Ubuntu: focal (OpenSSL 1.1.1f) up to Istio 1.14, jammy
 * (3.0.2) from 1.15 (istio/istio#38577, held back from 1.14), noble (3.0.13) from 1.23
 * (istio/istio#50926, May 2024).
 *
 * The error line differs by major version (ERR_print_errors_cb in crypto/err/err_prn.c): 1.1.1
 * prints the thread id as a decimal number and packs library, function and reason into the code
 * (`1409445C`); 3.0 prints the thread id's bytes in hex, packs only library and reason
 * (`0A00045C`, library 20 shifted by 23 bits) and names the function. Both name the source line of
 * ssl/record/rec_layer_s3.c that raised it, which moves between builds; the lines here are those
 * the distributions' builds print.
 */
export interface OpensslBuild {
  /** `openssl version`'s number. */
  version: string;
  flavour: '1.1.1' | '3.0';
  /** The rec_layer_s3.c line that reports a received alert. */
  alertSourceLine: number;
}

export const opensslBuilds = {
  /** Ubuntu 20.04's 1.1.1f, as the seed article's Istio 1.14 sidecar printed it. */
  focal: { version: '1.1.1f', flavour: '1.1.1', alertSourceLine: 1543 },
  jammy: { version: '3.0.2', flavour: '3.0', alertSourceLine: 1593 },
  noble: { version: '3.0.13', flavour: '3.0', alertSourceLine: 1605 },
} as const satisfies Record<string, OpensslBuild>;

/** The OpenSSL of an istio/proxyv2 image, by its Istio version tag. */
export function opensslOfProxyImage(image: string | undefined): OpensslBuild {
  const match = /proxyv2:(\d+)\.(\d+)/.exec(image ?? '');
  const minor = match === null ? Number.POSITIVE_INFINITY : Number(match[2]);
  if (minor <= 14) return opensslBuilds.focal;
  if (minor <= 22) return opensslBuilds.jammy;
  return opensslBuilds.noble;
}

/**
 * A process's main-thread id (its pthread_t, an address in the upper part of the user address
 * space such as 0x7fd5c2d1f740) drawn from a seed, so a run always prints the same one while
 * separate runs differ as real processes do.
 */
export function threadIdFrom(seed: string): bigint {
  let hash = 0x811c9dc5;
  for (let index = 0; index < seed.length; index++)
    hash = Math.imul(hash ^ seed.charCodeAt(index), 0x01000193);
  // Unsigned: `& 0xffffffff` would make it a signed 32-bit number again, negative half the time.
  const middle = BigInt(hash >>> 0);
  const low = (hash & 1) === 0 ? 0x40n : 0x80n;
  return (0x7fn << 40n) | (middle << 8n) | low;
}

/** The thread id as the build prints it: decimal (1.1.1) or its eight bytes, low first, in hex (3.0). */
export function formatThreadId(build: OpensslBuild, threadId: bigint): string {
  if (build.flavour === '1.1.1') return threadId.toString();
  let text = '';
  for (let byte = 0n; byte < 8n; byte++)
    text += ((threadId >> (8n * byte)) & 0xffn).toString(16).toUpperCase().padStart(2, '0');
  return text;
}
