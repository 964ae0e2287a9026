/**
 * Layer 5 adapter: the embedded regtest chain — a validating Bitcoin regtest node in one
 * process (blocks, UTXO set, mempool policy, mining, reorgs, persistence) and its
 * Bitcoin Core-compatible JSON-RPC, in-process (createChainRpc) or over HTTP (ChainServer,
 * the `kite-chain` executable).
 */
export * from './params.ts';
export * from './block.ts';
export * from './tx-data.ts';
export * from './pow.ts';
export * from './genesis.ts';
export * from './utxo.ts';
export * from './consensus.ts';
export * from './mempool.ts';
export * from './mempool-accept.ts';
export * from './policy.ts';
export * from './chain.ts';
export * from './package.ts';
export * from './fee-estimate.ts';
export * from './store.ts';
export * from './faucet.ts';
export * from './rpc-handler.ts';
export * from './server.ts';
export { scriptToAsm, classifyOutput, type OutputType } from './script-info.ts';
export { inferDescriptor, descriptorChecksum } from './descriptor.ts';
export { scriptErrorText } from './script-errors.ts';
/** Display-order hash hex: the chain seam's helpers, under the names this module has always exported. */
export { hashToHex as hashToHexString, hexToHash as hexToHashBytes } from '../interfaces.ts';
