/**
 * Layer 2: BOLT #3 keys — per-commitment secrets and their storage, key derivation, and the
 * Signer that holds a channel's base secrets.
 */
export * from './derivation.ts';
export * from './per-commitment.ts';
export * from './shachain.ts';
export * from './commitment-keys.ts';
export * from './signer.ts';
