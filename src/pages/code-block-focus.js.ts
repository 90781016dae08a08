import { transform } from 'esbuild';
import source from '../expressive-code/focus-scrollable-blocks-client.js?raw';

/**
 * The script that keeps skipped code blocks' focus stops right after a resize, minified at build
 * time; Expressive Code's script imports it from here on the window's first resize
 * (src/expressive-code/focus-scrollable-blocks.mjs, `clientScriptPath`).
 */
export async function GET(): Promise<Response> {
  const { code } = await transform(source, { minify: true, target: 'es2022', format: 'esm' });
  return new Response(code, { headers: { 'Content-Type': 'text/javascript; charset=utf-8' } });
}
