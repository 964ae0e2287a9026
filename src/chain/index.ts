/**
 * Layer 3: what the node needs from the chain — the ChainSource, ChainNotifier, FeeEstimator
 * and Broadcaster interfaces, the RpcCall seam, and the polling BlockWatcher. The adapters
 * (chain/bitcoind/, chain/regtest/) are imported from their own index files.
 */
export * from './interfaces.ts';
export * from './rpc-types.ts';
export * from './watcher.ts';
