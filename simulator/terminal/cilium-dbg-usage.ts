/**
 * What every cilium-dbg subcommand's usage ends with: the root command's persistent flags
 * (cilium-dbg/cmd/root.go at v1.18: --config, -D/--debug, -H/--host, --log-driver, --log-opt),
 * which cobra prints under "Global Flags:" after the subcommand's own.
 */
export const ciliumDbgGlobalFlags = `Global Flags:
      --config string        Config file (default is $HOME/.cilium.yaml)
  -D, --debug                Enable debug messages
  -H, --host string          URI to server-side API
      --log-driver strings   Logging endpoints to use (example: syslog)
      --log-opt map          Log driver options (example: format=json)
`;
