/**
 * Proxies that sit between the datapath and a pod's application without being Cilium's: an Istio
 * sidecar or ztunnel (mesh/traffic.ts) may answer a connection before the application does.
 * composition.ts registers them in each new world, so that the datapath does not import the mesh above it.
 */
import type { World } from '../world';
import type { ConnectionOutcome, ConnectionRequest, OpenedConnection } from './datapath-types';

/**
 * Called once a connection reached a pod whose application listens: the outcome when the proxy ends
 * the exchange (a reset, a 403, a 503), or undefined when the request goes on to the application.
 * `close` lets the datapath account for the closing packets.
 */
export type ApplicationProxy = (
  world: World,
  opened: OpenedConnection,
  request: ConnectionRequest,
  explanation: string[],
  close: () => void,
) => ConnectionOutcome | undefined;

/** A world's proxies are code, not state: kept under a symbol, as k8s/extension-points.ts explains. */
const proxiesKey = Symbol('application proxies');

interface WithProxies {
  [proxiesKey]?: ApplicationProxy[];
}

/** Adds a proxy in front of a world's applications; the first that answers ends the exchange. */
export function registerApplicationProxy(world: World, proxy: ApplicationProxy): void {
  ((world as WithProxies)[proxiesKey] ??= []).push(proxy);
}

/** The answer of the first registered proxy that ends the exchange, if any. */
export function answerInProxies(
  world: World,
  opened: OpenedConnection,
  request: ConnectionRequest,
  explanation: string[],
  close: () => void,
): ConnectionOutcome | undefined {
  for (const proxy of (world as WithProxies)[proxiesKey] ?? []) {
    const answer = proxy(world, opened, request, explanation, close);
    if (answer !== undefined) return answer;
  }
  return undefined;
}
