/**
 * Branded units (DESIGN.md "Types and data"): money is never a bare number.
 */
import { DecodeError } from './errors.ts';

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Millisatoshi amount. */
export type Msat = Brand<bigint, 'Msat'>;
/** Satoshi amount. */
export type Sat = Brand<bigint, 'Sat'>;
/** Block height. */
export type BlockHeight = Brand<number, 'BlockHeight'>;
/** Absolute CLTV expiry (a block height). */
export type CltvExpiry = Brand<number, 'CltvExpiry'>;
/** 33-byte compressed secp256k1 public key identifying a node. */
export type NodeId = Brand<Uint8Array, 'NodeId'>;
/** 32-byte channel id. */
export type ChannelId = Brand<Uint8Array, 'ChannelId'>;

export const msat = (v: bigint | number): Msat => BigInt(v) as Msat;
export const sat = (v: bigint | number): Sat => BigInt(v) as Sat;
export const satToMsat = (v: Sat): Msat => (v * 1000n) as Msat;
/** msatToSat rounds down, as BOLT 3 does when trimming to satoshis. */
export const msatToSat = (v: Msat): Sat => (v / 1000n) as Sat;
export const blockHeight = (v: number): BlockHeight => v as BlockHeight;
export const cltvExpiry = (v: number): CltvExpiry => v as CltvExpiry;

/**
 * ShortChannelId (BOLT #7): block height (3 bytes), transaction index (3 bytes), output
 * index (2 bytes), packed into a u64 and shown as `BLOCKxTXxOUT`.
 */
export type ShortChannelId = Brand<bigint, 'ShortChannelId'>;

export function shortChannelId(block: number, tx: number, out: number): ShortChannelId {
  if (block < 0 || block > 0xffffff || tx < 0 || tx > 0xffffff || out < 0 || out > 0xffff) {
    throw new RangeError('short_channel_id component out of range');
  }
  return ((BigInt(block) << 40n) | (BigInt(tx) << 16n) | BigInt(out)) as ShortChannelId;
}

export function scidParts(s: ShortChannelId): { block: number; tx: number; out: number } {
  return { block: Number(s >> 40n), tx: Number((s >> 16n) & 0xffffffn), out: Number(s & 0xffffn) };
}

export function formatScid(s: ShortChannelId): string {
  const p = scidParts(s);
  return `${p.block}x${p.tx}x${p.out}`;
}

export function parseScid(s: string): ShortChannelId {
  const m = /^(\d+)x(\d+)x(\d+)$/.exec(s);
  if (!m) throw new DecodeError(`short_channel_id must look like BLOCKxTXxOUT, got ${JSON.stringify(s)}`);
  return shortChannelId(Number(m[1]), Number(m[2]), Number(m[3]));
}
