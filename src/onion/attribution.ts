/**
 * BOLT #4 attribution data (`option_attribution_data`): hold times and truncated HMACs that
 * every hop adds to update_fail_htlc and update_fulfill_htlc, so that the origin can tell
 * which hop tampered with a failure and how long each hop held the HTLC.
 *
 * Layout (BOLT #2): "[`20*u32`:`htlc_hold_times`] [`210*sha256[..4]`:`truncated_hmacs`]".
 * The HMACs are grouped by the position x of the node that added them, counted from the
 * node currently handling the message; block x holds 20 - x HMACs, hmac_x_y for y from
 * 19 - x down to 0, y being how many hops that node is from the erring (or final) node.
 */
import { hmacSha256 } from '../crypto/index.ts';
import { KEY_AMMAG, KEY_AMMAG_EXT, KEY_UM, constantTimeEqual, generateKey, xorCipherStream } from './keys.ts';

/** The maximum route length attribution data covers. */
export const ATTRIBUTION_MAX_HOPS = 20;
/** BOLT #4: hold times are "in units of 100 milliseconds". */
export const HOLD_TIME_UNIT_MS = 100;
const HOLD_TIMES_SIZE = 4 * ATTRIBUTION_MAX_HOPS;
const HMAC_COUNT = (ATTRIBUTION_MAX_HOPS * (ATTRIBUTION_MAX_HOPS + 1)) / 2; // 210
/** The attribution_data field size: 80 bytes of hold times and 840 of truncated HMACs. */
export const ATTRIBUTION_DATA_SIZE = HOLD_TIMES_SIZE + 4 * HMAC_COUNT;

/** Index (in 4-byte units) of hmac_x_y within truncated_hmacs. */
function hmacIndex(x: number, y: number): number {
  const blockStart = ATTRIBUTION_MAX_HOPS * x - (x * (x - 1)) / 2;
  return blockStart + (ATTRIBUTION_MAX_HOPS - 1 - x - y);
}

/**
 * shiftDown moves attribution data one position downstream (BOLT #4 "Transformation of
 * `attribution_data`"): "Shift all existing hold times to the right (4 bytes)" and "Shift
 * and prune all existing HMACs": block x loses its left-most HMAC (which "now corresponds
 * to position 21") and becomes block x + 1. Position 0 is left zero for the caller.
 */
function shiftDown(d: Uint8Array): Uint8Array {
  const out = new Uint8Array(ATTRIBUTION_DATA_SIZE);
  out.set(d.subarray(0, HOLD_TIMES_SIZE - 4), 4);
  for (let x = 0; x < ATTRIBUTION_MAX_HOPS - 1; x++) {
    const from = HOLD_TIMES_SIZE + 4 * (hmacIndex(x, ATTRIBUTION_MAX_HOPS - 1 - x) + 1);
    const to = HOLD_TIMES_SIZE + 4 * hmacIndex(x + 1, ATTRIBUTION_MAX_HOPS - 2 - x);
    out.set(d.subarray(from, from + 4 * (ATTRIBUTION_MAX_HOPS - 1 - x)), to);
  }
  return out;
}

/**
 * shiftUp is the origin's inverse of shiftDown: it recovers the next hop's view of the data,
 * with zeros where shiftDown pruned (those positions are never needed for routes of up to
 * 20 hops).
 */
function shiftUp(d: Uint8Array): Uint8Array {
  const out = new Uint8Array(ATTRIBUTION_DATA_SIZE);
  out.set(d.subarray(4, HOLD_TIMES_SIZE), 0);
  for (let x = 0; x < ATTRIBUTION_MAX_HOPS - 1; x++) {
    const to = HOLD_TIMES_SIZE + 4 * (hmacIndex(x, ATTRIBUTION_MAX_HOPS - 1 - x) + 1);
    const from = HOLD_TIMES_SIZE + 4 * hmacIndex(x + 1, ATTRIBUTION_MAX_HOPS - 2 - x);
    out.set(d.subarray(from, from + 4 * (ATTRIBUTION_MAX_HOPS - 1 - x)), to);
  }
  return out;
}

/**
 * The HMAC hmac_0_y of the node at position 0 (BOLT #4): over "The return packet before
 * applying the pseudo-random byte stream", "The concatenation of the first `y+1` hold
 * times" and "The concatenation of `y` downstream hmacs that correspond to downstream node
 * positions relative to `x`", truncated to 4 bytes.
 */
