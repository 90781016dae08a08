/**
 * `docker ps` on the reader's machine: the node containers of every kind cluster, newest first, in
 * docker's table (docker/cli cli/command/formatter: a tabwriter with minimum width 10 and padding 3;
 * the command quoted and cut to 20 characters; times as go-units' HumanDuration).
 */
import { getObject } from '../k8s/api-store';
import { allClusters } from '../k8s/clusters';
import { hashString64 } from '../engine/state-hash';
import { toGoString, virtualEpochMs } from '../engine/virtual-time';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { cobraParse } from './cobra-args';
import { tabwrite } from './tabwriter';

/** go-units' HumanDuration, as docker prints CREATED (`… ago`) and STATUS (`Up …`). */
function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  return `${Math.floor(hours / 24)} days`;
}

interface ContainerRow {
  ID: string;
  Image: string;
  Command: string;
  CreatedMs: number;
  Ports: string;
  Names: string;
}

/** The node containers of every cluster, newest first. */
function nodeContainers(context: TerminalContext): ContainerRow[] {
  const world = context.simulation.state;
  const rows = allClusters(world).flatMap((cluster) =>
    Object.values(cluster.nodes).map((node): ContainerRow => {
      const created = getObject(cluster.api, 'Node', node.name)?.metadata.creationTimestamp;
      return {
        ID: hashString64(`${world.seed}/${cluster.name}/${node.name}/container`).slice(0, 12),
        Image: node.image,
        Command: '/usr/local/bin/entrypoint /sbin/init',
        CreatedMs: created === undefined ? world.timeMs : Date.parse(created) - virtualEpochMs,
        Ports: node.role === 'control-plane' ? `127.0.0.1:${cluster.apiServer.hostPort}->6443/tcp` : '',
        Names: node.name,
      };
    }),
  );
  return rows.sort((a, b) => b.CreatedMs - a.CreatedMs || (a.Names < b.Names ? -1 : 1));
}

/** A `--format` template's fields filled in (`{{.Names}}`, `{{.ID}}`, …). */
function formatRow(template: string, row: ContainerRow, nowMs: number): string {
  const fields: Record<string, string> = {
    ID: row.ID,
    Image: row.Image,
    Command: JSON.stringify(row.Command),
    CreatedAt: toGoString(row.CreatedMs),
    RunningFor: `${humanDuration(nowMs - row.CreatedMs)} ago`,
    Status: `Up ${humanDuration(nowMs - row.CreatedMs)}`,
    Ports: row.Ports,
    Names: row.Names,
    State: 'running',
  };
  return template.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, name: string) => fields[name] ?? '');
}

/** `docker ps [-a] [-q] [--format TEMPLATE]`. */
export function dockerPs(context: TerminalContext, args: string[]): CommandResult {
  const parsed = cobraParse(args, [
    { long: 'all', short: 'a', takesValue: false },
    { long: 'quiet', short: 'q', takesValue: false },
    { long: 'no-trunc', takesValue: false },
    { long: 'format', takesValue: true },
  ]);
  if ('error' in parsed) return fail(`${parsed.error}\nSee 'docker ps --help'.`, 125);
  if (parsed.positionals.length > 0)
    return fail(`"docker ps" accepts no arguments.\nSee 'docker ps --help'.`);
  const rows = nodeContainers(context);
  const now = context.simulation.nowMs;
  if (parsed.flags.has('quiet')) return ok(rows.map((row) => `${row.ID}\n`).join(''));
  const format = parsed.flags.get('format');
  if (format !== undefined && !format.startsWith('table'))
    return ok(rows.map((row) => `${formatRow(format.replace(/\\t/g, '\t'), row, now)}\n`).join(''));
  // docker cuts the command to 20 characters (the last an ellipsis) before quoting it.
  const cut = (command: string): string => (command.length > 20 ? `${command.slice(0, 19)}…` : command);
  const header = 'CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES';
  const lines = rows.map((row) =>
    formatRow(
      '{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}',
      { ...row, Command: parsed.flags.has('no-trunc') ? row.Command : cut(row.Command) },
      now,
    ),
  );
  return ok(`${tabwrite([header, ...lines].join('\n'), { minWidth: 10, padding: 3 })}\n`);
}
