import { preview } from 'astro';
import type { TestProject } from 'vitest/node';
import { ensureChromium } from '../../../scripts/find-chromium.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    chromiumPath: string;
  }
}

/** Serves the built site (dist/) on a free localhost port for the whole browser run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const chromiumPath = ensureChromium();
  const server = await preview({
    root: process.cwd(),
    server: { host: '127.0.0.1', port: 0 },
    logLevel: 'warn',
  });
  const baseUrl = `http://127.0.0.1:${server.port}`;
  project.provide('baseUrl', baseUrl);
  project.provide('chromiumPath', chromiumPath);
  return async () => {
    await server.stop();
  };
}
