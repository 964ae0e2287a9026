/**
 * Layer 1: the crypto facade. Nothing else in Kite imports a crypto library directly;
 * backends were chosen per operation by bench/crypto.ts (see docs/dependencies.md).
 */
export * from './hashes.ts';
export * from './aead.ts';
export * from './secp256k1.ts';
export * from './random.ts';
