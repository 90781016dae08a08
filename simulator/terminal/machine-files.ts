/**
 * A simulated machine's file system (the reader's, a container's): just-bash's in-memory one, with
 * the directories a Linux system has (scripts write to /tmp), and file times from the world's clock.
 *
 * just-bash stamps every write with the host's clock, so `ls -l` would print the hour the page was
 * opened while `date` prints the world's time, and a link would show other times than the reader
 * saw. This wrapper records, for each path written, the world's time of the write and answers
 * `stat` with it; the library's own mtime is never shown.
 */
import { InMemoryFs, type FsStat, type IFileSystem, type InitialFiles } from 'just-bash';

/** Directories a workstation has before the reader does anything (the FHS's usual top level). */
const standardDirectories = ['/tmp', '/etc', '/var/tmp', '/usr/local/bin'] as const;

/** just-bash's default ceiling on a shell's files (128 MiB), kept for the shared file system. */
const maxTotalBytes = 128 * 1024 * 1024;

/** Methods that write one path (the last argument naming a path is the one written). */
const writesAt: Partial<Record<keyof IFileSystem, (args: unknown[]) => string>> = {
  writeFile: (args) => args[0] as string,
  appendFile: (args) => args[0] as string,
  mkdir: (args) => args[0] as string,
  cp: (args) => args[1] as string,
  mv: (args) => args[1] as string,
  symlink: (args) => args[1] as string,
  link: (args) => args[1] as string,
  // `touch`: the library passes the host's time; the world's is what the machine's clock says.
  utimes: (args) => args[0] as string,
};

/**
 * A file system for the reader's machine whose times are the world's (`nowMs`: milliseconds since
 * the Unix epoch on the world's clock).
 */
export function machineFileSystem(files: InitialFiles, nowMs: () => number): IFileSystem {
  const inner = new InMemoryFs(files, { maxTotalBytes });
  for (const directory of standardDirectories) inner.mkdirSync(directory, { recursive: true });
  const bornMs = nowMs();
  const writtenMs = new Map<string, number>();
  const key = (path: string) => inner.resolvePath('/', path);
  const withWorldTime = (path: string, stat: FsStat): FsStat => ({
    ...stat,
    mtime: new Date(writtenMs.get(key(path)) ?? bornMs),
  });
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (property === 'stat' || property === 'lstat')
        return async (path: string) => withWorldTime(path, (await method.call(target, path)) as FsStat);
      const written = writesAt[property as keyof IFileSystem];
      if (written !== undefined)
        return async (...args: unknown[]) => {
          const result = await method.apply(target, args);
          writtenMs.set(key(written(args)), nowMs());
          return result;
        };
      return method.bind(target);
    },
  });
}
