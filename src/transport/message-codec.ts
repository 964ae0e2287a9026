/**
 * Lightning message framing over an established session (BOLT 8 "Lightning Message
 * Specification"): each message is an encrypted 2-byte length with its MAC, then the
 * encrypted body with its MAC. encryptMessage builds one frame; MessageDecoder takes the
 * byte stream in arbitrary chunks and yields whole decrypted messages.
 */
import { err, ok, type Result } from '../lib/index.ts';
import type { CipherState } from './cipher-state.ts';
import { MessageError } from './errors.ts';

/** BOLT #8: "The *maximum* size of _any_ Lightning message MUST NOT exceed `65535` bytes." */
export const MAX_MESSAGE_SIZE = 65535;
/** The size of a Poly1305 tag. */
export const MAC_SIZE = 16;
/** The encrypted length prefix: 2 bytes plus its MAC. */
export const LENGTH_HEADER_SIZE = 2 + MAC_SIZE;
/** BOLT #8: "for a total maximum packet length of `2 + 16 + 65535 + 16` = `65569` bytes." */
export const MAX_FRAME_SIZE = LENGTH_HEADER_SIZE + MAX_MESSAGE_SIZE + MAC_SIZE;

/** frameSize is the number of bytes a message of `len` bytes occupies on the wire. */
export function frameSize(len: number): number {
  return LENGTH_HEADER_SIZE + len + MAC_SIZE;
}

/**
 * encryptMessage encrypts one Lightning message into a wire frame `lc || c`
 * (BOLT 8 "Encrypting and Sending Messages"). Returns MESSAGE_TOO_LARGE for messages over
 * 65535 bytes, without touching the nonce.
 */
export function encryptMessage(sender: CipherState, msg: Uint8Array): Result<Uint8Array, MessageError> {
  // BOLT #8: "The *maximum* size of _any_ Lightning message MUST NOT exceed `65535` bytes."
  if (msg.length > MAX_MESSAGE_SIZE) return err(new MessageError('MESSAGE_TOO_LARGE', `${msg.length} bytes`));
  const len = new Uint8Array(2);
  // BOLT #8: "Serialize `l` into 2 bytes encoded as a big-endian integer."
  len[0] = msg.length >>> 8;
  len[1] = msg.length & 0xff;
  // BOLT #8: "Encrypt `l` (using `ChaChaPoly-1305`, `sn`, and `sk`), to obtain `lc`"
  // "The nonce `sn` MUST be incremented after this step." (CipherState does this.)
  const lc = sender.encrypt(len);
  // BOLT #8: "Finally, encrypt the message itself (`m`) using the same procedure used to
  // encrypt the length prefix."
  const c = sender.encrypt(msg);
  const frame = new Uint8Array(lc.length + c.length);
  frame.set(lc, 0);
  frame.set(c, lc.length);
  return ok(frame);
}

/**
 * MessageDecoder is the receiving half of a session as a streaming decoder: push() bytes as
 * they arrive (any chunking), then call next() until it returns null to collect whole
 * messages. It buffers at most one partial frame plus whatever was pushed and not yet
 * pulled; the caller can apply backpressure by not pushing while `bufferedBytes` is high.
 * After the first authentication failure every next() returns that same error.
 */
export class MessageDecoder {
  private chunks: Uint8Array[] = [];
  private head = 0; // read offset into chunks[0]
  private buffered = 0;
  /** Body length (without MAC) once the length prefix is decrypted; -1 while awaiting it. */
  private pendingLength = -1;
  private failure: MessageError | null = null;

  /** Creates a decoder reading with the session's receiving CipherState. */
  constructor(private readonly receiver: CipherState) {}

  /** Bytes pushed but not yet consumed by next(). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** The error that stopped this decoder, if any. */
  get error(): MessageError | null {
    return this.failure;
  }

  /** push appends received bytes. The bytes are not copied: the caller must not reuse them. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0 || this.failure) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /**
   * next returns the next whole decrypted message, null when more bytes are needed, or a
   * MessageError when a MAC does not verify (BOLT 8 "Receiving and Decrypting Messages").
   */
  next(): Result<Uint8Array | null, MessageError> {
    if (this.failure) return err(this.failure);
    if (this.pendingLength < 0) {
      // BOLT #8: "Read _exactly_ 18 bytes from the network buffer."
      if (this.buffered < LENGTH_HEADER_SIZE) return ok(null);
      const lc = this.take(LENGTH_HEADER_SIZE);
      // BOLT #8: "Decrypt `lc` (using `ChaCha20-Poly1305`, `rn`, and `rk`), to obtain the
      // size of the encrypted packet `l`." "The nonce `rn` MUST be incremented after this step."
      const l = this.receiver.decrypt(lc);
      if (l === null) return this.fail(new MessageError('BAD_LENGTH_TAG'));
      this.pendingLength = (l[0]! << 8) | l[1]!;
    }
    // BOLT #8: "Read _exactly_ `l+16` bytes from the network buffer"
    const need = this.pendingLength + MAC_SIZE;
    if (this.buffered < need) return ok(null);
    const c = this.take(need);
    // BOLT #8: "Decrypt `c` (using `ChaCha20-Poly1305`, `rn`, and `rk`), to obtain decrypted
    // plaintext packet `p`." "The nonce `rn` MUST be incremented after this step."
    const p = this.receiver.decrypt(c);
    if (p === null) return this.fail(new MessageError('BAD_MESSAGE_TAG'));
    this.pendingLength = -1;
    return ok(p);
  }

  /** drain pushes `chunk` and returns every whole message now available, or the error. */
  drain(chunk?: Uint8Array): Result<Uint8Array[], MessageError> {
    if (chunk) this.push(chunk);
    const out: Uint8Array[] = [];
    for (;;) {
      const r = this.next();
      if (!r.ok) return r;
      if (r.value === null) return ok(out);
      out.push(r.value);
    }
  }

  private fail(e: MessageError): Result<never, MessageError> {
    this.failure = e;
    this.chunks = [];
    this.head = 0;
    this.buffered = 0;
    return err(e);
  }

  /** take removes exactly n buffered bytes (n <= buffered), copying only across chunks. */
  private take(n: number): Uint8Array {
    const first = this.chunks[0]!;
    const avail = first.length - this.head;
    this.buffered -= n;
    if (avail >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.head += n;
      if (this.head === first.length) {
        this.chunks.shift();
        this.head = 0;
      }
      return out;
    }
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length - this.head, n - off);
      out.set(c.subarray(this.head, this.head + k), off);
      off += k;
      this.head += k;
      if (this.head === c.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    return out;
  }
}
