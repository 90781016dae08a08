import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Site paths of every page in the production build, found by walking dist/ for index.html files. */
export function builtPagePaths(distDir = join(process.cwd(), 'dist')): string[] {
  const paths: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        // Pagefind's index and Astro's hashed assets are not pages.
        if (!entry.name.startsWith('_') && entry.name !== 'pagefind') walk(full);
      } else if (entry.name === 'index.html') {
        const folder = relative(distDir, dir).split(sep).join('/');
        paths.push(folder === '' ? '/' : `/${folder}/`);
      }
    }
  };
  walk(distDir);
  return paths.sort();
}
