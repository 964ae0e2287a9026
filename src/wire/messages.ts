/**
 * The message registry: every schema of BOLT #1, #2 and #7 by name and type number, and the
 * public encodeMessage/decodeMessage (BOLT #1 "Lightning Message Format":
 * `[u16:type][payload][extension]`).
 */
import { DecodeError } from '../lib/errors.ts';
import { Reader, Writer } from '../lib/reader.ts';
import { decodeBody, encodeBody, type AnySchema, type MessageOf } from './schema.ts';
import { BOLT1 } from './bolt1.ts';
import { BOLT2 } from './bolt2.ts';
import { BOLT7 } from './bolt7.ts';

/** Every known message schema. */
export const SCHEMAS = [...BOLT1, ...BOLT2, ...BOLT7] as const;

type Schemas = (typeof SCHEMAS)[number];

/** KnownMessage is the union of every message Kite can decode. */
export type KnownMessage = MessageOf<Schemas>;

/**
 * UnknownMessage: a message of odd type we do not know. BOLT #1: "upon receiving a message
 * of _odd_, unknown type: MUST ignore the received message."
 */
export interface UnknownMessage {
  type: 'unknown';
  typeNum: number;
  payload: Uint8Array;
}

/** WireMessage is any decoded Lightning message, discriminated on `type` (the spec name). */
export type WireMessage = KnownMessage | UnknownMessage;

/** MessageName is the spec name of a known message. */
export type MessageName = KnownMessage['type'];

/** MessageByName<N> picks one message type out of the union. */
export type MessageByName<N extends MessageName> = Extract<KnownMessage, { type: N }>;

/**
 * UnknownEvenMessageError: the peer sent an even message type we do not know. BOLT #1:
 * "upon receiving a message of _even_, unknown type: MUST close the connection."
 */
export class UnknownEvenMessageError extends DecodeError {
  override name = 'UnknownEvenMessageError';
  constructor(readonly typeNum: number) {
    super(`unknown even message type ${typeNum}`);
  }
}

const BY_NAME = new Map<string, AnySchema>();
const BY_NUM = new Map<number, AnySchema>();
for (const s of SCHEMAS as readonly AnySchema[]) {
  if (BY_NAME.has(s.name) || BY_NUM.has(s.type)) throw new Error(`duplicate message schema ${s.name}/${s.type}`);
  BY_NAME.set(s.name, s);
  BY_NUM.set(s.type, s);
}

const SCRATCH = new Writer(4096);

/** MESSAGE_TYPES maps every known message name to its type number. */
export const MESSAGE_TYPES: Readonly<Record<MessageName, number>> = Object.freeze(
  Object.fromEntries((SCHEMAS as readonly AnySchema[]).map((s) => [s.name, s.type])) as Record<MessageName, number>,
);

/** messageTypeNumber returns the BOLT type number of a message name. */
export function messageTypeNumber(name: MessageName): number {
  const s = BY_NAME.get(name);
  if (!s) throw new RangeError(`unknown message name ${name}`);
  return s.type;
}

/** messageSchema returns the schema of a message by name or number (undefined if unknown). */
export function messageSchema(key: string | number): AnySchema | undefined {
  return typeof key === 'number' ? BY_NUM.get(key) : BY_NAME.get(key);
}

/**
 * encodeMessage serialises a message as `[u16:type][payload][extension]`.
 *
 * BOLT #1: "The size of the message is required by the transport layer to fit into a 2-byte
 * unsigned int; therefore, the maximum possible size is 65535 bytes." Larger messages are a
 * RangeError.
 */
export function encodeMessage(m: WireMessage): Uint8Array {
  const s = m.type === 'unknown' ? undefined : BY_NAME.get(m.type);
  // One scratch buffer serves every call (encoding is synchronous and never re-entered), so
  // the only allocation per message is the exact-size copy finish() returns.
  const w = SCRATCH;
  w.len = 0;
  if (m.type === 'unknown') {
    if (!Number.isInteger(m.typeNum) || m.typeNum < 0 || m.typeNum > 0xffff) throw new RangeError(`message type out of range: ${m.typeNum}`);
    w.u16(m.typeNum).bytes(m.payload);
  } else {
    if (!s) throw new TypeError(`unknown message name ${String(m.type)}`);
    w.u16(s.type);
    encodeBody(w, s, m);
  }
  if (w.len > 65535) throw new RangeError(`message of ${w.len} bytes exceeds 65535`);
  return w.finish();
}

/**
 * decodeMessage parses one Lightning message. Unknown odd types come back as
 * `{ type: 'unknown' }`; unknown even types throw UnknownEvenMessageError; malformed known
 * messages throw DecodeError. Nothing else is thrown.
 */
export function decodeMessage(bytes: Uint8Array): WireMessage {
  const r = new Reader(bytes);
  const typeNum = r.u16();
  const s = BY_NUM.get(typeNum);
  if (!s) {
    if (typeNum % 2 === 0) throw new UnknownEvenMessageError(typeNum);
    return { type: 'unknown', typeNum, payload: bytes.slice(2) };
  }
  return decodeBody(r, s) as KnownMessage;
}
