/**
 * Every command-line option curl 8.5.0 knows, as `long/kind[/short]` (kind: b a boolean, v takes a
 * value, n takes none and cannot be negated), transcribed from the `aliases` table in
 * src/tool_getparam.c at tag curl-8_5_0. The parser needs all of them, not only the modelled ones:
 * curl abbreviates long options by unique prefix over the whole table, so `--loc` is ambiguous and
 * `--locat` is `--location`.
 */
const table = `
  url/v dns-ipv4-addr/v dns-ipv6-addr/v random-file/v egd-file/v oauth2-bearer/v connect-timeout/v
  ciphers/v dns-interface/v disable-epsv/b disallow-username-in-url/b epsv/b dns-servers/v trace/v
  npn/b trace-ascii/v alpn/b limit-rate/v rate/v compressed/b tr-encoding/b digest/b negotiate/b
  ntlm/b ntlm-wb/b basic/b anyauth/b wdebug/b ftp-create-dirs/b create-dirs/b create-file-mode/v
  max-redirs/v ipfs-gateway/v proxy-ntlm/b crlf/b stderr/v aws-sigv4/v interface/v krb/v krb4/v
  haproxy-protocol/b haproxy-clientip/v max-filesize/v disable-eprt/b eprt/b xattr/b ftp-ssl/b
  ssl/b ftp-pasv/b socks5/v tcp-nodelay/b proxy-digest/b proxy-basic/b retry/v retry-connrefused/b
  retry-delay/v retry-max-time/v proxy-negotiate/b form-escape/b ftp-account/v proxy-anyauth/b
  trace-time/b ignore-content-length/b ftp-skip-pasv-ip/b ftp-method/v local-port/v socks4/v
  socks4a/v ftp-alternative-to-user/v ftp-ssl-reqd/b ssl-reqd/b sessionid/b ftp-ssl-control/b
  ftp-ssl-ccc/b ftp-ssl-ccc-mode/v libcurl/v raw/b post301/b keepalive/b socks5-hostname/v
  keepalive-time/v post302/b noproxy/v socks5-gssapi-nec/b proxy1.0/v tftp-blksize/v mail-from/v
  mail-rcpt/v ftp-pret/b proto/v proto-redir/v resolve/v delegation/v mail-auth/v post303/b
  metalink/b sasl-authzid/v sasl-ir/b test-event/b unix-socket/v path-as-is/b
  socks5-gssapi-service/v proxy-service-name/v service-name/v proto-default/v expect100-timeout/v
  tftp-no-options/b connect-to/v abstract-unix-socket/v tls-max/v suppress-connect-headers/b
  compressed-ssh/b happy-eyeballs-timeout-ms/v retry-all-errors/b trace-ids/b trace-config/v
  http1.0/n/0 http1.1/n http2/n http2-prior-knowledge/n http3/n http3-only/n http0.9/b
  proxy-http2/b tlsv1/n/1 tlsv1.0/n tlsv1.1/n tlsv1.2/n tlsv1.3/n tls13-ciphers/v
  proxy-tls13-ciphers/v sslv2/n/2 sslv3/n/3 ipv4/n/4 ipv6/n/6 append/b/a user-agent/v/A cookie/v/b
  alt-svc/v hsts/v use-ascii/b/B cookie-jar/v/c continue-at/v/C data/v/d data-raw/v data-ascii/v
  data-binary/v data-urlencode/v json/v url-query/v dump-header/v/D referer/v/e cert/v/E cacert/v
  cert-type/v key/v key-type/v pass/v engine/v ca-native/b proxy-ca-native/b capath/v pubkey/v
  hostpubmd5/v hostpubsha256/v crlfile/v tlsuser/v tlspassword/v tlsauthtype/v ssl-allow-beast/b
  ssl-auto-client-cert/b proxy-ssl-auto-client-cert/b pinnedpubkey/v proxy-pinnedpubkey/v
  cert-status/b doh-cert-status/b false-start/b ssl-no-revoke/b ssl-revoke-best-effort/b
  tcp-fastopen/b proxy-tlsuser/v proxy-tlspassword/v proxy-tlsauthtype/v proxy-cert/v
  proxy-cert-type/v proxy-key/v proxy-key-type/v proxy-pass/v proxy-ciphers/v proxy-crlfile/v
  proxy-ssl-allow-beast/b login-options/v proxy-cacert/v proxy-capath/v proxy-insecure/b
  proxy-tlsv1/n socks5-basic/b socks5-gssapi/b etag-save/v etag-compare/v curves/v fail/b/f
  fail-early/b styled-output/b mail-rcpt-allowfails/b fail-with-body/b remove-on-error/b form/v/F
  form-string/v globoff/b/g get/b/G request-target/v help/b/h header/v/H proxy-header/v
  include/b/i head/b/I junk-session-cookies/b/j remote-header-name/b/J insecure/b/k doh-insecure/b
  config/v/K list-only/b/l location/b/L location-trusted/b max-time/v/m manual/b/M netrc/b/n
  netrc-optional/b netrc-file/v buffer/b/N output/v/o remote-name/b/O remote-name-all/b
  output-dir/v clobber/b proxytunnel/b/p ftp-port/v/P disable/b/q quote/v/Q range/v/r
  remote-time/b/R silent/b/s show-error/b/S telnet-option/v/t upload-file/v/T user/v/u
  proxy-user/v/U verbose/b/v version/b/V write-out/v/w proxy/v/x preproxy/v request/v/X
  speed-limit/v/Y speed-time/v/y time-cond/v/z parallel/b/Z parallel-max/v parallel-immediate/b
  progress-bar/b/# progress-meter/b next/n/: variable/v
`;

/** How an option takes its argument. */
export type CurlOptionKind = 'bool' | 'value' | 'none';

/** One of curl's options. */
export interface CurlOptionName {
  long: string;
  kind: CurlOptionKind;
  short?: string;
}

const kinds: Readonly<Record<string, CurlOptionKind>> = { b: 'bool', v: 'value', n: 'none' };

/** curl's options in the order of its table. */
export const curlOptionNames: readonly CurlOptionName[] = table
  .trim()
  .split(/\s+/)
  .map((entry) => {
    const [long = '', kind = 'v', short] = entry.split('/');
    return { long, kind: kinds[kind] ?? 'value', ...(short !== undefined ? { short } : {}) };
  });
