/**
 * `python`/`python3` in a container: the interpreter runs the Cilium docs' demo clients its image
 * ships (k8s/image-contents.ts), found by the script's path as resolved against the working
 * directory. A script the image does not have gets Python's own error; an inline program (`-c`)
 * or an interactive interpreter is not modelled.
 */
import { containerImage } from '../k8s/container-files';
import { imageContents } from '../k8s/image-contents';
import type { Pod } from '../k8s/objects';
import { fail, type CommandResult, type TerminalContext } from './context';
import { cloudCityDoorClient } from './cloudcity-door-client';
import { elasticsearchClient } from './elasticsearch-clients';

/** Runs `python ARGS…` in a container of a pod. */
export function python(
  context: TerminalContext,
  pod: Pod,
  container: string,
  interpreter: string,
  args: readonly string[],
): CommandResult {
  const contents = imageContents(containerImage(pod, container));
  const [script, ...scriptArgs] = args;
  if (script === undefined || script === '-c' || script === '-m' || script === '-i')
    return fail(
      `${interpreter}: the simulator runs the image's demo scripts only (python SCRIPT [ARGS…])`,
      2,
    );
  if (script === '--version' || script === '-V')
    return {
      stdout:
        interpreter === 'python3' && contents.pythonNames.length === 1 ? 'Python 3.8.10\n' : 'Python 3.6.9\n',
      stderr: '',
      exitCode: 0,
    };
  const path = script.startsWith('/')
    ? script
    : `${contents.workdir.replace(/\/$/, '')}/${script.replace(/^\.\//, '')}`;
  const client = contents.pythonScripts[path];
  if (client === undefined)
    return fail(`${interpreter}: can't open file '${script}': [Errno 2] No such file or directory`, 2);
  if (client === 'cloudcity-door-client') return cloudCityDoorClient(context, pod, scriptArgs);
  return elasticsearchClient(context, pod, client, script);
}
