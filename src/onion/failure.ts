/**
 * BOLT #4 failure messages ("Failure Messages"): the `failuremsg` carried, encrypted, inside
 * a return packet. "The failure message encapsulated in `failuremsg` has an identical
 * format as a normal message: a 2-byte type `failure_code` followed by data applicable to
 * that type. The message data is followed by an optional TLV stream."
 */
import { DecodeError, Reader, Writer, readBigSize, writeBigSize, msat } from '../lib/index.ts';
import type { Msat } from '../lib/index.ts';
import { decodeTlvStream, encodeTlvStream } from '../wire/tlv.ts';
import type { TlvRecord } from '../wire/tlv.ts';

/** BOLT #4: "0x8000 (BADONION): unparsable onion encrypted by sending peer" */
export const BADONION = 0x8000;
/** BOLT #4: "0x4000 (PERM): permanent failure (otherwise transient)" */
export const PERM = 0x4000;
/** BOLT #4: "0x2000 (NODE): node failure (otherwise channel)" */
export const NODE = 0x2000;
/** BOLT #4: "0x1000 (UPDATE): channel forwarding parameter was violated" */
export const UPDATE = 0x1000;

/**
 * Every failure_code of BOLT #4. `invalid_realm` (PERM|1) belongs to the retired legacy
 * payload format; it is kept so that old failures still decode by name.
 */
export const FAILURE_CODES = {
  invalid_realm: PERM | 1,
  temporary_node_failure: NODE | 2,
  permanent_node_failure: PERM | NODE | 2,
  required_node_feature_missing: PERM | NODE | 3,
  invalid_onion_version: BADONION | PERM | 4,
  invalid_onion_hmac: BADONION | PERM | 5,
  invalid_onion_key: BADONION | PERM | 6,
  temporary_channel_failure: UPDATE | 7,
  permanent_channel_failure: PERM | 8,
  required_channel_feature_missing: PERM | 9,
  unknown_next_peer: PERM | 10,
  amount_below_minimum: UPDATE | 11,
  fee_insufficient: UPDATE | 12,
  incorrect_cltv_expiry: UPDATE | 13,
  expiry_too_soon: UPDATE | 14,
  incorrect_or_unknown_payment_details: PERM | 15,
  final_incorrect_cltv_expiry: 18,
  final_incorrect_htlc_amount: 19,
  channel_disabled: UPDATE | 20,
  expiry_too_far: 21,
  invalid_onion_payload: PERM | 22,
  mpp_timeout: 23,
  invalid_onion_blinding: BADONION | PERM | 24,
} as const;

/** The name of a failure code defined by BOLT #4. */
export type FailureName = keyof typeof FAILURE_CODES;

/** The failure codes that update_fail_malformed_htlc may carry (BADONION set). */
export type BadOnionName = 'invalid_onion_version' | 'invalid_onion_hmac' | 'invalid_onion_key' | 'invalid_onion_blinding';

type NoData = { name: 'invalid_realm' | 'temporary_node_failure' | 'permanent_node_failure' | 'required_node_feature_missing' | 'permanent_channel_failure' | 'required_channel_feature_missing' | 'unknown_next_peer' | 'expiry_too_far' | 'mpp_timeout' };

/** A decoded failure message: one variant per BOLT #4 failure_code, plus unknown codes. */
export type FailureMessage = (
  | NoData
  | { name: BadOnionName; sha256OfOnion: Uint8Array }
  | { name: 'temporary_channel_failure' | 'expiry_too_soon'; channelUpdate: Uint8Array }
  | { name: 'amount_below_minimum' | 'fee_insufficient'; htlcMsat: Msat; channelUpdate: Uint8Array }
  | { name: 'incorrect_cltv_expiry'; cltvExpiry: number; channelUpdate: Uint8Array }
  | { name: 'incorrect_or_unknown_payment_details'; htlcMsat: Msat; height: number }
  | { name: 'final_incorrect_cltv_expiry'; cltvExpiry: number }
  | { name: 'final_incorrect_htlc_amount'; incomingHtlcAmt: Msat }
  | { name: 'channel_disabled'; disabledFlags: number; channelUpdate: Uint8Array }
  | { name: 'invalid_onion_payload'; type: bigint; offset: number }
  | { name: 'unknown'; code: number; data: Uint8Array }
) & {
  /** The optional TLV extension after the data (unknown odd records are kept). */
  tlvs?: TlvRecord[];
  /** Bytes after the data that do not parse as a TLV stream ("MUST ignore any extra bytes"). */
  extra?: Uint8Array;
};

