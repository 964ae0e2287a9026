/**
 * BOLT #4 hop payloads ("`payload` format"): the TLV stream each hop finds in its layer of
 * the onion, and the rules on which fields a forwarding hop and a final hop must see
 * ("Requirements", "The reader").
 */
import { DecodeError, Reader, bigSizeLength, msat, readBigSize } from '../lib/index.ts';
import type { Msat, ShortChannelId, Result } from '../lib/index.ts';
import { decodeTlvStream, decodeTu64, encodeTlvStream, encodeTu64 } from '../wire/tlv.ts';
import type { TlvRecord } from '../wire/tlv.ts';
import type { FailureMessage } from './failure.ts';

/** TLV types of the BOLT #4 `payload` tlv_stream. */
export const PAYLOAD_TYPES = {
  amt_to_forward: 2n,
  outgoing_cltv_value: 4n,
  short_channel_id: 6n,
  payment_data: 8n,
  encrypted_recipient_data: 10n,
  current_path_key: 12n,
  payment_metadata: 16n,
  total_amount_msat: 18n,
} as const;

const KNOWN = new Set<bigint>(Object.values(PAYLOAD_TYPES));

/** BOLT #4 payment_data: "[`32*byte`:`payment_secret`] [`tu64`:`total_msat`]". */
export interface PaymentData {
  paymentSecret: Uint8Array;
  totalMsat: Msat;
}

/** A decoded hop payload; every field is optional at this level. */
export interface HopPayload {
  amtToForward?: Msat;
  outgoingCltvValue?: number;
  shortChannelId?: ShortChannelId;
  paymentData?: PaymentData;
  encryptedRecipientData?: Uint8Array;
  currentPathKey?: Uint8Array;
  paymentMetadata?: Uint8Array;
  totalAmountMsat?: Msat;
  /** Unknown odd records, kept so that they can be inspected or re-encoded. */
  unknown: TlvRecord[];
}

/** The invalid_onion_payload failure (BOLT #4: "[`bigsize`:`type`] [`u16`:`offset`]"). */
export type InvalidOnionPayload = Extract<FailureMessage, { name: 'invalid_onion_payload' }>;

function invalidPayload(type: bigint, offset: number): InvalidOnionPayload {
  return { name: 'invalid_onion_payload', type, offset: Math.min(offset, 0xffff) };
}

/** encodeHopPayload serialises a hop payload as a TLV stream (no length prefix). */
export function encodeHopPayload(p: Omit<HopPayload, 'unknown'> & { unknown?: TlvRecord[] }): Uint8Array {
  const recs: TlvRecord[] = [];
  const T = PAYLOAD_TYPES;
  if (p.amtToForward !== undefined) recs.push({ type: T.amt_to_forward, value: encodeTu64(p.amtToForward) });
  if (p.outgoingCltvValue !== undefined) {
    if (p.outgoingCltvValue < 0 || p.outgoingCltvValue > 0xffffffff) throw new RangeError('outgoing_cltv_value out of range');
    recs.push({ type: T.outgoing_cltv_value, value: encodeTu64(p.outgoingCltvValue) });
  }
  if (p.shortChannelId !== undefined) {
    const v = new Uint8Array(8);
    new DataView(v.buffer).setBigUint64(0, p.shortChannelId);
    recs.push({ type: T.short_channel_id, value: v });
  }
  if (p.paymentData !== undefined) {
    if (p.paymentData.paymentSecret.length !== 32) throw new RangeError('payment_secret must be 32 bytes');
    const t = encodeTu64(p.paymentData.totalMsat);
    const v = new Uint8Array(32 + t.length);
    v.set(p.paymentData.paymentSecret);
    v.set(t, 32);
    recs.push({ type: T.payment_data, value: v });
  }
  if (p.encryptedRecipientData !== undefined) recs.push({ type: T.encrypted_recipient_data, value: p.encryptedRecipientData });
  if (p.currentPathKey !== undefined) {
    if (p.currentPathKey.length !== 33) throw new RangeError('current_path_key must be 33 bytes');
    recs.push({ type: T.current_path_key, value: p.currentPathKey });
  }
  if (p.paymentMetadata !== undefined) recs.push({ type: T.payment_metadata, value: p.paymentMetadata });
  if (p.totalAmountMsat !== undefined) recs.push({ type: T.total_amount_msat, value: encodeTu64(p.totalAmountMsat) });
  for (const u of p.unknown ?? []) recs.push(u);
  return encodeTlvStream(recs);
}

/**
 * locateTlvError walks a TLV stream that failed to parse and returns the type and byte
 * offset of the offending record, for invalid_onion_payload (BOLT #4: "If the failure can
 * be narrowed down to a specific tlv type in the payload, the erring node may include that
 * `type` and its byte `offset` in the decrypted byte stream.").
 */
