/**
 * Layer 3: channels. BOLT #3 transactions (funding output, commitment and HTLC
 * transactions, witnesses, weights); the BOLT #2 state machine may be added here too.
 */
export * from './scripts.ts';
export * from './weights.ts';
export * from './commitment-fees.ts';
export * from './commitment.ts';
export * from './htlc-tx.ts';
export * from './witness.ts';
export * from './funding.ts';
export * from './commitment-sign.ts';
