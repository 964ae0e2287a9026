/**
 * Layer 2: the wire protocol. BOLT #1 framing, fundamental types and TLV streams, the
 * BOLT #1/#2/#7 message codecs (one schema table per BOLT) and BOLT #9 feature bits.
 */
export * from './tlv.ts';
export * from './codec.ts';
export * from './schema.ts';
export * from './address.ts';
export * from './encoded.ts';
export { BOLT1 } from './bolt1.ts';
export { BOLT2, OPEN_CHANNEL_FLAGS, RETRANSMIT_FLAGS } from './bolt2.ts';
export { BOLT7, CHANNEL_UPDATE_CHANNEL_FLAGS, CHANNEL_UPDATE_MESSAGE_FLAGS } from './bolt7.ts';
export * from './messages.ts';
export type * from './message-types.ts';
export * from './features.ts';
export * from './gossip-hash.ts';
export * from './channel-type.ts';