function positionHmac(um: Uint8Array, packet: Uint8Array, data: Uint8Array, y: number): Uint8Array {
  const msg = new Uint8Array(packet.length + 4 * (y + 1) + 4 * y);
  msg.set(packet, 0);
  msg.set(data.subarray(0, 4 * (y + 1)), packet.length);
  let o = packet.length + 4 * (y + 1);
  for (let j = 1; j <= y; j++) {
    const at = HOLD_TIMES_SIZE + 4 * hmacIndex(j, y - j);
    msg.set(data.subarray(at, at + 4), o);
    o += 4;
  }
  return hmacSha256(um, msg).subarray(0, 4);
}

/**
 * addAttributionData is one hop's step (BOLT #4 "Initialization of `attribution_data`" for
 * the erring or final node, "Transformation of `attribution_data`" and "Update of
 * `attribution_data`" for the others): shift the downstream data right by one position
 * (pruning HMACs that would fall past position 20), put this hop's hold time first,
 * compute its 20 truncated HMACs, then obfuscate everything with the `ammagext` stream.
 *
 * `returnPacket` is the failure's return packet before this hop applies its ammag stream
 * (the raw packet at the erring node), or empty for update_fulfill_htlc ("there is no
 * failure message that is covered by the HMACs"). `downstream` is the attribution_data
 * received from the next hop, absent at the erring or final node ("MUST instantiate an
 * all-zeroes `attribution_data` block"). `holdTime` is in units of 100 ms.
 */
export function addAttributionData(sharedSecret: Uint8Array, holdTime: number, returnPacket: Uint8Array, downstream?: Uint8Array): Uint8Array {
  if (downstream && downstream.length !== ATTRIBUTION_DATA_SIZE) throw new RangeError(`attribution_data must be ${ATTRIBUTION_DATA_SIZE} bytes`);
  const data = downstream ? shiftDown(downstream) : new Uint8Array(ATTRIBUTION_DATA_SIZE);
  // "Put the node's hold time at the start of `htlc_hold_times`."
  new DataView(data.buffer).setUint32(0, holdTime >>> 0);
  // "Calculate its own 20 truncated HMACs and put them at the start of `hmacs`".
  const um = generateKey(KEY_UM, sharedSecret);
  for (let y = 0; y < ATTRIBUTION_MAX_HOPS; y++) {
    data.set(positionHmac(um, returnPacket, data, y), HOLD_TIMES_SIZE + 4 * hmacIndex(0, y));
  }
  // "Generate the node's `ammagext` key, generate the pseudo-random byte stream, and apply
  // the result to obfuscate the `attribution_data` field."
  return xorCipherStream(generateKey(KEY_AMMAG_EXT, sharedSecret), data);
}

/** What the origin learns from attribution data. */
export interface Attribution {
  /** Hold times (in 100 ms units) of the hops whose HMAC verified, in route order. */
  holdTimes: number[];
  /**
   * Index of the first hop whose HMAC did not verify, or undefined if all did. BOLT #4:
   * "If the HMAC is invalid, processing of the message can stop and the node should
   * penalize this hop".
   */
  failedAt?: number;
}

/**
 * verifyAttribution checks attribution data at the origin (BOLT #4 "Origin node"): for
 * each hop, remove its `ammagext` layer (and, for a failure, its `ammag` layer of the return
 * packet), then "Verify the HMAC in `attribution_data` that corresponds to the hop's
 * position in the path using the hop's `um` key" and "Record the reported htlc hold time
 * for this hop". `sharedSecrets` is the route up to the node that created the data (the
 * erring hop for a failure, the final node for a fulfill); `reason` is the update_fail_htlc
 * reason, or undefined for a fulfill. Routes longer than 20 hops are checked on their
 * first 20.
 */
export function verifyAttribution(sharedSecrets: Uint8Array[], attributionData: Uint8Array, reason?: Uint8Array): Attribution {
  const holdTimes: number[] = [];
  if (attributionData.length !== ATTRIBUTION_DATA_SIZE) return { holdTimes, failedAt: 0 };
  const n = Math.min(sharedSecrets.length, ATTRIBUTION_MAX_HOPS);
  let data = attributionData;
  let packet = reason ?? new Uint8Array(0);
  for (let i = 0; i < n; i++) {
    const ss = sharedSecrets[i];
    // Hop i's own view: undo the shifts of the hops before it, then its ammagext layer.
    data = xorCipherStream(generateKey(KEY_AMMAG_EXT, ss), i === 0 ? data : shiftUp(data));
    if (reason) packet = xorCipherStream(generateKey(KEY_AMMAG, ss), packet);
    const y = n - 1 - i;
    const expected = positionHmac(generateKey(KEY_UM, ss), packet, data, y);
    const at = HOLD_TIMES_SIZE + 4 * hmacIndex(0, y);
    if (!constantTimeEqual(expected, data.subarray(at, at + 4))) return { holdTimes, failedAt: i };
    holdTimes.push(new DataView(data.buffer, data.byteOffset).getUint32(0));
  }
  return { holdTimes };
}
