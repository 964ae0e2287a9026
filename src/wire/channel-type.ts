/**
 * `channel_type` (BOLT #2 "Defined Channel Types"): a feature-bit vector carried in
 * open_channel/accept_channel (and the v2 messages) naming the commitment format.
 *
 * BOLT #2: "Channel types are an explicit enumeration: for convenience of future definitions
 * they reuse even feature bits, but they are not an arbitrary combination".
 */
import { Features } from './features.ts';

/** A defined channel type: a basic type plus its allowed variations. */
export interface ChannelType {
  /**
   * BOLT #2: "The currently defined basic types are: - `option_static_remotekey` (bit 12)
   * - `option_anchors` and `option_static_remotekey` (bits 22 and 12)".
   */
  base: 'static_remotekey' | 'anchors';
  /** BOLT #2: "Each basic type has the following variations allowed: `option_scid_alias` (bit 46)". */
  scidAlias: boolean;
  /** ... "`option_zeroconf` (bit 50)". */
  zeroconf: boolean;
}

const STATIC_REMOTEKEY = 12;
const ANCHORS = 22;
const SCID_ALIAS = 46;
const ZEROCONF = 50;

/**
 * parseChannelType returns the defined type a `channel_type` names, or null when the bits do
 * not form a defined type (the receiver then fails the channel: BOLT #2 "the `channel_type`
 * is not suitable").
 */
export function parseChannelType(bytes: Uint8Array): ChannelType | null {
  const bits = new Set(Features.fromBytes(bytes).bitList());
  if (!bits.has(STATIC_REMOTEKEY)) return null;
  const out: ChannelType = { base: bits.has(ANCHORS) ? 'anchors' : 'static_remotekey', scidAlias: bits.has(SCID_ALIAS), zeroconf: bits.has(ZEROCONF) };
  for (const b of bits) if (b !== STATIC_REMOTEKEY && b !== ANCHORS && b !== SCID_ALIAS && b !== ZEROCONF) return null;
  return out;
}

/**
 * encodeChannelType writes a defined type. BOLT #2: "MUST use the smallest bitmap possible to
 * represent the channel type."
 */
export function encodeChannelType(t: ChannelType): Uint8Array {
  const bits = [STATIC_REMOTEKEY];
  if (t.base === 'anchors') bits.push(ANCHORS);
  if (t.scidAlias) bits.push(SCID_ALIAS);
  if (t.zeroconf) bits.push(ZEROCONF);
  return Features.fromBits(bits).toBytes();
}
