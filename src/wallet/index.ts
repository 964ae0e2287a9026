/**
 * Layer 4: the on-chain wallet — BIP39 seed, BIP84 P2WPKH keys, UTXO tracking, coin
 * selection, funding, withdraw, RBF and CPFP. File adapters are in file-store.ts.
 */
export * from './errors.ts';
export * from './seed.ts';
export * from './keys.ts';
export * from './store.ts';
export * from './file-store.ts';
export * from './coin-selection.ts';
export * from './tx-build.ts';
export * from './utxo-set.ts';
export * from './wallet.ts';
