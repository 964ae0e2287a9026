/**
 * Layer 4: the network graph. `NetworkGraph` (in memory, events, change log), its compact
 * view for pathfinding, the `GraphStore` seam, `GossipIngest` (BOLT #7 gossip into the
 * graph), a ChainSource-backed funding lookup, and the mainnet snapshot reader.
 */
export * from './types.ts';
export * from './node-key.ts';
export * from './store.ts';
export * from './network-graph.ts';
export * from './compact-view.ts';
export * from './gossip-ingest.ts';
export * from './chain-funding.ts';
export * from './snapshot.ts';