type FieldKind = 'sha256' | 'update' | 'msat' | 'u32' | 'u16' | 'bigsize';
/** The data layout of each failure code, in wire order (BOLT #4 "Failure Messages"). */
const LAYOUT: Record<FailureName, [string, FieldKind][]> = {
  invalid_realm: [],
  temporary_node_failure: [],
  permanent_node_failure: [],
  required_node_feature_missing: [],
  invalid_onion_version: [['sha256OfOnion', 'sha256']],
  invalid_onion_hmac: [['sha256OfOnion', 'sha256']],
  invalid_onion_key: [['sha256OfOnion', 'sha256']],
  temporary_channel_failure: [['channelUpdate', 'update']],
  permanent_channel_failure: [],
  required_channel_feature_missing: [],
  unknown_next_peer: [],
  amount_below_minimum: [['htlcMsat', 'msat'], ['channelUpdate', 'update']],
  fee_insufficient: [['htlcMsat', 'msat'], ['channelUpdate', 'update']],
  incorrect_cltv_expiry: [['cltvExpiry', 'u32'], ['channelUpdate', 'update']],
  expiry_too_soon: [['channelUpdate', 'update']],
  incorrect_or_unknown_payment_details: [['htlcMsat', 'msat'], ['height', 'u32']],
  final_incorrect_cltv_expiry: [['cltvExpiry', 'u32']],
  final_incorrect_htlc_amount: [['incomingHtlcAmt', 'msat']],
  channel_disabled: [['disabledFlags', 'u16'], ['channelUpdate', 'update']],
  expiry_too_far: [],
  invalid_onion_payload: [['type', 'bigsize'], ['offset', 'u16']],
  mpp_timeout: [],
  invalid_onion_blinding: [['sha256OfOnion', 'sha256']],
};

const NAME_BY_CODE = new Map<number, FailureName>(
  (Object.entries(FAILURE_CODES) as [FailureName, number][]).map(([n, c]) => [c, n]),
);

/** failureCode returns the 2-byte failure_code of a failure message. */
export function failureCode(f: FailureMessage): number {
  return f.name === 'unknown' ? f.code : FAILURE_CODES[f.name];
}

/** failureName returns the BOLT #4 name of a failure code, or undefined if unknown. */
export function failureName(code: number): FailureName | undefined {
  return NAME_BY_CODE.get(code);
}

/** isBadOnion reports whether a failure code has the BADONION bit set. */
export const isBadOnion = (code: number): boolean => (code & BADONION) !== 0;
/** isPermanent reports whether a failure code has the PERM bit set. */
export const isPermanent = (code: number): boolean => (code & PERM) !== 0;
/** isNodeFailure reports whether a failure code has the NODE bit set. */
export const isNodeFailure = (code: number): boolean => (code & NODE) !== 0;
/** isUpdateFailure reports whether a failure code has the UPDATE bit set. */
export const isUpdateFailure = (code: number): boolean => (code & UPDATE) !== 0;

/**
 * encodeFailureMessage serialises a failure message: u16 failure_code, its data, then the
 * optional TLV extension (BOLT #4 "Failure Messages").
 */
export function encodeFailureMessage(f: FailureMessage): Uint8Array {
  const w = new Writer(64);
  w.u16(failureCode(f));
  if (f.name === 'unknown') {
    w.bytes(f.data);
  } else {
    const rec: Record<string, unknown> = f;
    for (const [field, kind] of LAYOUT[f.name]) {
      const v = rec[field];
      switch (kind) {
        case 'sha256': {
          const b = v as Uint8Array;
          if (b.length !== 32) throw new RangeError(`${f.name}.${field} must be 32 bytes`);
          w.bytes(b);
          break;
        }
        case 'update': {
          const b = v as Uint8Array;
          if (b.length > 0xffff) throw new RangeError(`${f.name}.${field} too long`);
          w.u16(b.length).bytes(b);
          break;
        }
        case 'msat':
          w.u64(v as bigint);
          break;
        case 'u32':
          w.u32(v as number);
          break;
        case 'u16':
          w.u16(v as number);
          break;
        case 'bigsize':
          writeBigSize(w, v as bigint);
          break;
      }
    }
  }
  if (f.tlvs && f.tlvs.length > 0) w.bytes(encodeTlvStream(f.tlvs));
  if (f.extra) w.bytes(f.extra);
  return w.finish();
}

/**
 * decodeFailureMessage parses a failuremsg. Throws DecodeError when the code's data is
 * truncated. BOLT #4: "The _origin node_: MUST ignore any extra bytes in `failuremsg`."
 * Trailing bytes are therefore kept as a TLV stream when they parse as one, and as `extra`
 * otherwise; they never fail the decode. Unknown codes decode as `{ name: 'unknown' }`.
 */
export function decodeFailureMessage(b: Uint8Array): FailureMessage {
  const r = new Reader(b);
  const code = r.u16();
  const name = NAME_BY_CODE.get(code);
  if (name === undefined) return { name: 'unknown', code, data: r.rest() };
  const out: Record<string, unknown> = { name };
  for (const [field, kind] of LAYOUT[name]) {
    switch (kind) {
      case 'sha256':
        out[field] = r.bytes(32);
        break;
      case 'update':
        out[field] = r.bytes(r.u16());
        break;
      case 'msat':
        out[field] = msat(r.u64());
        break;
      case 'u32':
        out[field] = r.u32();
        break;
      case 'u16':
        out[field] = r.u16();
        break;
      case 'bigsize':
        out[field] = readBigSize(r);
        break;
    }
  }
  const rest = r.rest();
  if (rest.length > 0) {
    try {
      // No failure-message TLV types are defined yet, so only odd ones are acceptable.
      out.tlvs = decodeTlvStream(rest);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      out.extra = rest;
    }
  }
  return out as FailureMessage;
}
