/*
 * The few Observable Plot functions the risk lab draws with, typed loosely so the site type-checks
 * before `npm install` brings @observablehq/plot (a dependency in package.json). Once the package is
 * installed, TypeScript resolves its own declarations first and this file is not used.
 */
declare module '@observablehq/plot' {
  type Options = Record<string, unknown>;
  type Mark = { readonly __mark: true };
  export function plot(options: Options): SVGSVGElement | HTMLElement;
  export function line(data: readonly object[], options?: Options): Mark;
  export function areaY(data: readonly object[], options?: Options): Mark;
  export function dot(data: readonly object[], options?: Options): Mark;
  export function rectY(data: readonly object[], options?: Options): Mark;
  export function ruleY(data: readonly number[], options?: Options): Mark;
}
