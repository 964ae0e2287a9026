/**
 * Layer 4: BOLT #5 on-chain resolution, pure (no I/O, no timers): classify a funding spend,
 * plan the resolution of every output (when, by when, how), and build and sign the sweep,
 * second-stage and penalty transactions. See README.md in this folder.
 */
export * from './types.ts';
export * from './scripts.ts';
export * from './classify.ts';
export * from './sweep.ts';
export * from './preimages.ts';
export * from './holder.ts';
export * from './counterparty.ts';
export * from './monitor.ts';
export * from './anchor.ts';
