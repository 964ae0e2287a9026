/**
 * Layer 3: BOLT #4 onion routing. Sphinx packets (sphinx.ts), hop payloads (payload.ts),
 * failure messages (failure.ts) and return packets (error-packet.ts), route blinding
 * (blinding.ts), replay protection (replay.ts). See README.md.
 */
export * from './keys.ts';
export * from './sphinx.ts';
export * from './payload.ts';
export * from './failure.ts';
export * from './error-packet.ts';
export * from './blinding.ts';
export * from './replay.ts';
export * from './attribution.ts';
export * from './incoming.ts';
export * from './blinded-payment.ts';
