/**
 * `kubectl cp SRC DEST`, following kubectl pkg/cmd/cp/cp.go (v0.33.0): one side is `[NS/]POD:PATH`,
 * the other a local path. kubectl runs `tar` in the container through exec, so an image without tar
 * fails with containerd's error, which kubectl reports as an internal error (exit 1); copying
 * from a pod prints the remote tar's complaints on stdout (kubectl wires the remote stderr to its
 * own stdout there), such as GNU tar's note that it removes the leading `/`. Copying to a pod first
 * runs `test -d DEST` to decide whether DEST is a directory to copy into.
 */
import { getObject } from '../k8s/api-store';
import { containerDirectory, containerFile, containerImage, tarOf } from '../k8s/container-files';
import type { Pod } from '../k8s/objects';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { apiCallMs, forbidden, namespaceOf, resourceRequest } from './kubectl-request';
import { builtInResourceType, podStatus, type ResourceType } from './kubectl-resources';
import { notFoundInImage } from './pod-files';

/** One side of the copy: a local path, or a path in a pod. */
type FileSpec = { local: string } | { namespace?: string; pod: string; path: string };

const canonicalFormat = 'error: filespec must match the canonical format: [[namespace/]pod:]file/path';

/** extractFileSpec: `pod:path`, `namespace/pod:path`, or a local path. */
function fileSpec(arg: string): FileSpec | CommandResult {
  const colon = arg.indexOf(':');
  if (colon === 0) return fail(canonicalFormat);
  if (colon < 0) return { local: arg };
  const pieces = arg.slice(0, colon).split('/');
  const path = arg.slice(colon + 1);
  if (pieces.length === 1) return { pod: pieces[0] ?? '', path };
  if (pieces.length === 2) return { namespace: pieces[0] ?? '', pod: pieces[1] ?? '', path };
  return fail(canonicalFormat);
}

const podType = builtInResourceType('pods') as ResourceType;

/** The pod and container a remote spec names, checked as exec checks them. */
function remoteTarget(
  context: TerminalContext,
  spec: { namespace?: string; pod: string },
  flags: ReadonlyMap<string, string>,
): { pod: Pod; container: string } | CommandResult {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('error: no cluster');
  const namespace = spec.namespace ?? namespaceOf(flags);
  const denied =
    forbidden(context, flags, resourceRequest(podType, 'get', { namespace, name: spec.pod })) ??
    forbidden(
      context,
      flags,
      resourceRequest(podType, 'create', { namespace, name: spec.pod, subresource: 'exec' }),
    );
  if (denied !== undefined) return denied;
  const pod = getObject(cluster.api, 'Pod', `${namespace}/${spec.pod}`);
  if (pod === undefined) return fail(`Error from server (NotFound): pods "${spec.pod}" not found`);
  const container = flags.get('--container') ?? pod.spec.containers[0]?.name ?? '';
  if (!pod.spec.containers.some((candidate) => candidate.name === container))
    return fail(
      `error: unable to upgrade connection: container ${container} not found in pod ${pod.metadata.name}`,
    );
  if (podStatus(pod) !== 'Running')
    return fail(`error: unable to upgrade connection: container not found ("${container}")`);
  context.spend(apiCallMs);
  return { pod, container };
}

/** `tar cf - PATH` in the container, then the file written to the local path. */
function copyFromPod(
  context: TerminalContext,
  source: { namespace?: string; pod: string; path: string },
  destination: string,
  flags: ReadonlyMap<string, string>,
): CommandResult {
  const target = remoteTarget(context, source, flags);
  if ('exitCode' in target) return target;
  const { pod, container } = target;
  const flavour = tarOf(containerImage(pod, container));
  // containerd fails the exec of tar before it starts: kubectl reports the error and exits 1.
  if (flavour === undefined) return notFoundInImage('tar', `${pod.metadata.name}/tar`);
  const cluster = context.simulation.state.cluster;
  const text = cluster === undefined ? undefined : containerFile(cluster, pod, container, source.path);
  if (text === undefined) {
    const message =
      flavour === 'gnu'
        ? `tar: Removing leading \`/' from member names\ntar: ${source.path}: Cannot stat: No such file or directory\ntar: Exiting with failure status due to previous errors\n`
        : `tar: can't open '${source.path}': No such file or directory\n`;
    const code = flavour === 'gnu' ? 2 : 1;
    return { stdout: message, stderr: `command terminated with exit code ${code}\n`, exitCode: code };
  }
  context.writeFile?.(destination, text);
  const note = source.path.startsWith('/')
    ? flavour === 'gnu'
      ? "tar: Removing leading `/' from member names\n"
      : "tar: removing leading '/' from member names\n"
    : '';
  return ok(note);
}

/** `test -d DEST`, then `tar -xmf - -C DIR` in the container. */
function copyToPod(
  context: TerminalContext,
  source: string,
  destination: { namespace?: string; pod: string; path: string },
  flags: ReadonlyMap<string, string>,
): CommandResult {
  const text = context.files[source.replace(/^\.\//, '')];
  if (text === undefined) return fail(`error: ${source} doesn't exist in local filesystem`);
  const target = remoteTarget(context, destination, flags);
  if ('exitCode' in target) return target;
  const { pod, container } = target;
  const flavour = tarOf(containerImage(pod, container));
  if (flavour === undefined) return notFoundInImage('tar', `${pod.metadata.name}/tar`);
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('error: no cluster');
  const base =
    source
      .split('/')
      .filter((part) => part !== '')
      .pop() ?? source;
  const intoDirectory = containerDirectory(cluster, pod, container, destination.path);
  const path = intoDirectory ? `${destination.path.replace(/\/+$/, '')}/${base}` : destination.path;
  const directory = path.slice(0, path.lastIndexOf('/')) || '/';
  if (!containerDirectory(cluster, pod, container, directory)) {
    const message =
      flavour === 'gnu'
        ? `tar: ${directory}: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\n`
        : `tar: can't change directory to '${directory}': No such file or directory\n`;
    const code = flavour === 'gnu' ? 2 : 1;
    return { stdout: '', stderr: `${message}command terminated with exit code ${code}\n`, exitCode: code };
  }
  const result = context.input({
    type: 'pod.file.write',
    podKey: `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`,
    container,
    path,
    content: text,
  });
  return result.ok ? ok() : fail(`error: unable to upgrade connection: ${result.error}`);
}

/** `kubectl cp SRC DEST`. */
export function copy(
  context: TerminalContext,
  positionals: string[],
  flags: ReadonlyMap<string, string>,
): CommandResult {
  if (positionals.length !== 2) return fail('error: source and destination are required');
  const source = fileSpec(positionals[0] ?? '');
  if ('exitCode' in source) return source;
  const destination = fileSpec(positionals[1] ?? '');
  if ('exitCode' in destination) return destination;
  if ('pod' in source && 'pod' in destination)
    return fail('error: one of src or dest must be a local file specification');
  const empty = (spec: FileSpec): boolean => ('local' in spec ? spec.local : spec.path) === '';
  if (empty(source) || empty(destination)) return fail('error: filepath can not be empty');
  if ('pod' in source && 'local' in destination)
    return copyFromPod(context, source, destination.local, flags);
  if ('local' in source && 'pod' in destination) return copyToPod(context, source.local, destination, flags);
  return fail('error: one of src or dest must be a remote file specification');
}
