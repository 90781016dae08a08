/**
 * `cilium hubble enable|disable|port-forward` of cilium-cli v0.18.9 (cilium/cilium's cilium-cli/
 * cli/hubble.go and cilium-cli/hubble/hubble.go, relay.go at v1.18.5, which v0.18.9 vendors):
 * enable and disable are Helm upgrades of the cilium release that reuse its values and set
 * `hubble.relay.enabled` and `hubble.ui.enabled`, printing nothing when they succeed;
 * port-forward forwards 127.0.0.1:4245 to the hubble-relay Service's pod and runs until Ctrl-C.
 */
import { releaseHistory } from '../helm/releases';
import { parseSetArgument, type HelmValues } from '../helm/values';
import { fail, ok, type CommandResult, type HeldJob, type TerminalContext } from './context';
import { runLiveWindow } from './live-window';
import { forwardToService } from './machine-ports';

/** The options of `cilium hubble …` this model reads (flag → value; switches are 'true'/'false'). */
export interface HubbleFlags {
  namespace: string;
  release: string;
  flags: ReadonlyMap<string, string>;
}

/** cilium-cli's default local port for the relay (`--port-forward`, defaults.RelayPortForwardPort). */
const relayLocalPort = 4245;

/** Enables or disables Relay and the UI with a Helm upgrade that reuses the release's values. */
function upgradeHubble(
  context: TerminalContext,
  options: HubbleFlags,
  relay: boolean,
  ui: boolean,
): string | undefined {
  const world = context.simulation.state;
  const history = releaseHistory(world, options.release, options.namespace);
  const current = [...history].reverse().find((release) => release.info.status === 'deployed');
  // cilium-cli's helm.Upgrade reads the release first (Helm's action.Get).
  if (current === undefined) return 'release: not found';
  const values: HelmValues = {};
  parseSetArgument(`hubble.relay.enabled=${relay}`, values);
  parseSetArgument(`hubble.ui.enabled=${ui}`, values);
  const result = context.input({
    type: 'helm.upgrade',
    request: {
      release: options.release,
      namespace: options.namespace,
      chart: 'cilium/cilium',
      version: current.chart.version,
      values,
      valuesGiven: true,
      reuseValues: true,
    },
  });
  return result.ok ? undefined : result.error.replace(/^UPGRADE FAILED: /, '');
}

const switchOn = (options: HubbleFlags, name: string, fallback: boolean): boolean => {
  const value = options.flags.get(name);
  return value === undefined ? fallback : value !== 'false';
};

function enable(context: TerminalContext, options: HubbleFlags): CommandResult {
  const ui = switchOn(options, '--ui', false);
  const error = upgradeHubble(context, options, switchOn(options, '--relay', true), ui);
  if (error !== undefined) return fail(`Error: Unable to enable Hubble: ${error}`);
  context.spend(2_000);
  // The chart's hubble-ui Deployment is not part of the model; say so rather than pretend.
  return ui
    ? { stdout: '', stderr: '(simulator: Hubble UI is not modelled; Hubble Relay is)\n', exitCode: 0 }
    : ok('');
}

function disable(context: TerminalContext, options: HubbleFlags): CommandResult {
  const error = upgradeHubble(context, options, false, false);
  if (error !== undefined) return fail(`Error: Unable to disable Hubble: ${error}`);
  context.spend(2_000);
  return ok('');
}

/** `cilium hubble port-forward [--port-forward N]`: forwards until Ctrl-C, `kill` or the tab closes. */
function portForward(context: TerminalContext, options: HubbleFlags): CommandResult | Promise<CommandResult> {
  const ports = context.machinePorts;
  if (ports === undefined)
    return fail("Error: port forwarding needs the reader's machine, which this terminal lacks");
  const portText = options.flags.get('--port-forward') ?? String(relayLocalPort);
  const localPort = Number(portText);
  if (!/^\d+$/.test(portText) || localPort > 65535)
    return fail(
      `Error: invalid argument "${portText}" for "--port-forward" flag: strconv.ParseInt: parsing "${portText}": invalid syntax`,
    );
  const opened = forwardToService(
    context.simulation.state,
    ports,
    options.namespace,
    'hubble-relay',
    localPort,
  );
  if ('error' in opened) return fail(`Error: failed to port forward: ${opened.error}`);
  const announcement = `ℹ️  Hubble Relay is available at 127.0.0.1:${localPort}\n`;
  let unread = announcement;
  const job: HeldJob = {
    poll: () => {
      const stdout = unread;
      unread = '';
      return { stdout, stderr: '' };
    },
    stop: () => {
      opened.close();
      return { stdout: '', stderr: '' };
    },
    end: () => opened.close(),
  };
  if (context.startJob?.(job) !== undefined) return ok('');
  if (context.holdForeground?.(job) === true) {
    unread = '';
    return ok(announcement);
  }
  // A terminal that cannot keep it running (a script): it forwards for a bounded window.
  return runLiveWindow(context, () => undefined).then(({ interrupted, windowMs }) => {
    opened.close();
    return {
      stdout: announcement,
      stderr: interrupted
        ? ''
        : `(cilium hubble port-forward stopped after ${Math.round(windowMs / 1000)} simulated seconds: a real one runs until you press Ctrl-C; start it with & to keep it while you run hubble)\n`,
      exitCode: interrupted ? 130 : 0,
    };
  });
}

/** The `cilium hubble` subcommands modelled here. */
export const ciliumHubbleCommands = ['enable', 'disable', 'port-forward'] as const;

/** Runs `cilium hubble SUBCOMMAND`. */
export function ciliumHubble(
  context: TerminalContext,
  subcommand: string | undefined,
  options: HubbleFlags,
): CommandResult | Promise<CommandResult> {
  switch (subcommand) {
    case 'enable':
      return enable(context, options);
    case 'disable':
      return disable(context, options);
    case 'port-forward':
      return portForward(context, options);
    case 'ui':
      return fail('Error: cilium hubble ui is not simulated: the Hubble UI is not part of the model');
    case undefined:
      return ok(`Hubble observability\n\nSimulated here: cilium hubble ${ciliumHubbleCommands.join(', ')}\n`);
    default:
      return fail(
        `Error: unknown command "${subcommand}" for "cilium hubble"\nSimulated here: cilium hubble ${ciliumHubbleCommands.join(', ')}`,
      );
  }
}
