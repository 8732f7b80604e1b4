/**
 * comlink's Node adapter (a Worker or MessagePort as a comlink endpoint), loaded from its
 * UMD build like comlink itself, so both share one module instance and one set of
 * transfer handlers.
 */
import type { Endpoint } from 'comlink';
import adapterModule from 'comlink/dist/umd/node-adapter.js';

type NodeEndpointFactory = typeof adapterModule.default;
export type NodeEndpoint = Parameters<NodeEndpointFactory>[0];

// The UMD build sets `module.exports` to the function itself, while its typings describe
// an ES module with a default export; accept either shape.
const loaded: unknown = adapterModule;
const factory = (typeof loaded === 'function' ? loaded : (loaded as { default: unknown }).default) as NodeEndpointFactory;

/** Wraps a Worker (main side) or `parentPort` (worker side) for `Comlink.wrap` / `Comlink.expose`. */
export function nodeEndpoint(port: NodeEndpoint): Endpoint {
  return factory(port);
}
