/**
 * routing/: source-routed pathfinding over the network graph's compact view (layer 4, pure).
 * See README.md for the model and docs/routing.md for the figures.
 */
export * from './types.ts';
export * from './liquidity.ts';
export * from './pathfinder.ts';
export * from './split.ts';