function locateTlvError(b: Uint8Array): InvalidOnionPayload {
  const r = new Reader(b);
  let last = -1n;
  let type = 0n;
  let at = 0;
  try {
    while (!r.done()) {
      at = r.pos;
      type = readBigSize(r);
      const len = readBigSize(r);
      if (len > BigInt(r.remaining) || type <= last || (!KNOWN.has(type) && type % 2n === 0n)) break;
      r.bytes(Number(len));
      last = type;
    }
  } catch {
    /* the record at `at` is truncated */
  }
  return invalidPayload(type, at);
}

/** Byte offsets of each record of a well-formed TLV stream. */
function recordOffsets(records: TlvRecord[]): number[] {
  const out: number[] = [];
  let off = 0;
  for (const rec of records) {
    out.push(off);
    off += bigSizeLength(rec.type) + bigSizeLength(rec.value.length) + rec.value.length;
  }
  return out;
}

/**
 * decodeHopPayload parses a hop payload. Unknown odd types are kept; BOLT #1's "it's OK
 * to be odd" rule makes an unknown even type, like any malformed record, an
 * invalid_onion_payload failure naming the record's type and offset (BOLT #4: "if the
 * per-hop payload in the onion is invalid (e.g. it is not a valid tlv stream) ... return
 * an `invalid_onion_payload` error.").
 */
export function decodeHopPayload(b: Uint8Array): Result<HopPayload, InvalidOnionPayload> {
  let records: TlvRecord[];
  try {
    records = decodeTlvStream(b, (t) => KNOWN.has(t));
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    return { ok: false, error: locateTlvError(b) };
  }
  const offsets = recordOffsets(records);
  const p: HopPayload = { unknown: [] };
  const T = PAYLOAD_TYPES;
  for (let i = 0; i < records.length; i++) {
    const { type, value } = records[i];
    try {
      switch (type) {
        case T.amt_to_forward:
          p.amtToForward = msat(decodeTu64(value, 8));
          break;
        case T.outgoing_cltv_value:
          p.outgoingCltvValue = Number(decodeTu64(value, 4));
          break;
        case T.short_channel_id:
          if (value.length !== 8) throw new DecodeError('short_channel_id must be 8 bytes');
          p.shortChannelId = new DataView(value.buffer, value.byteOffset, 8).getBigUint64(0) as ShortChannelId;
          break;
        case T.payment_data:
          if (value.length < 32) throw new DecodeError('payment_data too short');
          p.paymentData = { paymentSecret: value.subarray(0, 32), totalMsat: msat(decodeTu64(value.subarray(32), 8)) };
          break;
        case T.encrypted_recipient_data:
          p.encryptedRecipientData = value;
          break;
        case T.current_path_key:
          if (value.length !== 33) throw new DecodeError('current_path_key must be 33 bytes');
          p.currentPathKey = value;
          break;
        case T.payment_metadata:
          p.paymentMetadata = value;
          break;
        case T.total_amount_msat:
          p.totalAmountMsat = msat(decodeTu64(value, 8));
          break;
        default:
          p.unknown.push(records[i]);
      }
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      return { ok: false, error: invalidPayload(type, offsets[i]) };
    }
  }
  return { ok: true, value: p };
}

/** A non-blinded forward: BOLT #4 "For every non-final node: MUST include `short_channel_id`". */
export interface ForwardHop {
  kind: 'forward';
  amtToForward: Msat;
  outgoingCltvValue: number;
  shortChannelId: ShortChannelId;
  payload: HopPayload;
}
/** A non-blinded final hop. */
export interface FinalHop {
  kind: 'final';
  amtToForward: Msat;
  outgoingCltvValue: number;
  /** BOLT #4: "MUST treat `total_msat` as if it were equal to `amt_to_forward` if it is not present." */
  totalMsat: Msat;
  paymentSecret?: Uint8Array;
  paymentMetadata?: Uint8Array;
  payload: HopPayload;
}
/** A hop inside a blinded path that forwards: amounts come from its encrypted_recipient_data. */
export interface BlindedForwardHop {
  kind: 'blinded-forward';
  encryptedRecipientData: Uint8Array;
  /** Set when this node is the introduction point (the path key came in the onion). */
  currentPathKey?: Uint8Array;
  payload: HopPayload;
}
/** The final hop of a blinded path. */
export interface BlindedFinalHop {
  kind: 'blinded-final';
  encryptedRecipientData: Uint8Array;
  currentPathKey?: Uint8Array;
  amtToForward: Msat;
  outgoingCltvValue: number;
  totalMsat: Msat;
  payload: HopPayload;
}
/** A hop payload checked against the BOLT #4 reader requirements. */
export type ValidatedHop = ForwardHop | FinalHop | BlindedForwardHop | BlindedFinalHop;

/** Context of validateHopPayload. */
export interface HopContext {
  /** True when the onion's next_hmac was all zero (peelOnion returned no nextPacket). */
  isFinal: boolean;
  /** True when update_add_htlc carried a path_key. */
  pathKeyInUpdateAdd: boolean;
}

/**
 * validateHopPayload applies BOLT #4's reader requirements on which fields must, and must
 * not, be present, returning the invalid_onion_payload failure (type and offset of the
 * offending record, offset 0 for a missing one) otherwise. Amount and CLTV comparisons with
 * the incoming HTLC, and the decryption of encrypted_recipient_data, are the caller's next
 * steps (see blinding.ts). Inside a blinded path the failure actually returned is
 * invalid_onion_blinding: see blindedFailure.
 */
export function validateHopPayload(b: Uint8Array, ctx: HopContext): Result<ValidatedHop, InvalidOnionPayload> {
  const dec = decodeHopPayload(b);
  if (!dec.ok) return dec;
  const p = dec.value;
  const T = PAYLOAD_TYPES;
  const records = decodeTlvStream(b, (t) => KNOWN.has(t));
  const offsets = recordOffsets(records);
  const offsetOf = (type: bigint): number => {
    const i = records.findIndex((r) => r.type === type);
    return i < 0 ? 0 : offsets[i];
  };
  const missing = (type: bigint): Result<never, InvalidOnionPayload> => ({ ok: false, error: invalidPayload(type, 0) });
  const present = (type: bigint): Result<never, InvalidOnionPayload> => ({ ok: false, error: invalidPayload(type, offsetOf(type)) });
  /** The first known type present outside `allowed`. */
  const firstOther = (allowed: bigint[]): bigint | undefined => records.find((r) => KNOWN.has(r.type) && !allowed.includes(r.type))?.type;

  // BOLT #4: "If `encrypted_recipient_data` is present: ..."
  if (p.encryptedRecipientData !== undefined) {
    if (ctx.pathKeyInUpdateAdd) {
      // "If `path_key` is set in the incoming `update_add_htlc`: MUST return an error if
      // `current_path_key` is present."
      if (p.currentPathKey !== undefined) return present(T.current_path_key);
    } else if (p.currentPathKey === undefined) {
      // "Otherwise: MUST return an error if `current_path_key` is not present."
      return missing(T.current_path_key);
    }
    if (!ctx.isFinal) {
      // "If it is not the final node: MUST return an error if the payload contains other tlv
      // fields than `encrypted_recipient_data` and `current_path_key`."
      const other = firstOther([T.encrypted_recipient_data, T.current_path_key]);
      if (other !== undefined) return present(other);
      return { ok: true, value: { kind: 'blinded-forward', encryptedRecipientData: p.encryptedRecipientData, currentPathKey: p.currentPathKey, payload: p } };
    }
    // "If it is the final node: MUST return an error if the payload contains other tlv
    // fields than `encrypted_recipient_data`, `current_path_key`, `amt_to_forward`,
    // `outgoing_cltv_value` and `total_amount_msat`."
    const other = firstOther([T.encrypted_recipient_data, T.current_path_key, T.amt_to_forward, T.outgoing_cltv_value, T.total_amount_msat]);
    if (other !== undefined) return present(other);
    // "MUST return an error if `amt_to_forward`, `outgoing_cltv_value` or
    // `total_amount_msat` are not present."
    if (p.amtToForward === undefined) return missing(T.amt_to_forward);
    if (p.outgoingCltvValue === undefined) return missing(T.outgoing_cltv_value);
    if (p.totalAmountMsat === undefined) return missing(T.total_amount_msat);
    return {
      ok: true,
      value: {
        kind: 'blinded-final',
        encryptedRecipientData: p.encryptedRecipientData,
        currentPathKey: p.currentPathKey,
        amtToForward: p.amtToForward,
        outgoingCltvValue: p.outgoingCltvValue,
        totalMsat: p.totalAmountMsat,
        payload: p,
      },
    };
  }

  // "Otherwise (it is not part of a blinded route): MUST return an error if `path_key` is
  // set in the incoming `update_add_htlc` or `current_path_key` is present."
  if (ctx.pathKeyInUpdateAdd) return missing(T.encrypted_recipient_data);
  if (p.currentPathKey !== undefined) return present(T.current_path_key);
  // "MUST return an error if `amt_to_forward` or `outgoing_cltv_value` are not present."
  if (p.amtToForward === undefined) return missing(T.amt_to_forward);
  if (p.outgoingCltvValue === undefined) return missing(T.outgoing_cltv_value);
  if (!ctx.isFinal) {
    // "if it is not the final node: MUST return an error if: `short_channel_id` is not present"
    if (p.shortChannelId === undefined) return missing(T.short_channel_id);
    // The writer "MUST NOT include `payment_data`" for a non-final node.
    if (p.paymentData !== undefined) return present(T.payment_data);
    return { ok: true, value: { kind: 'forward', amtToForward: p.amtToForward, outgoingCltvValue: p.outgoingCltvValue, shortChannelId: p.shortChannelId, payload: p } };
  }
  // The writer, for the final node, "MUST NOT include `short_channel_id`".
  if (p.shortChannelId !== undefined) return present(T.short_channel_id);
  return {
    ok: true,
    value: {
      kind: 'final',
      amtToForward: p.amtToForward,
      outgoingCltvValue: p.outgoingCltvValue,
      totalMsat: p.paymentData?.totalMsat ?? p.totalAmountMsat ?? p.amtToForward,
      paymentSecret: p.paymentData?.paymentSecret,
      paymentMetadata: p.paymentMetadata,
      payload: p,
    },
  };
}
